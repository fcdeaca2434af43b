/*
 * How go-yaml resolves a plain scalar, as its resolve.go does: v2 in sigs.k8s.io/yaml (kubectl,
 * Argo CD), v3 in kustomize's kyaml (Flux, kubectl apply -k). cdk8s's writer quotes a string that
 * would read as another type under YAML 1.1, but go-yaml takes more than YAML 1.1 for a number: it
 * drops every "_" and hands the rest to Go's strconv, which knows 0o17, 0X1F, 0B101, and a sign
 * after a "0b" prefix (v3: after "0o" too). Those strings stay plain and come back as numbers.
 * (A timestamp stays a string: decoded into an interface, as these readers decode, go-yaml keeps
 * its text.) test/kube/manifest-text.kube.test.ts holds the v2 model to the real kubectl.
 */

const RESOLVED_BY_NAME = new Set([
  '~', 'null', 'Null', 'NULL',
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
  '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN',
]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt(text, base, 64) (or ParseUint when `unsigned`) succeeds. */
function goParsesInt(text: string, base: 0 | 2 | 8, unsigned: boolean): boolean {
  const m = /^([+-]?)([\s\S]*)$/.exec(text)!;
  const [sign, body] = [m[1], m[2]];
  if (unsigned && sign !== '') return false;
  let digits: string;
  let radix: number;
  if (base !== 0) [digits, radix] = [body, base];
  else if (/^0[xX]/.test(body)) [digits, radix] = [body.slice(2), 16];
  else if (/^0[bB]/.test(body)) [digits, radix] = [body.slice(2), 2];
  else if (/^0[oO]/.test(body)) [digits, radix] = [body.slice(2), 8];
  else if (body.startsWith('0') && body.length > 1) [digits, radix] = [body.slice(1), 8];
  else [digits, radix] = [body, 10];
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[radix as 2 | 8 | 10 | 16];
  if (!valid.test(digits)) return false;
  let value = 0n;
  for (const d of digits) value = value * BigInt(radix) + BigInt(parseInt(d, 16));
  if (sign === '-') value = -value;
  return unsigned ? value <= UINT64_MAX : value >= INT64_MIN && value <= INT64_MAX;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseFloat(text, 64) succeeds, for text of YAML_STYLE_FLOAT's form (no hex or words). */
function goParsesFloat(text: string): boolean {
  if (!YAML_STYLE_FLOAT.test(text)) return false;
  // Out of float64's range, ParseFloat reports an error.
  return Number.isFinite(Number(text));
}

/** Whether go-yaml `version` reads `text`, written as a plain scalar, as something other than that string. */
export function goYamlReadsAsNonString(text: string, version: 2 | 3): boolean {
  if (text === '' || RESOLVED_BY_NAME.has(text)) return true;
  const first = text[0];
  if (first === '.') return goParsesFloat(text);
  if (!/[-+0-9]/.test(first)) return false;
  const plain = text.replace(/_/g, '');
  if (goParsesInt(plain, 0, false) || goParsesInt(plain, 0, true)) return true;
  if (goParsesFloat(plain)) return true;
  if (plain.startsWith('0b') && goParsesInt(plain.slice(2), 2, false)) return true;
  if (plain.startsWith('-0b') && goParsesInt(`-${plain.slice(3)}`, 2, false)) return true;
  if (version === 3 && plain.startsWith('0o')) return goParsesInt(plain.slice(2), 8, false);
  if (version === 3 && plain.startsWith('-0o')) return goParsesInt(`-${plain.slice(3)}`, 8, false);
  return false;
}
