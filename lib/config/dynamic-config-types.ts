import { serverDurationNs } from './go-duration';
import { propError } from '../validation';

// The value types of the server's dynamic config registry, as its converters read them.

const TYPE_CHECKS: Record<string, { ok: (v: unknown) => boolean; expected: string }> = {
  int: { ok: (v) => Number.isSafeInteger(v), expected: 'an integer' },
  float: { ok: (v) => typeof v === 'number' && Number.isFinite(v), expected: 'a number' },
  bool: { ok: (v) => typeof v === 'boolean', expected: 'true or false' },
  duration: {
    ok: (v) => serverDurationNs(v) !== undefined,
    expected: 'a duration: a Go duration string such as "30s", "1h30m" or "2d", or a number of seconds, within Go\'s longest duration (about 292 years)',
  },
  string: { ok: (v) => typeof v === 'string', expected: 'a string' },
  map: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), expected: 'a map' },
};

/** A value of the key's type in the registry (the server would log an error and use its default otherwise), within what the key means. */
export function checkValueType(key: string, type: string | undefined, value: unknown): void {
  const check = type === undefined ? undefined : TYPE_CHECKS[type];
  if (check && !check.ok(value)) {
    throw propError('DynamicConfigValue', `value of ${key}`, value, `${check.expected} (the key's type is ${type})`,
      'The server cannot convert another type, logs an error and keeps its default.');
  }
  checkValueBounds(key, type, value);
}

/**
 * A duration value in milliseconds as the server's convertDuration reads it, or undefined for one
 * it cannot convert, where it logs an error and keeps its default: the reader of the type check.
 */
export function serverDurationMs(value: unknown): number | undefined {
  const ns = serverDurationNs(value);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}

/*
 * Keys named for a rate: a segment ending in RPS or QPS (frontend.rps, frontend.namespaceRPS.visibility,
 * history.persistenceMaxQPS; not their burst ratios). The v1.32.2 server gives a negative rate no
 * meaning of its own, only 0's: its rate limiters clamp the burst to 0 (quotas.NewDefaultRateBurst)
 * and x/time/rate admits nothing at a negative limit, so on a limit that applies as it is, -1 (the
 * usual spelling of "no limit") refuses every request, stalls the queue or the scanner it paces.
 */
const RATE_KEY = /(rps|qps)(\.[a-z]+)?$/i;

/*
 * The rates the server reads as not set at 0 and below, where another limit or a default applies,
 * so -1 says "unset" there and is taken: the cluster-wide half of a limit (calculator.getQuota and
 * the shard-ownership scaling use it only above 0; frontend.globalNamespaceWorkerDeploymentReadRPS
 * has no host half and is not one), the namespace limits that fall back to the host's
 * (persistence/client/quotas.go, history's and matching's fx.go), the task scheduler's, which fall
 * back to persistence's (queues/scheduler_quotas.go), and the delete-namespace rate (a default).
 */
const UNSET_AT_ZERO = new Set([
  ...['frontend', 'history', 'matching', 'worker'].flatMap((s) => ['persistenceGlobalMaxQPS', 'persistenceGlobalNamespaceMaxQPS', 'persistenceNamespaceMaxQPS'].map((k) => `${s}.${k}`)),
  'frontend.globalRPS', 'frontend.globalNamespaceRPS', 'frontend.globalNamespaceRPS.visibility', 'frontend.globalNamespaceRPS.namespaceReplicationInducingAPIs',
  'internal-frontend.globalNamespaceRPS', 'internal-frontend.globalNamespaceRPS.visibility', 'worker.adminBatcherGlobalRPS',
  'history.taskSchedulerGlobalMaxQPS', 'history.taskSchedulerGlobalNamespaceMaxQPS', 'history.taskSchedulerMaxQPS', 'history.taskSchedulerNamespaceMaxQPS',
  'history.namespaceRPS', 'matching.namespaceRPS', 'history.persistencePerShardNamespaceMaxQPS', 'frontend.deleteNamespaceDeleteActivityRPS',
]);

/** A value within what the key means: a rate that applies as it is is never negative. `key` is the registry's spelling. */
export function checkValueBounds(key: string, type: string | undefined, value: unknown): void {
  if ((type === 'int' || type === 'float') && RATE_KEY.test(key) && !UNSET_AT_ZERO.has(key) && typeof value === 'number' && value < 0) {
    throw propError('DynamicConfigValue', `value of ${key}`, value, 'a rate of at least 0 (per second)',
      'The server reads a negative rate as 0, and this limit applies as it is: it would refuse every request or stall what it paces. '
      + '-1 does not mean unlimited; to lift the limit, give a rate above any load, or leave the key out for the server\'s default.');
  }
}
