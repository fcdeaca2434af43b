/*
 * Task queue partitions: matching writes a task to one of `matching.numTaskqueueWritePartitions`
 * partitions and pollers read from `matching.numTaskqueueReadPartitions`. More write than read
 * partitions strand the tasks written to the partitions nobody polls, so a dynamic config file must
 * never make writes outnumber reads for any task queue. DynamicConfigValue.taskQueuePartitions
 * checks the pair it sets; this checks the whole file, values given through DynamicConfigValue.of
 * included, as the server resolves them (common/dynamicconfig/setting_gen.go, shared_constants.go).
 */

import { valuesOfKeys } from './dynamic-config-lookup';

/** What the check reads of a dynamic config value. */
export interface PartitionValue {
  readonly key: string;
  readonly value: unknown;
  readonly constraints: { readonly namespace?: string; readonly taskQueueName?: string; readonly taskQueueType?: string };
}

const READ = 'matching.numTaskqueueReadPartitions';
const WRITE = 'matching.numTaskqueueWritePartitions';
/** Both keys' default for every task queue but a few system ones, which get 1 for both. */
const SERVER_DEFAULT = 4;
const TYPES = ['Workflow', 'Activity'];

type Point = PartitionValue['constraints'];

/** The constraint sets the server tries for a task queue, most specific first, that a queue with the point's fields can match. */
function lookups(p: Point): Point[] {
  const { namespace: ns, taskQueueName: tq, taskQueueType: type } = p;
  const levels: Array<Point | undefined> = [
    ns !== undefined && tq !== undefined && type !== undefined ? { namespace: ns, taskQueueName: tq, taskQueueType: type } : undefined,
    ns !== undefined && tq !== undefined ? { namespace: ns, taskQueueName: tq } : undefined,
    tq !== undefined ? { taskQueueName: tq } : undefined,
    ns !== undefined ? { namespace: ns } : undefined,
    {},
  ];
  return levels.filter((c): c is Point => c !== undefined);
}

const same = (a: Point, b: Point) => a.namespace === b.namespace && a.taskQueueName === b.taskQueueName && a.taskQueueType === b.taskQueueType;

/** The value the server uses at `p`, and the constraints it comes from (undefined: the server's default). */
function effective(values: readonly PartitionValue[], key: string, p: Point): { value: number; from?: Point } {
  for (const at of lookups(p)) {
    const found = valuesOfKeys(values, key).find((v) => same(v.constraints, at));
    if (found && typeof found.value === 'number') return { value: found.value, from: at };
  }
  return { value: SERVER_DEFAULT };
}

/**
 * The most partitions any value of the file (or the server's default, where no value for every task
 * queue replaces it) can give the task queue `name`, in any namespace and of any type.
 */
export function mostPartitions(values: readonly PartitionValue[], name: string): number {
  const counts = [READ, WRITE].flatMap((key) => {
    const set = valuesOfKeys(values, key);
    const applies = set.filter((v) => v.constraints.taskQueueName === undefined || v.constraints.taskQueueName === name).map((v) => v.value);
    const everyQueue = set.some((v) => Object.values(v.constraints).every((c) => c === undefined));
    return [...applies, ...(everyQueue ? [] : [SERVER_DEFAULT])];
  });
  return Math.max(1, ...counts.filter((c): c is number => typeof c === 'number' && Number.isFinite(c)));
}

const describe = (p: Point) => (Object.keys(p).length === 0 ? 'every task queue'
  : Object.entries(p).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', '));
const source = (e: { value: number; from?: Point }) => `${e.value} (${e.from ? `the value set for ${describe(e.from)}` : 'the server\'s default'})`;

/** Errors for every set of constraints where the file makes write partitions outnumber read partitions. */
export function partitionErrors(owner: string, values: readonly PartitionValue[]): string[] {
  const set = valuesOfKeys(values, READ, WRITE);
  // Every kind of task queue the file tells apart: each namespace it names (or another), each task
  // queue name (or another), each type (or another). One key may come from a namespace's value and
  // the other from a task queue name's, so the points the values are set at are not enough.
  const named = (field: keyof Point) => [undefined, ...new Set(set.map((v) => v.constraints[field]).filter((x): x is string => x !== undefined))];
  const types = [...new Set([...named('taskQueueType'), ...TYPES])];
  const points: Point[] = [];
  for (const namespace of named('namespace')) {
    for (const taskQueueName of named('taskQueueName')) {
      // The type is told apart only with a namespace and a task queue name (the most specific lookup).
      for (const taskQueueType of namespace !== undefined && taskQueueName !== undefined ? types : [undefined]) {
        points.push(Object.fromEntries(Object.entries({ namespace, taskQueueName, taskQueueType }).filter(([, x]) => x !== undefined)));
      }
    }
  }
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const p of points) {
    const [read, write] = [effective(set, READ, p), effective(set, WRITE, p)];
    const where = describe(p);
    // Reported once per pair of values, at the first (least specific) task queues they meet at.
    const pair = JSON.stringify([write.from, read.from]);
    if (write.value <= read.value || seen.has(pair)) continue;
    seen.add(pair);
    errors.push(`${owner}: matching.numTaskqueueWritePartitions for ${where} is ${source(write)}; expected at most `
      + `matching.numTaskqueueReadPartitions there, ${source(read)}. Tasks written to a partition no poller reads are stranded. `
      + 'Set both with the same constraints (DynamicConfigValue.taskQueuePartitions({ read, write }, constraints)); to lower partitions, '
      + 'lower write first, wait for the extra partitions to drain, then lower read.');
  }
  return errors;
}
