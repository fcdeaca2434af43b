// The soak's arithmetic (test/e2e/soak-stats.ts), checked offline: the soak's assertions rest on it.
import type { WorkflowRecord } from './e2e/load';
import { auditExecutions, countFailures, lostWorkflows, percentile, phaseFigures, throughputImpact } from './e2e/soak-stats';

/** Ten workflows a second from `from` to `to` (s), each completing `e2e` ms after its start call, except where `gap` says none completes. */
function steady(from: number, to: number, e2e = 1_000, gap?: { from: number; to: number }): WorkflowRecord[] {
  const records: WorkflowRecord[] = [];
  for (let tenth = from * 10; tenth < to * 10; tenth++) {
    const at = tenth * 100;
    const stalled = gap && at + e2e >= gap.from * 1000 && at + e2e < gap.to * 1000;
    records.push({ id: `w${at}`, dueAt: at, startCallAt: at, startedAt: at + 10, completedAt: stalled ? undefined : at + e2e, finalStatus: stalled ? 'RUNNING' : 'COMPLETED' });
  }
  return records;
}

describe('percentile', () => {
  it('takes the nearest rank, and nothing of no values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('phaseFigures', () => {
  it('counts only the workflows whose start call was made in the window', () => {
    const records = steady(0, 20);
    const f = phaseFigures(records, { from: 5_000, to: 10_000 });
    expect(f.started).toBe(50);
    expect(f.startP99).toBe(10);
    expect(f.e2eP50).toBe(1_000);
  });
});

describe('throughputImpact', () => {
  it('finds no dip and no recovery time in steady load', () => {
    const t = throughputImpact(steady(0, 60), { from: 10_000, to: 20_000 }, { from: 20_000, to: 30_000 }, { from: 30_000, to: 55_000 });
    expect(t.preRate).toBeCloseTo(10, 0);
    expect(t.dipPercent).toBeLessThanOrEqual(5);
    expect(t.recoveryMs).toBe(0);
    expect(t.belowMs).toBe(0);
  });

  it('measures a stall: the dip to nothing, and the recovery from the fault start to the last window below 90%', () => {
    // Nothing completes from 25 s to 30 s; the fault starts at 20 s.
    const t = throughputImpact(steady(0, 60, 1_000, { from: 25, to: 30 }), { from: 10_000, to: 20_000 }, { from: 20_000, to: 26_000 }, { from: 26_000, to: 55_000 });
    // The emptiest 5 s window still holds the completion at its very end.
    expect(t.minRate).toBeLessThanOrEqual(0.2);
    expect(t.dipPercent).toBeGreaterThanOrEqual(98);
    // Below 90% while the 5 s trailing window still holds part of the stall: until about 34.5 s.
    expect(t.recoveryMs).toBeGreaterThanOrEqual(14_000);
    expect(t.recoveryMs).toBeLessThanOrEqual(15_000);
    // The stall (5 s) plus the window's lag: between 5 and 10 s below 90% in all.
    expect(t.belowMs).toBeGreaterThanOrEqual(5_000);
    expect(t.belowMs).toBeLessThanOrEqual(10_000);
  });

  it('reports no recovery when the rate is still down at the end', () => {
    const t = throughputImpact(steady(0, 60, 1_000, { from: 40, to: 100 }), { from: 10_000, to: 20_000 }, { from: 20_000, to: 30_000 }, { from: 30_000, to: 55_000 });
    expect(t.recoveryMs).toBeUndefined();
  });
});

describe('countFailures', () => {
  it('counts by call and code within the window only', () => {
    const f = (at: number, code: string) => ({ at, call: 'start', code, message: '' });
    expect(countFailures([f(1, 'UNAVAILABLE'), f(2, 'UNAVAILABLE'), f(3, 'DEADLINE_EXCEEDED'), f(10, 'UNAVAILABLE')], { from: 0, to: 5 }))
      .toEqual({ 'start UNAVAILABLE': 2, 'start DEADLINE_EXCEEDED': 1 });
  });
});

describe('auditExecutions and lostWorkflows', () => {
  const record = (id: string, finalStatus: string): WorkflowRecord => ({ id, dueAt: 0, startCallAt: 0, finalStatus });

  it('tells a duplicated attempt, a retried one, a missing one and one for a workflow that never started', () => {
    const records = [record('ok', 'COMPLETED'), record('dup', 'COMPLETED'), record('retry', 'COMPLETED'), record('none', 'COMPLETED'), record('ghost', 'NOT_FOUND')];
    const runs = new Map([
      ['ok', [{ at: 1, attempt: 1 }]],
      ['dup', [{ at: 1, attempt: 1 }, { at: 2, attempt: 1 }]],
      ['retry', [{ at: 1, attempt: 1 }, { at: 12, attempt: 2 }]],
      ['ghost', [{ at: 1, attempt: 1 }]],
    ]);
    const audit = auditExecutions(records, runs);
    expect(audit.completed).toBe(4);
    expect(audit.duplicates).toEqual(['dup']);
    expect(audit.retried.map((r) => r.id)).toEqual(['retry']);
    expect(audit.missing).toEqual(['none']);
    expect(audit.phantom).toEqual(['ghost']);
  });

  it('counts as lost every workflow the server has that did not complete, not one whose start created nothing', () => {
    const lost = lostWorkflows([record('a', 'COMPLETED'), record('b', 'TIMED_OUT'), record('c', 'NOT_FOUND'), record('d', 'RUNNING'), { id: 'e', dueAt: 0, startCallAt: 0 }]);
    expect(lost.map((r) => r.id)).toEqual(['b', 'd', 'e']);
  });
});
