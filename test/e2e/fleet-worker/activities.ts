/** Activities of the stand-in worker: they report who ran them, and on which attempt. */
import { Context } from '@temporalio/activity';

export interface WorkDone {
  /** The worker process that ran the activity. */
  readonly pid: number;
  /** 1 unless the activity was retried. */
  readonly attempt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/**
 * Works for `ms` milliseconds. The sleep is the SDK's cancellable one, so a worker that cancels
 * its activities at shutdown (its grace time ran out) fails this attempt instead of finishing it.
 */
export async function work(ms: number): Promise<WorkDone> {
  const startedAt = Date.now();
  await Context.current().sleep(ms);
  return { pid: process.pid, attempt: Context.current().info.attempt, startedAt, finishedAt: Date.now() };
}
