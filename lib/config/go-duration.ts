import { Duration } from 'cdk8s';

/** Formats a Duration the way Go's time.Duration prints it (`1h30m`, `10s`, `500ms`). */
export function goDuration(duration: Duration): string {
  const totalMs = duration.toMilliseconds();
  if (totalMs === 0) return '0s';
  if (totalMs % 1000 !== 0) return `${totalMs}ms`;
  let seconds = totalMs / 1000;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
}

/*
 * Reading a duration the way the server does, for the values of the dynamic config: its
 * convertDuration (common/dynamicconfig/collection.go) hands a string to timestamp's
 * ParseDurationDefaultSeconds, which reads bare seconds, rewrites each day into hours with
 * fmt's "%fh" and calls Go's time.ParseDuration. Each step is ported as it is, rounding and
 * overflow included, so the type check of a value and the namespaces' retention floor read one
 * spelling as one duration: the one the server reads.
 */

const NS_PER_UNIT = new Map<string, bigint>([
  ['ns', 1n], ['us', 1_000n], ['µs', 1_000n], ['μs', 1_000n], ['ms', 1_000_000n],
  ['s', 1_000_000_000n], ['m', 60_000_000_000n], ['h', 3_600_000_000_000n],
]);
const TWO_63 = 2n ** 63n;

/** Go's time.ParseDuration, in nanoseconds, or undefined where it returns an error. */
export function parseGoDurationNs(text: string): bigint | undefined {
  let s = text;
  const neg = s.startsWith('-');
  if (neg || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let d = 0n;
  while (s !== '') {
    if (!/^[.0-9]/.test(s)) return undefined;
    const [number, whole, fraction] = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const v = BigInt(whole || '0');
    if (v > TWO_63 || (whole === '' && !fraction)) return undefined;
    s = s.slice(number.length);
    const unitText = /^[^.0-9]*/.exec(s)![0];
    const unit = NS_PER_UNIT.get(unitText);
    if (unit === undefined || v > TWO_63 / unit) return undefined;
    s = s.slice(unitText.length);
    const [f, scale] = leadingFraction(fraction ?? '');
    // Go adds the fraction in float64 and truncates, so "1.0000000001h" is what Go makes of it.
    const sum = v * unit + (f > 0n ? BigInt(Math.trunc(Number(f) * (Number(unit) / scale))) : 0n);
    d += sum;
    if (sum > TWO_63 || d > TWO_63) return undefined;
  }
  if (neg) return -d;
  return d > TWO_63 - 1n ? undefined : d;
}

/** Go's leadingFraction: the digits it keeps before the next one would overflow, and their scale. */
function leadingFraction(digits: string): [bigint, number] {
  let x = 0n;
  let scale = 1;
  for (const c of digits) {
    const y = x * 10n + BigInt(c);
    if (x > (TWO_63 - 1n) / 10n || y > TWO_63) break;
    x = y;
    scale *= 10;
  }
  return [x, scale];
}

/** Go's fmt "%f": six decimals, the exact binary value rounded half to even. */
function goFixed6(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, Math.abs(x));
  const raw = bits.getBigUint64(0);
  const exponent = Number((raw >> 52n) & 0x7ffn);
  const mantissa = (raw & ((1n << 52n) - 1n)) | (exponent === 0 ? 0n : 1n << 52n);
  const shift = BigInt((exponent === 0 ? 1 : exponent) - 1075);
  let q: bigint;
  if (shift >= 0n) {
    q = (mantissa << shift) * 1_000_000n;
  } else {
    const num = mantissa * 1_000_000n;
    const den = 1n << -shift;
    q = num / den;
    const twice = 2n * (num % den);
    if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(7, '0');
  return `${x < 0 ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** timestamp.ParseDurationDefaultSeconds: bare seconds, and a day unit made into hours. */
export function parseServerDurationNs(text: string): bigint | undefined {
  // A pure function of the text, and every cluster reads the same few (its shutdown's defaults): parsed once per process.
  if (SERVER_DURATIONS.has(text)) return SERVER_DURATIONS.get(text);
  if (SERVER_DURATIONS.size >= 10_000) SERVER_DURATIONS.clear();
  const ns = parseServerDurationNsOnce(text);
  SERVER_DURATIONS.set(text, ns);
  return ns;
}

const SERVER_DURATIONS = new Map<string, bigint | undefined>();

function parseServerDurationNsOnce(text: string): bigint | undefined {
  const s = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(text) ? `${text}s` : text;
  return parseGoDurationNs(s.replace(/([0-9]+(\.[0-9]*)?|\.[0-9]+)d/g, (day) => {
    const days = Number(day.slice(0, -1));
    // strconv.ParseFloat fails past float64's range, and the "d" left in place fails the parse.
    return Number.isFinite(days) ? `${goFixed6(24 * days)}h` : day;
  }));
}

/**
 * A dynamic config duration value in nanoseconds as the server's convertDuration reads it, or
 * undefined for one it cannot convert (it logs an error and keeps the key's default). A number is
 * seconds: an integer multiplied in int64, a fraction in float64. Deliberately stricter in one
 * case: a number whose nanoseconds fall outside int64, which the server does not refuse but wraps
 * around or saturates into another duration.
 */
export function serverDurationNs(value: unknown): bigint | undefined {
  if (typeof value === 'string') return parseServerDurationNs(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  // The file holds the number as JSON writes it: yaml.v3 reads one with no point or exponent as an int.
  if (Number.isInteger(value) && Math.abs(value) < 1e21) {
    const ns = BigInt(value) * 1_000_000_000n;
    return ns >= -TWO_63 && ns < TWO_63 ? ns : undefined;
  }
  const ns = value * 1e9;
  return ns >= -(2 ** 63) && ns < 2 ** 63 ? BigInt(Math.trunc(ns)) : undefined;
}
