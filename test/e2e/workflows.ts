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
