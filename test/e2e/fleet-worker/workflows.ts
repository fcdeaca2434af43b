// Workflow code of the stand-in worker; bundled on its own, so it imports only workflow-safe modules.
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

const { work } = proxyActivities<typeof activities>({ startToCloseTimeout: '2 minutes' });

/** One activity of `ms` milliseconds; its result says which worker ran it and on which attempt. */
export async function fleetWork(ms: number): Promise<activities.WorkDone> {
  return work(ms);
}
