import { propError } from '../validation';

/*
 * The server's limit.maxIDLength default. It counts UTF-8 bytes (Go's len), not characters: 600
 * "é" are 1200 bytes, and every poll of such a queue fails with "taskQueue length exceeds limit".
 */
const MAX_TASK_QUEUE_BYTES = 1000;

/*
 * Queues of the server's own system workers (go.temporal.io/server common/primitives): the server
 * refuses user workflows on them, but not polls, so a fleet polling one takes the system worker's
 * tasks (batch operations, schedules, namespace deletion) and fails them.
 */
const SYSTEM_TASK_QUEUE_PREFIX = 'temporal-sys-';

/** The fleet's task queues, as the server and the fleet's env take them. */
export function checkTaskQueues(owner: string, queues: string[]): string[] {
  if (!Array.isArray(queues) || queues.length === 0) {
    throw propError(owner, 'taskQueues', queues, 'at least one task queue', 'A worker that polls no queue does nothing, and KEDA needs a queue to watch.');
  }
  queues.forEach((q, i) => {
    // No whitespace or commas: TEMPORAL_TASK_QUEUES joins the names with commas. No control
    // characters (a NUL cannot reach a process's env) and no lone surrogate, which has no UTF-8
    // form: gRPC refuses a string that is not valid UTF-8.
    if (typeof q !== 'string' || !/^[^\s,]+$/.test(q) || /[\p{Cc}\p{Cs}]/u.test(q)
      || Buffer.byteLength(q, 'utf8') > MAX_TASK_QUEUE_BYTES || q.startsWith('/_sys/')) {
      throw propError(owner, `taskQueues[${i}]`, q, `a task queue name: 1 to ${MAX_TASK_QUEUE_BYTES} bytes of UTF-8, no whitespace, comma or control character, not under /_sys/`);
    }
    if (q.startsWith(SYSTEM_TASK_QUEUE_PREFIX)) {
      throw propError(owner, `taskQueues[${i}]`, q, `a queue of the application, not one starting with ${SYSTEM_TASK_QUEUE_PREFIX}`,
        'The server\'s own system workers poll those queues; a fleet polling one would take and fail their tasks.');
    }
    if (queues.indexOf(q) !== i) throw propError(owner, `taskQueues[${i}]`, q, 'a queue not listed twice');
  });
  return [...queues];
}
