// `npm run soak`: the long soak (test/e2e/soak.ts) on this machine, printed as tables: the rate the
// machine sustains, then per fault the latency before, during and after, the failed client calls,
// the throughput dip and the time back to 90%. It exits non-zero when a workflow was lost, an
// activity attempt ran twice, or a client call failed during the rolling restart.
//
//   npm run soak [-- --profile short|long] [--json FILE] [--faults F1,F2] [--rate N] [--shutdown F,D,H,M,A]
//
// --faults, --rate and --shutdown compare settings: only these faults, at a fixed rate instead of
// 70% of the one found, with the shutdown prop's durations in seconds: the frontend's
// fail-health-check and drain, history's and matching's drains, history's membership alignment
// (empty for the default; a history drain given alone turns the alignment off, as the prop does).
//
// Heavy: it runs eight or more server processes and PostgreSQL; on a shared machine run it alone.
import * as fs from 'fs';
import { Duration } from 'cdk8s';
import { parseArgs } from 'util';
import { E2eEnvironment } from '../test/e2e/harness';
import { FaultKind, formatReport, LONG_SOAK, runSoak, SHORT_SOAK, SoakProfile } from '../test/e2e/soak';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: {
    profile: { type: 'string', default: 'long' }, json: { type: 'string' }, faults: { type: 'string' }, rate: { type: 'string' }, shutdown: { type: 'string' },
  } });
  const base = values.profile === 'short' ? SHORT_SOAK : values.profile === 'long' ? LONG_SOAK : undefined;
  if (!base) throw new Error(`--profile is ${values.profile}; expected short or long`);
  let profile: SoakProfile = base;
  if (values.faults) profile = { ...profile, faults: values.faults.split(',') as FaultKind[] };
  if (values.rate) profile = { ...profile, fixedRate: Number(values.rate) };
  if (values.shutdown) {
    const [fail, drain, history, matching, alignment] = values.shutdown.split(',').map((v) => (v === '' || v === undefined ? undefined : Duration.seconds(Number(v))));
    profile = { ...profile, app: { shutdown: {
      failHealthCheckDuration: fail, drainDuration: drain, historyDrainDuration: history, matchingDrainDuration: matching, historyMembershipAlignment: alignment,
    } } };
  }
  process.env.CDK8S_CHECK_UPGRADE ??= 'false';
  const env = await E2eEnvironment.create();
  try {
    const report = await runSoak(env, profile);
    console.log(`\n${formatReport(report)}`);
    if (values.json) fs.writeFileSync(values.json, JSON.stringify({ ...report, lost: report.lost.length }, null, 1));
    const rolling = report.faults.find((f) => f.fault === 'rolling-restart');
    const problems = [
      ...(report.lost.length ? [`${report.lost.length} workflows lost`] : []),
      ...(report.executions.duplicates.length ? [`${report.executions.duplicates.length} activity attempts ran twice`] : []),
      ...(report.executions.missing.length ? [`${report.executions.missing.length} completed workflows without an activity execution`] : []),
      ...(rolling && Object.keys(rolling.failedCalls).length ? [`client calls failed during the rolling restart: ${JSON.stringify(rolling.failedCalls)}`] : []),
    ];
    for (const p of problems) console.error(`soak: ${p}`);
    return problems.length ? 1 : 0;
  } finally {
    await env.close();
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
