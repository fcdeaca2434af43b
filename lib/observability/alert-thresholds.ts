// The alerts' thresholds and roles, checked where the props are read (temporal-alerts.ts).
import { Duration } from 'cdk8s';
import { requireOperationName } from './promql';
import { NEXUS_OPERATION_PREFIXES, SERVER_OPERATIONS } from './server-operations';
import { durationMillis, propError, shownDuration } from '../validation';
import { nearestKey } from '../validation/prop-keys';

/**
 * The largest finite bucket of the server's timers (seconds). histogram_quantile never returns
 * more than this, so a threshold at or above it could never fire.
 */
export const LARGEST_TIMER_BUCKET_SECONDS = 1000;

export function requireRatio(owner: string, prop: string, value: number): number {
  return requireNumber(owner, prop, value, { min: 0, max: 1, exclusive: true });
}

export function requireNumber(owner: string, prop: string, value: number, range: { min: number; max?: number; exclusive?: boolean }): number {
  const { min, max, exclusive } = range;
  const ok = typeof value === 'number' && Number.isFinite(value)
    && (exclusive ? value > min : value >= min) && (max === undefined || (exclusive ? value < max : value <= max));
  if (!ok) {
    const lower = exclusive ? `above ${min}` : `at least ${min}`;
    throw propError(owner, prop, value, `a number ${lower}${max === undefined ? '' : ` and below ${max}`}`);
  }
  return value;
}

export function requireLatency(owner: string, prop: string, value: Duration): Duration {
  const ms = durationMillis(owner, prop, value);
  // Whole milliseconds: the rule writes the threshold from toMilliseconds(), which refuses a fraction.
  if (ms === undefined || !Number.isInteger(ms) || !(ms > 0) || ms >= LARGEST_TIMER_BUCKET_SECONDS * 1000) {
    throw propError(owner, prop, shownDuration(ms),
      `a duration above 0 and below ${LARGEST_TIMER_BUCKET_SECONDS}s, in whole milliseconds`,
      `The server's largest finite timer bucket is ${LARGEST_TIMER_BUCKET_SECONDS}s, so the quantile never goes higher.`);
  }
  return value;
}

/** The server's service names (primitives.ServiceName), the `service_name` of each role's series. */
const SERVICE_NAMES = ['frontend', 'internal-frontend', 'history', 'matching', 'worker'];

/** The roles TemporalMetricsAbsent watches one by one: service names, each once. */
export function requireRoles(owner: string, roles: string[] | undefined): string[] {
  if (roles === undefined) return [];
  if (!Array.isArray(roles)) throw propError(owner, 'roles', roles, 'a list of server roles such as [\'frontend\', \'history\']');
  // Array.from visits a sparse list's holes, which forEach skips and the alert would write as a role.
  const list = Array.from(roles);
  list.forEach((r, i) => {
    if (!SERVICE_NAMES.includes(r) || list.indexOf(r) !== i) {
      throw propError(owner, `roles[${i}]`, r, `one of ${SERVICE_NAMES.join(', ')}, each once`, 'The server labels each role\'s series with its service name.');
    }
  });
  return list;
}

/**
 * An operation the latency alert leaves out: one the server gives its service_latency series. A
 * misspelt one matches no series, so the alert keeps the operation it meant to leave out.
 */
export function requireExcludedOperation(owner: string, prop: string, value: string): string {
  requireOperationName(owner, prop, value);
  if (SERVER_OPERATIONS.has(value) || NEXUS_OPERATION_PREFIXES.some((p) => value.startsWith(p) && value.length > p.length)) return value;
  // The method of the operator or admin service, which the server records with the service's name before it.
  const near = [`Operator${value}`, `Admin${value}`].find((op) => SERVER_OPERATIONS.has(op)) ?? nearestKey(value, [...SERVER_OPERATIONS]);
  throw propError(owner, prop, value, 'an operation the server records on service_latency: a gRPC method name, Admin or Operator methods with that prefix',
    `${near ? `Did you mean "${near}"? ` : ''}A name no series carries excludes nothing, so the alert would still fire on the operation meant.`);
}
