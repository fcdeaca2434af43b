import { Size, SizeRoundingBehavior } from 'cdk8s';
import { propError } from './errors';

const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d{1,3})?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A quantity's exact value as a fraction, for comparisons that never round. */
export interface ExactQuantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

// Every container's requests and limits are parsed and compared, and a platform app repeats the
// same few quantities across hundreds of containers; the BigInt arithmetic is worth doing once.
const quantityCache = new Map<string, ExactQuantity | undefined>();

/** Parses a Kubernetes quantity (`1.5Gi`, `1536Mi`, `0.5`, `500m`, `1e3`), or returns undefined. */
export function parseQuantity(text: unknown): ExactQuantity | undefined {
  if (typeof text !== 'string') return undefined;
  if (quantityCache.has(text)) return quantityCache.get(text);
  // Bounded, for a long-running process (a test runner) that synthesizes many apps.
  if (quantityCache.size >= 10_000) quantityCache.clear();
  const result = parseUncached(text);
  quantityCache.set(text, result);
  return result;
}

function parseUncached(text: string): ExactQuantity | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole || '0'}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
  let exponent = -fraction.length;
  let denominator = 1n;
  if (suffix in BINARY) numerator *= 1n << BigInt(BINARY[suffix]);
  else if (suffix in DECIMAL) exponent += DECIMAL[suffix];
  else if (suffix !== '') exponent += Number(suffix.slice(1));
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  return { numerator, denominator };
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: ExactQuantity, b: ExactQuantity): number {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A non-negative quantity, such as a CPU amount (`500m`, `0.5`, `2`). */
export function requireQuantity(owner: string, prop: string, value: string, what = 'a quantity'): string {
  const parsed = parseQuantity(value);
  if (!parsed || parsed.numerator < 0n) {
    throw propError(owner, prop, value, `${what}: a non-negative Kubernetes quantity such as "500m", "0.5", "2" or "1Gi"`);
  }
  return value;
}

/**
 * A cdk8s `Size` as a quantity, rendered exactly: in MiB when it is a whole number of them (how
 * the library has always written sizes), else in KiB. A size too large to write exactly is refused.
 */
export function renderSize(owner: string, prop: string, size: Size): string {
  const whole = (convert: () => number) => {
    try {
      const n = convert();
      return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  const mebibytes = whole(() => size.toMebibytes({ rounding: SizeRoundingBehavior.FAIL }));
  if (mebibytes !== undefined) return `${mebibytes}Mi`;
  const kibibytes = whole(() => size.toKibibytes({ rounding: SizeRoundingBehavior.FAIL }));
  if (kibibytes !== undefined) return `${kibibytes}Ki`;
  let shown: string;
  try {
    shown = `${size.toKibibytes({ rounding: SizeRoundingBehavior.NONE })} KiB`;
  } catch {
    shown = String(size);
  }
  throw propError(owner, prop, shown, 'a size that is a whole number of KiB, at most 2^53 KiB', 'Use Size.mebibytes(n) or Size.gibibytes(n) with a whole n.');
}
