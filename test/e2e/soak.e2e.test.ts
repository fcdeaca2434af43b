/*
 * The short soak (see soak.ts): a cluster with two pods per role under about 70% of the workflow
 * rate this machine sustains, through a rolling restart of every Deployment, a SIGKILL of a history
 * pod and a PostgreSQL restart. `npm run soak` runs the long one and prints the same tables.
 */
import { E2eEnvironment, MINUTE } from './harness';
import { formatReport, runSoak, SHORT_SOAK, SoakReport } from './soak';

const env = E2eEnvironment.setUp();

/**
 * How long after a fault has ended throughput may stay below 90% of its pre-fault rate: history's
 * minReadySeconds, the time the library's own rollout gives the ring and the shards to settle
 * after one change. Measured: 5 to 11 s after a history SIGKILL or a PostgreSQL restart, and
 * within the rolling restart itself (see the README's table).
 */
const SETTLE_MS = 30_000;

describe('the short soak', () => {
  let report: SoakReport;

  beforeAll(async () => {
    report = await runSoak(env, SHORT_SOAK);
    console.log(formatReport(report));
  }, 25 * MINUTE);

  it('injected every fault of the profile under load', () => {
    expect(report.faults.map((f) => f.fault)).toEqual(SHORT_SOAK.faults);
    expect(report.loadRate).toBeGreaterThan(0);
    for (const f of report.faults) expect([f.fault, f.figures.during.started + f.figures.after.started]).toEqual([f.fault, expect.any(Number)]);
  });

  it('loses no workflow in any fault: every workflow the server has completed', () => {
    expect(report.workflows).toBeGreaterThan(0);
    expect(report.lost.map((r) => `${r.id}: ${r.finalStatus}`)).toEqual([]);
  });

  it('runs each activity attempt once, and every completed workflow\'s activity at least once', () => {
    expect(report.executions.completed).toBeGreaterThan(0);
    expect(report.executions.missing).toEqual([]);
    expect(report.executions.duplicates).toEqual([]);
    expect(report.executions.phantom).toEqual([]);
  });

  it('retries an activity only where at-least-once delivery allows it: in a fault or an overloaded ramp step, never in quiet load', () => {
    // The activity never fails, so a second attempt means the first did not report back within its
    // 10 s start-to-close timeout (a completion or a task lost with a connection, or a worker
    // too busy); the server then runs it again, as at-least-once promises.
    const sustainedSteps = report.ramp.filter((s) => s.sustained).map((s) => `ramp ${s.rate}/s`);
    expect(report.activityRetries.filter((r) => r.during === 'a quiet period' || sustainedSteps.includes(r.during))).toEqual([]);
  });

  it('fails no client call during the rolling restart', () => {
    const rolling = report.faults.find((f) => f.fault === 'rolling-restart')!;
    expect(rolling.failedCalls).toEqual({});
  });

  it('comes back to 90% of its throughput within SETTLE_MS of the end of each fault', () => {
    for (const f of report.faults) {
      const bound = f.during.to - f.during.from + SETTLE_MS;
      expect([f.fault, f.throughput.recoveryMs !== undefined && f.throughput.recoveryMs <= bound]).toEqual([f.fault, true]);
    }
  });
});
