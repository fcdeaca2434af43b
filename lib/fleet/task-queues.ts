import { IConstruct } from 'constructs';
import { checkNamespaceLengths, checkTaskQueueLengths, DynamicConfigValues } from '../config/id-length';
import { checkTaskQueueIds } from '../config/task-queue-id';
import { MAX_TASK_QUEUE_BYTES, propError, requireTaskQueueName } from '../validation';
import { DatastoreType } from '../persistence/datastore-options';
import type { Datastore } from '../persistence/datastore';
import type { Persistence } from '../persistence/persistence';

/*
 * Queues of the server's own system workers (go.temporal.io/server common/primitives): the server
 * refuses user workflows on them, but not polls, so a fleet polling one takes the system worker's
 * tasks (batch operations, schedules, namespace deletion) and fails them.
 */
const SYSTEM_TASK_QUEUE_PREFIX = 'temporal-sys-';

/*
 * SQL stores (PostgreSQL, MySQL) keep a queue's name in VARCHAR(255) columns, which count
 * characters, whatever limit.maxIDLength allows: a visibility store in
 * executions_visibility.task_queue (every workflow's record), a default store in
 * task_queue_user_data.task_queue_name (the queue's versioning rules, worker deployment versions
 * and config; schema/<store>/.../temporal/schema.sql).
 */
const SQL_TASK_QUEUE_CHARS = 255;

/** What a fleet's checks read of its bound cluster: its dynamic config, whether it keeps visibility and its queues' user data in SQL, and its tasks in MySQL. */
export function boundCluster(cluster: { readonly dynamicConfig: DynamicConfigValues; readonly persistence: Persistence } | undefined) {
  // A secondary visibility store is of the primary's kind (Persistence refuses SQL beside Elasticsearch).
  const isSql = (type: DatastoreType) => type === DatastoreType.POSTGRES || type === DatastoreType.MYSQL;
  return cluster && {
    dynamicConfig: cluster.dynamicConfig, sqlVisibility: isSql(cluster.persistence.visibilityStore.type),
    sqlUserData: isSql(cluster.persistence.defaultStore.type),
    mysqlTasks: cluster.persistence.defaultStore.type === DatastoreType.MYSQL,
    mysqlNames: mysqlNames(cluster.persistence.defaultStore, cluster.persistence.visibilityStore),
  };
}

/*
 * MySQL compares the VARCHAR columns that hold a queue's name (task_queue_user_data.task_queue_name,
 * the primary key of the queue's user data, and executions_visibility.task_queue) in the database's
 * collation, by default utf8mb4_0900_ai_ci (the server creates the database with CHARACTER SET
 * utf8mb4 alone), which ignores case, accents and ignorable characters: `Orders`, `orders` and
 * `órders` are one row there. The store's `collation` says which it is (MysqlCollation.holdsForOne).
 */

/** What two queue names MySQL holds for one break, for a cluster that keeps them in MySQL under a collation that merges some. */
export interface MysqlNames {
  /** Why `a` and `b`, when a store of the cluster holds them for one; undefined otherwise. */
  readonly harm: (a: string, b: string) => string | undefined;
}

/** Whether a cluster's MySQL stores hold two different queue names for one, and why that breaks. */
function mysqlNames(defaultStore: Datastore, visibilityStore: Datastore): MysqlNames | undefined {
  const merging = (store: Datastore) => store.type === DatastoreType.MYSQL && store.mysqlCollation!.mergesNames ? store.mysqlCollation : undefined;
  const [tasks, visibility] = [merging(defaultStore), merging(visibilityStore)];
  if (!tasks && !visibility) return undefined;
  return {
    harm: (a, b) => {
      const harms = [
        ...(tasks?.holdsForOne(a, b) ? [`share one row of task_queue_user_data in the default store, whose collation (${tasks.name}) holds them for one (their versioning data and config, and a conflict on each write)`] : []),
        ...(visibility?.holdsForOne(a, b) ? [`be one queue to the visibility store, whose collation (${visibility.name}) holds them for one: a query on either (TaskQueue = '...', and KEDA's running-workflow count) would find the other's workflows too`] : []),
      ];
      return harms.length === 0 ? undefined : `The cluster keeps queue names in MySQL: the two would ${harms.join(', and ')}. Rename one of them.`;
    },
  };
}

/** The queues whose length each fleet checks against its cluster's limit.maxIDLength once every value is in. */
const LENGTH_CHECKED_LATER = new WeakMap<IConstruct, Set<string>>();

/**
 * The fleet's task queues, as the server and the fleet's env take them. With the fleet and its
 * cluster's dynamic config, their length (and the Temporal namespace's, `temporalNamespace`) is
 * checked against the cluster's limit.maxIDLength once every value is in, so that a raised one
 * admits longer names; without, against the server's default.
 */
export function checkTaskQueues(owner: string, queues: string[], fleet?: IConstruct, bound?: ReturnType<typeof boundCluster>, temporalNamespace?: string): string[] {
  const dynamicConfig = bound?.dynamicConfig;
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
    const twin = bound?.mysqlNames ? queues.findIndex((o, j) => j < i && bound.mysqlNames!.harm(o, q) !== undefined) : -1;
    if (twin !== -1) throw propError(owner, `taskQueues[${i}]`, q, `a queue MySQL tells apart from taskQueues[${twin}] (${JSON.stringify(queues[twin])})`, bound!.mysqlNames!.harm(queues[twin], q));
  });
  const names = queues.map((name, i) => ({ prop: `taskQueues[${i}]`, name }));
  if (fleet && dynamicConfig) {
    LENGTH_CHECKED_LATER.set(fleet, new Set(queues));
    const namespace = typeof temporalNamespace === 'string' ? [{ prop: 'temporalNamespace', name: temporalNamespace }] : [];
    // After every value is in, as the partitions a queue's task_queue_id must hold may be added late.
    if (bound?.mysqlTasks) checkTaskQueueIds(fleet, owner, names, dynamicConfig);
    checkNamespaceLengths(fleet, owner, namespace, dynamicConfig);
    checkTaskQueueLengths(fleet, owner, names, dynamicConfig);
  }
  const sqlLong = bound?.sqlVisibility || bound?.sqlUserData ? names.find(({ name }) => [...name].length > SQL_TASK_QUEUE_CHARS) : undefined;
  if (sqlLong) {
    const [where, column, refused] = bound?.sqlVisibility
      ? ['a SQL visibility store', 'executions_visibility.task_queue', 'the visibility record of every workflow started on a longer queue, so none would show in lists or searches']
      : ['a SQL default store', 'task_queue_user_data.task_queue_name', 'the queue\'s user data, so versioning rules, worker deployment versions and task queue config (rate limits) fail on it'];
    throw propError(owner, sqlLong.prop, sqlLong.name, `a task queue name of at most ${SQL_TASK_QUEUE_CHARS} characters on a cluster with ${where} (this one has ${[...sqlLong.name].length})`,
      `Its ${column} column is VARCHAR(255): the database refuses ${refused}. Shorten the name.`);
  }
  return [...queues];
}
