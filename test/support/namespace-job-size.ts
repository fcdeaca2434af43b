import { Duration, Testing } from 'cdk8s';
import { cluster, testChart } from './synth';
import { TemporalNamespace } from '../../lib';

/** A cluster with one namespace whose description is `unit` repeated `count` times. */
export function withDescription(unit: string, count: number, extra: TemporalNamespace[] = []) {
  const chart = testChart();
  const c = cluster(chart, { namespaces: [{ name: 'a', retention: Duration.days(1), description: unit.repeat(count) }, ...extra] });
  return { chart, c };
}

/** Whether the app with that description synthesizes (its validations pass). */
export function accepted(unit: string, count: number): boolean {
  try {
    Testing.synth(withDescription(unit, count).chart);
    return true;
  } catch (e) {
    if (!/namespaces is .*once applied with kubectl apply \(client-side\)|bytes of Job arguments|bytes JSON-escaped/.test((e as Error).message)) throw e;
    return false;
  }
}

/** The longest description of `unit` repeated that synthesizes: accepted at the result, refused one unit more. */
export function longestAccepted(unit: string): number {
  let low = 0;
  let high = 300_000;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (accepted(unit, mid)) low = mid; else high = mid;
  }
  return low;
}
