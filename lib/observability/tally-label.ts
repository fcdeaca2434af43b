/**
 * A label value as the server's default (tally) Prometheus reporter writes it: every character
 * outside [A-Za-z0-9_] becomes `_` (the server's defaultTallySanitizeOptions, applied by tally to
 * every tag value), so task queue `orders-v2` is `taskqueue="orders_v2"` and the internal
 * frontend's series are `service_name="internal_frontend"`. It walks the value by code point (Go's
 * range over a string), so a character outside the Basic Multilingual Plane, two UTF-16 units in
 * JavaScript, is one `_`.
 */
export function tallyLabelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_]/gu, '_');
}
