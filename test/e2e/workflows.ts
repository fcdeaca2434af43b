// Workflow code for the e2e test's worker. The worker bundles this file on its own, so it may
// import only workflow-safe modules (and activity types).
import { proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from './activities';

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** An activity, then a durable timer, then a result built from both. */
export async function greetAfterTimer(name: string, timerMs: number): Promise<string> {
  const greeting = await greet(name);
  await sleep(timerMs);
  return `${greeting} after a ${timerMs} ms timer`;
}

/** The activity the soak's workers run: it counts its own executions (see load.ts). */
interface SoakActivities {
  recordExecution(): Promise<void>;
}

const { recordExecution } = proxyActivities<SoakActivities>({ startToCloseTimeout: '10 seconds' });

/** The soak's workflow: one activity, then a short durable timer. */
export async function soakWorkflow(timerMs: number): Promise<string> {
  await recordExecution();
  await sleep(timerMs);
  return 'done';
}
