import { IConstruct } from 'constructs';
import type { DynamicConfig } from './dynamic-config';
import { checkOncePerName, DynamicConfigValues } from './id-length';
import { mostPartitions } from './task-queue-partitions';
import { propError } from '../validation';

/*
 * MySQL keys task queues in tasks, task_queues, tasks_v2 and task_queues_v2 by task_queue_id,
 * VARBINARY(272) (schema/mysql/v8/temporal/schema.sql). The SQL persistence builds it as the
 * namespace ID (16 bytes), the name of the queue it stores, the task type (1 byte) and, for a
 * priority's subqueue, its index as a uvarint (1 byte below 128; common/persistence/sql
 * task_util.go taskQueueId). Matching stores partition n > 0 of a queue as "/_sys/<name>/<n>"
 * (service/matching physical_task_queue_key.go PersistenceName), so the name gets what is left.
 * Versioned pollers' queues add their build ID, base64-encoded, which the library does not know.
 */
const TASK_QUEUE_ID_BYTES = 272;
const FIXED_BYTES = 16 + 1 + 1;
const PARTITION_PREFIX = '/_sys/';

/** The longest task queue name, in bytes of UTF-8, whose every partition's task_queue_id fits MySQL's column. */
function mysqlTaskQueueNameBytes(partitions: number): number {
  const left = TASK_QUEUE_ID_BYTES - FIXED_BYTES;
  return partitions <= 1 ? left : left - PARTITION_PREFIX.length - '/'.length - String(partitions - 1).length;
}

/** Task queue names too long for MySQL's task_queue_id column under the partitions `dynamicConfig` gives them. */
export function taskQueueIdErrors(owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }>, dynamicConfig: DynamicConfigValues): string[] {
  const values = ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions'].flatMap((k) => dynamicConfig.valuesOf(k));
  return names.flatMap(({ prop, name }) => {
    const partitions = mostPartitions(values, name);
    const max = mysqlTaskQueueNameBytes(partitions);
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes <= max) return [];
    const stored = partitions > 1 ? `partition ${partitions - 1} of ${partitions} as "${PARTITION_PREFIX}<name>/${partitions - 1}"` : 'its one partition under the name itself';
    return [propError(owner, prop, name, `a task queue name of at most ${max} bytes of UTF-8 on a cluster that keeps its tasks in MySQL (this one has ${bytes})`,
      `MySQL keys each task queue by task_queue_id, VARBINARY(${TASK_QUEUE_ID_BYTES}): the namespace ID (16 bytes), the task type and a priority subqueue (1 byte each) `
      + `and the stored name, which for ${stored} takes ${TASK_QUEUE_ID_BYTES - FIXED_BYTES - max} bytes besides the name. MySQL refuses the longer key (or, outside strict mode, `
      + 'cuts it short, so that queues share rows), and that partition\'s tasks are never written. Shorten the name; a versioned worker\'s queues need room for its build ID too.').message];
  });
}

/**
 * Checks task queue names against MySQL's task_queue_id column once every value is in (`add()` may
 * bring the partitions later), each name once across the fleets and the dynamic config's own
 * constraints (checkOncePerName). `names` undefined: the dynamic config's own constraints.
 */
export function checkTaskQueueIds(scope: IConstruct, owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }> | undefined,
  dynamicConfig: DynamicConfigValues): void {
  checkOncePerName('task_queue_id', scope, owner, names, dynamicConfig, (o, n) => taskQueueIdErrors(o, [n], dynamicConfig), 'taskQueueName', 'dynamicConfig constraints');
}

/** On a cluster that keeps its tasks in MySQL, refuses a value constrained to a task queue name too long for task_queue_id. Returns `dynamicConfig`. */
export function guardTaskQueueIds(owner: string, mysqlTasks: boolean, dynamicConfig: DynamicConfig): DynamicConfig {
  if (mysqlTasks) checkTaskQueueIds(dynamicConfig, owner, undefined, dynamicConfig);
  return dynamicConfig;
}
