// Workflow code for the e2e test's worker. The worker bundles this file on its own, so it may
// import only workflow-safe modules (and activity types).
import { ApplicationFailure, condition, continueAsNew, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
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

/** The signal that lets `greetThenAwaitApproval` finish. */
export const approve = defineSignal<[string]>('approve');

/**
 * An activity, then a wait for the `approve` signal: a workflow that stops half-way, so that its
 * first half can run on one cluster and its second on another after a failover.
 */
export async function greetThenAwaitApproval(name: string): Promise<string> {
  const greeting = await greet(name);
  let approver: string | undefined;
  setHandler(approve, (who: string) => { approver = who; });
  await condition(() => approver !== undefined);
  return `${greeting}, approved by ${approver}`;
}

/** A workflow that fails at once (the metrics check's workflow_failed). */
export async function failAtOnce(reason: string): Promise<never> {
  throw ApplicationFailure.nonRetryable(reason, 'E2eFailure');
}

/** A workflow that continues as new `times` times, then completes (the metrics check's workflow_continued_as_new). */
export async function continueTimes(times: number): Promise<number> {
  if (times > 0) return continueAsNew<typeof continueTimes>(times - 1);
  return 0;
}
