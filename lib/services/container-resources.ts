import type { ContainerResources } from 'cdk8s-plus-27';
import { RoleSizing } from './sizing';
import { Quantity } from '../../imports/k8s';
import { checkOptionsObject, compareQuantities, parseQuantity, propError, renderSize, requireQuantity } from '../validation';

/** The defaults a container's resources fall back to, as quantities. */
export interface ResourceDefaults {
  readonly cpu: string;
  readonly cpuLimit: string;
  readonly memory: string;
  readonly memoryLimit: string;
  readonly storage?: string;
  readonly storageLimit?: string;
}

/** Requests and limits of a server container: the role's own props over the size preset. */
export function renderResources(owner: string, sizing: RoleSizing, resources: ContainerResources | undefined) {
  // The root filesystem is read-only, so ephemeral storage is the container's logs and the /tmp
  // emptyDir; the kubelet rotates logs at 50Mi by default.
  return containerResources(owner, { ...sizing, storage: '64Mi', storageLimit: '512Mi' }, resources);
}

/**
 * GOMEMLIMIT for a Go server under a memory limit: 90% of it, in whole MiB. The Go runtime does not
 * read the cgroup's memory limit: by GOGC alone it lets the heap grow to twice what is live before
 * it collects, so a server whose live heap passes half its limit (history's caches under load) is
 * OOM-killed instead of collecting harder. The 10% left is for what the runtime does not count.
 */
export function goMemoryLimit(limit: string): string | undefined {
  const q = parseQuantity(limit);
  if (!q || q.numerator <= 0n) return undefined;
  const mebibytes = (q.numerator * 9n) / (q.denominator * 10n * 1048576n);
  return mebibytes > 0n ? `${mebibytes}MiB` : undefined;
}

/*
 * The spellings the Go runtime reads from GOMEMLIMIT (runtime.parseByteCount): a byte count, or one
 * with a B, KiB, MiB, GiB or TiB suffix. It throws at start on any other (Kubernetes' 900Mi or 1G).
 * A leading `+` is left out: newer runtimes read it, the Go 1.25 runtime of the 1.30 images does not.
 */
const GO_BYTE_COUNT = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/;
const GO_UNIT_POWER: Record<string, bigint> = { B: 0n, KiB: 10n, MiB: 20n, GiB: 30n, TiB: 40n };
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * A role's own GOMEMLIMIT, checked against the container's memory `limit`. A value the runtime cannot
 * parse kills every pod at start (`malformed GOMEMLIMIT`); 0 makes the collector run without pause;
 * above the limit the kernel OOM-kills the pod before the runtime ever collects harder. `off`, the
 * empty value (the runtime's unset) and a value the kubelet expands from `$(...)` are left as given.
 */
export function checkGoMemoryLimit(owner: string, value: string | undefined, limit: string): void {
  if (value === undefined || value === '' || value === 'off' || value.includes('$')) return;
  const prop = 'env["GOMEMLIMIT"]';
  const match = GO_BYTE_COUNT.exec(value);
  const bytes = match ? BigInt(match[1]) << GO_UNIT_POWER[match[2] ?? 'B'] : undefined;
  if (bytes === undefined || bytes > MAX_INT64) {
    throw propError(owner, prop, value, 'a byte count the Go runtime reads: digits, optionally followed by B, KiB, MiB, GiB or TiB (such as "900MiB"), or "off"',
      'The runtime refuses any other spelling at start (malformed GOMEMLIMIT), so every pod of the role would crash-loop: Kubernetes\' Mi, Gi, M and G are not Go\'s. '
      + 'Leave it out for the library\'s 90% of the memory limit.');
  }
  const q = parseQuantity(limit)!;
  if (bytes === 0n || bytes * q.denominator > q.numerator) {
    throw propError(owner, prop, value, `more than 0 and at most the container's memory limit (${limit})`,
      'At 0 the collector runs without pause; above the limit the kernel OOM-kills the pod before the runtime collects harder. '
      + 'Leave it out for the library\'s 90% of the memory limit, or raise resources.memory.limit.');
  }
}

/**
 * Requests and limits from cdk8s-plus `ContainerResources` over defaults: every CPU amount a valid
 * quantity, every size rendered exactly, and every request at most its limit, compared exactly.
 */
export function containerResources(owner: string, defaults: ResourceDefaults, resources: ContainerResources | undefined, prefix = 'resources') {
  // From plain JS, resources: 'large' had no cpu or memory: it was ignored without a word, for the defaults.
  checkOptionsObject(owner, prefix, resources, { expected: '{ cpu, memory } of cdk8s-plus-27 ContainerResources' });
  const cpu = resources?.cpu;
  const memory = resources?.memory;
  const storage = resources?.ephemeralStorage;
  // From plain JS, cpu: { limit: '2' } (a string, not a Cpu) has no amount: it was left out without a word, for the preset's.
  if (cpu !== undefined && (cpu === null || typeof cpu !== 'object')) throw propError(owner, `${prefix}.cpu`, cpu, '{ request, limit } of Cpu values from cdk8s-plus-27');
  const cpuOf = (prop: 'request' | 'limit', fallback: string) => {
    const given = cpu?.[prop];
    if (given === undefined) return fallback;
    if (typeof given?.amount !== 'string') throw propError(owner, `${prefix}.cpu.${prop}`, given, 'a Cpu from cdk8s-plus-27, such as Cpu.millis(500) or Cpu.units(2)');
    return requireQuantity(owner, `${prefix}.cpu.${prop}`, given.amount, 'a CPU amount');
  };
  const sizeOf = (prop: string, size: Parameters<typeof renderSize>[2] | undefined, fallback: string) =>
    size === undefined ? fallback : renderSize(owner, `${prefix}.${prop}`, size);
  const requests: Record<string, string> = {
    'cpu': cpuOf('request', defaults.cpu),
    'memory': sizeOf('memory.request', memory?.request, defaults.memory),
    ...(defaults.storage !== undefined ? { 'ephemeral-storage': sizeOf('ephemeralStorage.request', storage?.request, defaults.storage) } : {}),
  };
  const limits: Record<string, string> = {
    'cpu': cpuOf('limit', defaults.cpuLimit),
    'memory': sizeOf('memory.limit', memory?.limit, defaults.memoryLimit),
    ...(defaults.storageLimit !== undefined ? { 'ephemeral-storage': sizeOf('ephemeralStorage.limit', storage?.limit, defaults.storageLimit) } : {}),
  };
  const props: Record<string, string> = { 'cpu': 'cpu', 'memory': 'memory', 'ephemeral-storage': 'ephemeralStorage' };
  for (const resource of Object.keys(limits)) {
    if (requests[resource] === undefined) continue;
    if (compareQuantities(parseQuantity(limits[resource])!, parseQuantity(requests[resource])!) < 0) {
      const what = resource === 'cpu' ? 'CPU' : resource;
      throw propError(owner, `${prefix}.${props[resource]}.limit`, limits[resource], `at least the ${what} request (${requests[resource]})`);
    }
  }
  const toQuantities = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Quantity.fromString(v)]));
  return { requests: toQuantities(requests), limits: toQuantities(limits) };
}
