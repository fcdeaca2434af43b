import { IConstruct } from 'constructs';
import { idLengthErrors, IdLengthSource } from '../config/id-length';
import { ownValidation } from '../own-validation';
import { MAX_TASK_QUEUE_BYTES, propError, requireTaskQueueName } from '../validation';

/*
 * Queues of the server's own system workers (go.temporal.io/server common/primitives): the server
 * refuses user workflows on them, but not polls, so a fleet polling one takes the system worker's
 * tasks (batch operations, schedules, namespace deletion) and fails them.
 */
const SYSTEM_TASK_QUEUE_PREFIX = 'temporal-sys-';

/** The queues whose length each fleet checks against its cluster's limit.maxIDLength once every value is in. */
const LENGTH_CHECKED_LATER = new WeakMap<IConstruct, Set<string>>();

/**
 * The fleet's task queues, as the server and the fleet's env take them. With the fleet and its
 * cluster's dynamic config, their length (and the Temporal namespace's, `temporalNamespace`) is
 * checked against the cluster's limit.maxIDLength once every value is in, so that a raised one
 * admits longer names; without, against the server's default.
 */
export function checkTaskQueues(owner: string, queues: string[], fleet?: IConstruct, dynamicConfig?: IdLengthSource, temporalNamespace?: string): string[] {
  // The autoscaler and monitoring a fleet builds check its queues again, under the fleet, without its dynamic config.
  const checkedLater = fleet !== undefined && (dynamicConfig !== undefined || (Array.isArray(queues) && queues.every((q) => LENGTH_CHECKED_LATER.get(fleet)?.has(q))));
  if (!Array.isArray(queues) || queues.length === 0) {
    throw propError(owner, 'taskQueues', queues, 'at least one task queue', 'A worker that polls no queue does nothing, and KEDA needs a queue to watch.');
  }
  queues.forEach((q, i) => {
    requireTaskQueueName(owner, `taskQueues[${i}]`, q, undefined, checkedLater ? null : MAX_TASK_QUEUE_BYTES);
    // No whitespace or commas anywhere: TEMPORAL_TASK_QUEUES joins the names with commas.
    if (/[\s,]/.test(q)) {
      throw propError(owner, `taskQueues[${i}]`, q, 'a task queue name without whitespace or commas',
        'The fleet\'s TEMPORAL_TASK_QUEUES env var lists the queues separated by commas, which a worker reading it would split the name at.');
    }
    if (q.startsWith(SYSTEM_TASK_QUEUE_PREFIX)) {
      throw propError(owner, `taskQueues[${i}]`, q, `a queue of the application, not one starting with ${SYSTEM_TASK_QUEUE_PREFIX}`,
        'The server\'s own system workers poll those queues; a fleet polling one would take and fail their tasks.');
    }
    if (queues.indexOf(q) !== i) throw propError(owner, `taskQueues[${i}]`, q, 'a queue not listed twice');
  });
  const names = queues.map((name, i) => ({ prop: `taskQueues[${i}]`, name }));
  if (fleet && dynamicConfig) {
    LENGTH_CHECKED_LATER.set(fleet, new Set(queues));
    const namespace = typeof temporalNamespace === 'string' ? [{ prop: 'temporalNamespace', name: temporalNamespace }] : [];
    fleet.node.addValidation(ownValidation({ validate: () => [...idLengthErrors(owner, namespace, dynamicConfig, 'namespace'), ...idLengthErrors(owner, names, dynamicConfig)] }));
  }
  return [...queues];
}
