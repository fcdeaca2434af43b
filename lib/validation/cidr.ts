import { propError } from './errors';
import { isIpv4, isIpv6 } from './hosts';

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Bits(address: string): bigint {
  let text = address;
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Bits(tail);
    text = `${text.slice(0, text.lastIndexOf(':') + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left, right] = text.includes('::') ? text.split('::') : [text, undefined];
  const l = left ? left.split(':') : [];
  const r = right ? right.split(':') : [];
  const groups = right === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatIpv4(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 0xffn)).join('.');
}

function formatIpv6(bits: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 writes an address.
  let best = [-1, 0];
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j > i ? j : i + 1;
  }
  if (best[0] < 0) return groups.join(':');
  return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0] + best[1]).join(':')}`;
}

/** A CIDR such as `10.0.0.0/8` or `fd00::/8`: a valid address, a prefix within its family, and no host bits set. */
export function requireCidr(owner: string, prop: string, value: string): string {
  const match = typeof value === 'string' ? /^([^/]+)\/(\d{1,3})$/.exec(value) : null;
  const v4 = match !== null && isIpv4(match[1]);
  const v6 = match !== null && !v4 && isIpv6(match[1]);
  const width = v4 ? 32 : 128;
  const prefix = match ? Number(match[2]) : NaN;
  if (!match || (!v4 && !v6) || prefix > width || String(prefix) !== match[2]) {
    throw propError(owner, prop, value, 'a CIDR: an IPv4 address and a prefix of 0 to 32 (such as "10.0.0.0/8"), or an IPv6 address and a prefix of 0 to 128 (such as "fd00::/8")');
  }
  const bits = v4 ? ipv4Bits(match[1]) : ipv6Bits(match[1]);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    const network = bits & ~hostMask & ((1n << BigInt(width)) - 1n);
    const text = `${v4 ? formatIpv4(network) : formatIpv6(network)}/${prefix}`;
    throw propError(owner, prop, value, 'a network address, with no bits set after the prefix', `Write "${text}".`);
  }
  return value;
}
