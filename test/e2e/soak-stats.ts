/*
 * The soak's figures, computed from the load generator's records after the run: latency
 * percentiles per window, failed calls by type, the throughput dip a fault causes and how long the
 * cluster takes to come back. Pure functions of the records, so they can be checked on their own.
 */
import type { CallFailure, WorkflowRecord } from './load';

export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/** The `p`th percentile (0-100) by nearest rank, or undefined for no values. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Latency figures of the workflows whose start call was made in a window. */
export interface PhaseFigures {
  readonly started: number;
  readonly startP50?: number;
  readonly startP99?: number;
  readonly e2eP50?: number;
  readonly e2eP99?: number;
}

export function phaseFigures(records: WorkflowRecord[], w: TimeWindow): PhaseFigures {
  const inWindow = records.filter((r) => r.startCallAt >= w.from && r.startCallAt < w.to);
  const starts = inWindow.filter((r) => r.startedAt !== undefined).map((r) => r.startedAt! - r.startCallAt);
  const e2e = inWindow.filter((r) => r.completedAt !== undefined).map((r) => r.completedAt! - r.startCallAt);
  return { started: starts.length, startP50: percentile(starts, 50), startP99: percentile(starts, 99), e2eP50: percentile(e2e, 50), e2eP99: percentile(e2e, 99) };
}

/** Failures in a window, counted by `call code`. */
export function countFailures(failures: CallFailure[], w: TimeWindow): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of failures) {
    if (f.at < w.from || f.at >= w.to) continue;
    const key = `${f.call} ${f.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Workflows completed per second over the `windowMs` before `at`. */
export function completionRate(completions: number[], at: number, windowMs: number): number {
  let n = 0;
  for (const c of completions) if (c > at - windowMs && c <= at) n++;
  return n / (windowMs / 1000);
}

export interface ThroughputImpact {
  /** Completions per second before the fault. */
  readonly preRate: number;
  /** The lowest completion rate (over `windowMs`) from the fault on. */
  readonly minRate: number;
  /** How far below the pre-fault rate it fell, in percent (0 when it never fell). */
  readonly dipPercent: number;
  /**
   * From the fault's start to the last moment the rate was below 90% of the pre-fault rate (0
   * when it never was), in ms; undefined when it was still below at the end of `after`.
   */
  readonly recoveryMs?: number;
  /** How long in all the rate was below 90% of the pre-fault rate, from the fault's start to the end of `after`. */
  readonly belowMs: number;
}

/**
 * The throughput dip of a fault injected during `during` and watched until `after` ends, against
 * the rate in `before`. The rate is the completion count over a trailing `windowMs` window,
 * sampled every 250 ms; so a dip shorter than the window shows shallower than it was and the
 * recovery time includes up to one window of lag.
 */
export function throughputImpact(records: WorkflowRecord[], before: TimeWindow, during: TimeWindow, after: TimeWindow, windowMs = 5_000): ThroughputImpact {
  const completions = records.filter((r) => r.completedAt !== undefined).map((r) => r.completedAt!);
  const preRate = completions.filter((c) => c >= before.from && c < before.to).length / ((before.to - before.from) / 1000);
  let minRate = Infinity;
  let lastBelow: number | undefined;
  let belowMs = 0;
  for (let t = during.from + 250; t <= after.to; t += 250) {
    const rate = completionRate(completions, t, windowMs);
    minRate = Math.min(minRate, rate);
    if (rate < 0.9 * preRate) {
      lastBelow = t;
      belowMs += 250;
    }
  }
  if (minRate === Infinity) minRate = preRate;
  const stillBelow = lastBelow !== undefined && lastBelow > after.to - 1_000;
  return {
    preRate,
    minRate,
    dipPercent: preRate > 0 ? Math.max(0, Math.round((1 - minRate / preRate) * 100)) : 0,
    recoveryMs: stillBelow ? undefined : lastBelow === undefined ? 0 : lastBelow - during.from,
    belowMs,
  };
}

/** Activity executions checked against what each workflow should have run. */
export interface ExecutionAudit {
  /** Workflows that completed. */
  readonly completed: number;
  /** Completed workflows whose activity never ran (must be none). */
  readonly missing: string[];
  /** Workflows where one attempt of the activity ran more than once (must be none). */
  readonly duplicates: string[];
  /** Workflows whose activity ran a second attempt: retried by the server after an attempt it did not see finish. */
  readonly retried: Array<{ id: string; attempts: number; firstAt: number }>;
  /** Workflows that never started (their start failed and the server has no such workflow) but whose activity ran. */
  readonly phantom: string[];
}

export function auditExecutions(records: WorkflowRecord[], executions: Map<string, Array<{ at: number; attempt: number }>>): ExecutionAudit {
  const missing: string[] = [];
  const duplicates: string[] = [];
  const retried: ExecutionAudit['retried'] = [];
  const phantom: string[] = [];
  let completed = 0;
  for (const r of records) {
    const runs = executions.get(r.id) ?? [];
    if (r.finalStatus === 'NOT_FOUND' && runs.length > 0) phantom.push(r.id);
    if (r.finalStatus !== 'COMPLETED') continue;
    completed++;
    if (runs.length === 0) missing.push(r.id);
    const attempts = runs.map((x) => x.attempt);
    if (new Set(attempts).size !== attempts.length) duplicates.push(r.id);
    if (Math.max(0, ...attempts) > 1) retried.push({ id: r.id, attempts: Math.max(...attempts), firstAt: runs[0].at });
  }
  return { completed, missing, duplicates, retried, phantom };
}

/** Workflows the cluster lost: started (or found on the server) but not completed. */
export function lostWorkflows(records: WorkflowRecord[]): WorkflowRecord[] {
  return records.filter((r) => r.finalStatus !== 'COMPLETED' && r.finalStatus !== 'NOT_FOUND');
}

/** A plain-text table with a header row, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Milliseconds as a short human figure: 850 ms, 1.2 s, 95 s. */
export function ms(value: number | undefined): string {
  if (value === undefined) return '-';
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 10_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value / 1000)} s`;
}
