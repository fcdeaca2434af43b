/*
 * The soak: a cluster of the e2e app with several pods per role, run by the runner with its kubelet
 * model on (probes at their periods, restarts, rollouts by the Deployments' strategies), clients
 * and workers going through the frontend Service's proxy as they would through kube-proxy. It
 * finds the workflow rate the machine sustains, then runs at a fraction of it while it injects
 * faults one after the other, with quiet periods around each, and works out the figures.
 *
 * Shared by the short soak in the e2e suite (soak.e2e.test.ts) and `npm run soak` (scripts/soak.ts).
 */
import { Connection } from '@temporalio/client';
import { E2eEnvironment, NAMESPACE, registerNamespace, UpOptions } from './harness';
import { CallFailure, LoadGenerator, SlowWorkflow, WorkflowRecord } from './load';
import { ClusterRunner, RolloutReport, RunnerEvent } from './runner';
import {
  auditExecutions, countFailures, ExecutionAudit, lostWorkflows, ms, phaseFigures, PhaseFigures, table, throughputImpact,
  ThroughputImpact, TimeWindow,
} from './soak-stats';
import { ClusterLock, TemporalVersion } from '../../lib';
import { delay } from '../support/processes';

export const SOAK_TASK_QUEUE = 'soak';

/** A fault the soak injects: a rolling restart of every Deployment, a SIGKILL of one pod of a role, a PostgreSQL restart. */
export type FaultKind = 'rolling-restart' | `kill ${'frontend' | 'history' | 'matching' | 'worker'}` | 'postgres-restart' | 'upgrade';

export interface SoakProfile {
  readonly name: string;
  /** Pods of every role. */
  readonly replicas: number;
  /**
   * History shards. A history pod reports SERVING only once it owns a shard, so with few shards a
   * rollout's surge pod can own none by the hash ring's luck (with 8 shards and 3 pods about one
   * time in 25) and never become ready, which stalls a `maxUnavailable: 0` rollout for good.
   */
  readonly numHistoryShards: number;
  /** The workflow's timer. */
  readonly timerMs: number;
  /** Rates tried in turn to find the one the machine sustains; the first that fails ends the search. */
  readonly rampRates: number[];
  readonly rampStepMs: number;
  /** A rate sustains when the p99 end-to-end latency of its workflows stays within this, and nothing fails. */
  readonly sustainedE2eP99Ms: number;
  /** The fraction of the sustained rate the faults run under. */
  readonly loadFraction: number;
  /** Quiet load before each fault (the "before" window) and after it (the "after" window). */
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly faults: FaultKind[];
  readonly postgresDownMs: number;
  /** @default 2 */
  readonly workers?: number;
  /**
   * Run the faults at this rate instead of searching for one (to compare settings at one rate).
   * @default - loadFraction of the rate the ramp finds
   */
  readonly fixedRate?: number;
  /**
   * Settings of the app that differ from the library's defaults, to measure what a setting buys.
   * @default - the library's defaults
   */
  readonly app?: Pick<UpOptions, 'shutdown'>;
}

/**
 * The release the upgrade fault starts from: the newest known patch of the minor before the
 * default release's, as the upgrade e2e test does it.
 */
export function upgradeFrom(): string {
  const to = TemporalVersion.of(TemporalVersion.DEFAULT);
  const candidates = TemporalVersion.known().filter((v) => {
    try {
      const t = TemporalVersion.of(v);
      return t.major === to.major && t.minor === to.minor - 1;
    } catch {
      return false;
    }
  });
  const from = candidates.sort((a, b) => TemporalVersion.of(a).compare(TemporalVersion.of(b))).pop();
  if (!from) throw new Error(`no known release of ${to.major}.${to.minor - 1} to upgrade from`);
  return from;
}

/** The short soak of the e2e suite: a few minutes. */
export const SHORT_SOAK: SoakProfile = {
  name: 'short',
  replicas: 2,
  numHistoryShards: 64,
  timerMs: 1_000,
  // Capped at 10/s: CI runs at most the 7/s the figures were taken at, whatever the machine's load.
  rampRates: [5, 10],
  rampStepMs: 15_000,
  sustainedE2eP99Ms: 4_000,
  loadFraction: 0.7,
  beforeMs: 15_000,
  afterMs: 20_000,
  faults: ['rolling-restart', 'kill history', 'postgres-restart'],
  postgresDownMs: 5_000,
};

/** `npm run soak`: every fault, a finer search for the rate, longer quiet periods. */
export const LONG_SOAK: SoakProfile = {
  name: 'long',
  replicas: 2,
  numHistoryShards: 64,
  timerMs: 1_000,
  rampRates: [5, 10, 15, 20, 25, 30, 40, 50],
  rampStepMs: 30_000,
  sustainedE2eP99Ms: 4_000,
  loadFraction: 0.7,
  beforeMs: 30_000,
  afterMs: 45_000,
  faults: ['rolling-restart', 'kill frontend', 'kill history', 'kill matching', 'kill worker', 'postgres-restart', 'upgrade'],
  postgresDownMs: 5_000,
};

export interface RampStep {
  readonly rate: number;
  readonly achievedStartRate: number;
  readonly figures: PhaseFigures;
  readonly failures: number;
  readonly sustained: boolean;
}

export interface FaultResult {
  readonly fault: FaultKind;
  readonly before: TimeWindow;
  readonly during: TimeWindow;
  readonly after: TimeWindow;
  readonly figures: { before: PhaseFigures; during: PhaseFigures; after: PhaseFigures };
  /** Client calls that failed for good from the fault's start to the end of the after window. */
  readonly failedCalls: Record<string, number>;
  /** The same calls one by one, with when each failed and the server's message: what a flake's diagnosis starts from. */
  readonly failures: CallFailure[];
  /** Attempts the SDK retried (and so hid) in the same span. */
  readonly retriedAttempts: Record<string, number>;
  readonly throughput: ThroughputImpact;
  /** What the fault did: rollout timings, pods killed and back. */
  readonly notes: string[];
  /** Activity attempts beyond the first that began in the same span. */
  readonly activityRetries: number;
}

export interface SoakReport {
  readonly profile: SoakProfile;
  readonly ramp: RampStep[];
  readonly sustainedRate: number;
  readonly loadRate: number;
  readonly faults: FaultResult[];
  readonly workflows: number;
  readonly lost: WorkflowRecord[];
  readonly executions: ExecutionAudit;
  readonly startsShed: number;
  readonly durationMs: number;
  readonly events: RunnerEvent[];
  /** Workflows started and completed in each second since `startedAt`, and failed client calls. */
  readonly timeline: { startedAt: number; started: number[]; completed: number[]; failed: number[] };
  /** The slowest workflows started in a fault (or its after window), and the step of their history that waited longest. */
  readonly slowest: SlowWorkflow[];
  /** Where each activity retry happened: the fault or ramp step whose span holds its second attempt. */
  readonly activityRetries: Array<{ id: string; at: number; attempts: number; during: string }>;
}

/** Brings the soak's cluster up on databases of its own and runs the profile against it. */
export async function runSoak(env: E2eEnvironment, profile: SoakProfile, log: (line: string) => void = console.log): Promise<SoakReport> {
  const began = Date.now();
  const generators: LoadGenerator[] = [];
  const faults: FaultResult[] = [];
  const events: RunnerEvent[] = [];
  const inPlace = profile.faults.filter((f) => f !== 'upgrade');
  const spans: Array<{ what: string; from: number; to: number }> = [];
  const slowest: SlowWorkflow[] = [];
  const { runner, load } = await soakCluster(env, profile, `soak_${profile.name}`, { ...profile.app }, log);
  generators.push(load);
  let ramp: RampStep[] = [];
  let sustained: number;
  let loadRate: number;
  try {
    if (profile.fixedRate === undefined) {
      ramp = await findRate(load, profile, log, spans);
      sustained = [...ramp].reverse().find((s) => s.sustained)?.rate ?? 0;
      if (sustained === 0) throw new Error(`soak: not even ${profile.rampRates[0]} workflows/s sustained; see the ramp above`);
      loadRate = Math.max(1, Math.round(sustained * profile.loadFraction * 10) / 10);
      log(`soak: sustained ${sustained} workflows/s; the faults run at ${loadRate}/s (${Math.round(profile.loadFraction * 100)}%)`);
    } else {
      sustained = profile.fixedRate / profile.loadFraction;
      loadRate = profile.fixedRate;
      log(`soak: the faults run at the fixed rate of ${loadRate}/s`);
    }
    load.setRate(loadRate);
    const pending: Array<() => FaultResult> = [];
    for (const fault of inPlace) pending.push(await underLoad(load, profile, fault, () => inject(fault, runner, env, profile), log));
    await finish(load, log);
    const inPlaceResults = pending.map((result) => result());
    faults.push(...inPlaceResults);
    slowest.push(...await load.slowest(10, inPlaceResults.map((f) => ({ from: f.during.from, to: f.after.to }))));
  } finally {
    events.push(...runner.events);
    await load.close();
    await runner.down();
  }
  if (profile.faults.includes('upgrade')) {
    // A cluster of its own on the previous minor, under the same rate, then the default release's
    // manifest applied over it through the same lock: new schema Jobs, then every Deployment rolls.
    const from = upgradeFrom();
    const lock = ClusterLock.inMemory();
    const scenario = `soak_${profile.name}_upgrade`;
    const old = await soakCluster(env, profile, scenario, { ...profile.app, version: from, lock }, log);
    generators.push(old.load);
    try {
      old.load.setRate(loadRate);
      const result = await underLoad(old.load, profile, 'upgrade', async () => {
        const next = env.manifest(scenario, { ...profile.app, lock, replicas: profile.replicas, numHistoryShards: profile.numHistoryShards });
        const reports = await old.runner.upgrade(next.yaml, next.tools);
        return [`${from} to ${next.tools.version}`, ...reports.map(describeRollout)];
      }, log);
      await finish(old.load, log);
      const upgraded = result();
      faults.push(upgraded);
      slowest.push(...await old.load.slowest(10, [{ from: upgraded.during.from, to: upgraded.after.to }]));
    } finally {
      events.push(...old.runner.events);
      await old.load.close();
      await old.runner.down();
    }
  }
  const records = generators.flatMap((g) => g.records);
  const executions = new Map(generators.flatMap((g) => [...g.executions]));
  const audit = auditExecutions(records, executions);
  for (const f of faults) spans.push({ what: f.fault, from: f.during.from, to: f.after.to });
  const activityRetries = audit.retried.map((r) => {
    const second = executions.get(r.id)!.find((x) => x.attempt > 1)!;
    return { id: r.id, at: second.at, attempts: r.attempts, during: spans.find((s) => second.at >= s.from && second.at < s.to)?.what ?? 'a quiet period' };
  });
  const second = (t: number) => Math.floor((t - began) / 1000);
  const series = (times: number[]) => {
    const out: number[] = [];
    for (const t of times) out[second(t)] = (out[second(t)] ?? 0) + 1;
    return Array.from(out, (n) => n ?? 0);
  };
  return {
    profile, ramp, sustainedRate: sustained, loadRate, faults, workflows: records.length, lost: lostWorkflows(records),
    executions: audit, startsShed: generators.reduce((n, g) => n + g.shed.length, 0), durationMs: Date.now() - began, events, activityRetries, slowest,
    timeline: {
      startedAt: began,
      started: series(records.flatMap((r) => (r.startedAt === undefined ? [] : [r.startedAt]))),
      completed: series(records.flatMap((r) => (r.completedAt === undefined ? [] : [r.completedAt]))),
      failed: series(generators.flatMap((g) => g.failures.map((f) => f.at))),
    },
  };
}

/** A cluster with the profile's pods per role, its namespace, and a load generator (at rate 0) on its frontend Service. */
async function soakCluster(env: E2eEnvironment, profile: SoakProfile, scenario: string, options: Pick<UpOptions, 'version' | 'lock' | 'shutdown'>, log: (line: string) => void):
Promise<{ runner: ClusterRunner; load: LoadGenerator }> {
  const began = Date.now();
  const runner = await env.up(scenario, { ...options, replicas: profile.replicas, numHistoryShards: profile.numHistoryShards, kubelet: true, maxReplicas: profile.replicas });
  try {
    const address = runner.serviceEndpoint('frontend');
    log(`soak: ${scenario} up in ${ms(Date.now() - began)}: ${runner.roleNames.map((r) => `${r} ${runner.pods(r).map((p) => p.ip).join(', ')}`).join('; ')}; `
      + `clients and workers use the frontend Service at ${address}`);
    const admin = await Connection.connect({ address });
    try {
      await registerNamespace(admin);
    } finally {
      await admin.close();
    }
    const load = await LoadGenerator.start({
      address, namespace: NAMESPACE, taskQueue: SOAK_TASK_QUEUE, timerMs: profile.timerMs, workflowTimeoutMs: 10 * 60_000, workers: profile.workers,
    });
    return { runner, load };
  } catch (err) {
    await runner.down();
    throw err;
  }
}

/**
 * A quiet `beforeMs`, the fault, a quiet `afterMs`; returns how to work out the fault's figures,
 * to be called once its workflows are done.
 */
async function underLoad(load: LoadGenerator, profile: SoakProfile, fault: FaultKind, act: () => Promise<string[]>, log: (line: string) => void): Promise<() => FaultResult> {
  await delay(profile.beforeMs);
  const injectedAt = Date.now();
  log(`soak: ${fault} at ${new Date(injectedAt).toISOString()}`);
  const notes = await act();
  const endedAt = Date.now();
  log(`soak: ${fault} done in ${ms(endedAt - injectedAt)}: ${notes.join('; ')}`);
  await delay(profile.afterMs);
  return () => faultResult({ fault, before: { from: injectedAt - profile.beforeMs, to: injectedAt }, during: { from: injectedAt, to: endedAt },
    after: { from: endedAt, to: endedAt + profile.afterMs }, notes }, load);
}

/** Stops the load, waits for its workflows, and asks the server about every one without a result. */
async function finish(load: LoadGenerator, log: (line: string) => void): Promise<void> {
  load.setRate(0);
  if (!(await load.drain(5 * 60_000))) log(`soak: ${load.inFlight} workflows still had no result 5 minutes after the load stopped`);
  await load.audit();
}

/** Runs each rate of the ramp for a step, lets its workflows finish, and keeps going while the rate holds. */
async function findRate(load: LoadGenerator, profile: SoakProfile, log: (line: string) => void, spans: Array<{ what: string; from: number; to: number }>): Promise<RampStep[]> {
  const steps: RampStep[] = [];
  for (const rate of profile.rampRates) {
    const from = Date.now();
    load.setRate(rate);
    await delay(profile.rampStepMs);
    load.setRate(0);
    const to = Date.now();
    await load.drain(60_000);
    spans.push({ what: `ramp ${rate}/s`, from, to: Date.now() });
    const inStep = load.records.filter((r) => r.startCallAt >= from && r.startCallAt < to);
    const figures = phaseFigures(load.records, { from, to });
    const failures = inStep.filter((r) => r.startError || r.resultError).length;
    const achievedStartRate = inStep.filter((r) => r.startedAt !== undefined).length / ((to - from) / 1000);
    const unfinished = inStep.filter((r) => r.completedAt === undefined).length;
    const sustained = failures === 0 && unfinished === 0 && achievedStartRate >= 0.95 * rate && (figures.e2eP99 ?? Infinity) <= profile.sustainedE2eP99Ms;
    steps.push({ rate, achievedStartRate, figures, failures, sustained });
    log(`soak: ramp ${rate}/s: ${achievedStartRate.toFixed(1)} started/s, start p99 ${ms(figures.startP99)}, end-to-end p50 ${ms(figures.e2eP50)} p99 ${ms(figures.e2eP99)}, `
      + `${failures} failed, ${unfinished} unfinished: ${sustained ? 'sustained' : 'not sustained'}`);
    if (!sustained) break;
  }
  return steps;
}

async function inject(fault: FaultKind, runner: ClusterRunner, env: E2eEnvironment, profile: SoakProfile): Promise<string[]> {
  if (fault === 'rolling-restart') {
    // Every Deployment at once, as a change of the shared config (its checksum annotation) or
    // `kubectl rollout restart` of them all rolls them; each by its own strategy.
    const reports = await Promise.all(runner.roleNames.map((role) => runner.rollout(role)));
    return reports.map(describeRollout);
  }
  if (fault === 'postgres-restart') {
    const { stoppedAt, startedAt } = await env.postgres.restart(profile.postgresDownMs);
    return [`PostgreSQL down for ${ms(startedAt - stoppedAt)}`];
  }
  const role = fault.slice('kill '.length);
  const pod = runner.pods(role).find((p) => p.ready && !p.terminating);
  if (!pod) throw new Error(`soak: no ready ${role} pod to kill`);
  const killedAt = Date.now();
  await runner.kill(role, pod.name);
  const readyAt = await runner.waitReady(pod.name, killedAt);
  return [`SIGKILL of ${pod.name}; the kubelet model restarted it and it was ready again after ${ms(readyAt - killedAt)}`];
}

function describeRollout(r: RolloutReport): string {
  const drains = r.terminated.map((t) => `${ms(t.exitedAfterMs)}${t.killedAfterGrace ? ' (SIGKILL after the grace period)' : ''}`).join(', ');
  return `${r.deployment}: new pods available after ${ms(r.availableAt - r.startedAt)}, old pods gone after ${ms(r.endedAt - r.startedAt)} (each exited ${drains} after SIGTERM)`;
}

function faultResult(f: { fault: FaultKind; before: TimeWindow; during: TimeWindow; after: TimeWindow; notes: string[] }, load: LoadGenerator): FaultResult {
  const span = { from: f.during.from, to: f.after.to };
  let activityRetries = 0;
  for (const runs of load.executions.values()) for (const run of runs) if (run.attempt > 1 && run.at >= span.from && run.at < span.to) activityRetries++;
  return {
    ...f,
    figures: { before: phaseFigures(load.records, f.before), during: phaseFigures(load.records, f.during), after: phaseFigures(load.records, f.after) },
    failedCalls: countFailures(load.failures, span),
    failures: load.failures.filter((c) => c.at >= span.from && c.at < span.to),
    retriedAttempts: countFailures(load.attempts.filter((a) => !isLongPollTimeout(a)), span),
    throughput: throughputImpact(load.records, f.before, f.during, f.after),
    activityRetries,
  };
}

/** A long poll that ends with DEADLINE_EXCEEDED by design is no failure. */
function isLongPollTimeout(a: CallFailure): boolean {
  return a.code === 'DEADLINE_EXCEEDED' && a.call === 'GetWorkflowExecutionHistory';
}

/** The figures per fault as text tables, and the totals. */
export function formatReport(report: SoakReport): string {
  const p = (f: PhaseFigures, which: 'start' | 'e2e') => `${ms(f[`${which}P50`])} / ${ms(f[`${which}P99`])}`;
  const counts = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${v} ${k}`).join(', ') || '0';
  const latency = table(
    ['fault', 'lasted', 'start p50/p99 before', 'during', 'after', 'end-to-end p50/p99 before', 'during', 'after'],
    report.faults.map((f) => [f.fault, ms(f.during.to - f.during.from), p(f.figures.before, 'start'), p(f.figures.during, 'start'), p(f.figures.after, 'start'),
      p(f.figures.before, 'e2e'), p(f.figures.during, 'e2e'), p(f.figures.after, 'e2e')]),
  );
  const reliability = table(
    ['fault', 'failed client calls', 'attempts retried by the SDK', 'activity retries', 'throughput before', 'lowest', 'dip', 'below 90% for', 'back to 90% after'],
    report.faults.map((f) => [f.fault, counts(f.failedCalls), counts(f.retriedAttempts), String(f.activityRetries), `${f.throughput.preRate.toFixed(1)}/s`,
      `${f.throughput.minRate.toFixed(1)}/s`, `${f.throughput.dipPercent}%`, ms(f.throughput.belowMs), f.throughput.recoveryMs === undefined ? 'not within the after window' : ms(f.throughput.recoveryMs)]),
  );
  const ramp = table(['rate', 'started/s', 'start p99', 'end-to-end p50', 'end-to-end p99', 'failed', 'sustained'],
    report.ramp.map((s) => [`${s.rate}/s`, s.achievedStartRate.toFixed(1), ms(s.figures.startP99), ms(s.figures.e2eP50), ms(s.figures.e2eP99), String(s.failures), s.sustained ? 'yes' : 'no']));
  const e = report.executions;
  return [
    `Soak "${report.profile.name}": ${report.profile.replicas} pods per role, ${report.profile.numHistoryShards} history shards, workflow = 1 activity + ${ms(report.profile.timerMs)} timer, ${report.profile.workers ?? 2} workers.`,
    'Finding the rate:', ramp,
    `Sustained ${report.sustainedRate}/s; faults injected at ${report.loadRate}/s. Latency per fault (p50 / p99):`, latency,
    'Failures and throughput per fault (completions per second over a 5 s window):', reliability,
    `${report.workflows} workflows started, ${report.lost.length} lost, ${e.completed} completed; activity: ${e.missing.length} missing, ${e.duplicates.length} duplicated attempts, `
      + `${e.retried.length} retried attempts, ${e.phantom.length} ran for a workflow that never started; ${report.startsShed} starts shed; ${ms(report.durationMs)} in all.`,
    `Slowest workflows, and the step that waited longest: ${report.slowest.slice(0, 5).map((w) => `${ms(w.e2eMs)} (${w.longestGap ? `${ms(w.longestGap.ms)} from ${w.longestGap.from} to ${w.longestGap.to}` : '?'})`).join('; ')}.`,
    ...report.faults.flatMap((f) => f.failures.map((c) => `Failed in ${f.fault}, ${ms(c.at - f.during.from)} after it began${c.tookMs === undefined ? '' : `, after ${ms(c.tookMs)}`}: `
      + `${c.call} ${c.code}: ${c.message}`)),
    ...(report.activityRetries.length ? [`Activity retries (a second attempt after the first did not report back within its 10 s start-to-close timeout): ${
      Object.entries(report.activityRetries.reduce<Record<string, number>>((c, r) => ({ ...c, [r.during]: (c[r.during] ?? 0) + 1 }), {})).map(([k, v]) => `${v} during ${k}`).join(', ')}.`] : []),
  ].join('\n\n');
}
