/*
 * The short soak (see soak.ts): a cluster with two pods per role under about 70% of the workflow
 * rate this machine sustains, through a rolling restart of every Deployment, a SIGKILL of a history
 * pod and a PostgreSQL restart. `npm run soak` runs the long one and prints the same tables.
 */
import { E2eEnvironment, MINUTE } from './harness';
import { formatReport, runSoak, SHORT_SOAK, SoakReport } from './soak';

const env = E2eEnvironment.setUp();

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

  it('fails no client call during the rolling restart', () => {
    const rolling = report.faults.find((f) => f.fault === 'rolling-restart')!;
    expect(rolling.failedCalls).toEqual({});
  });
});
