import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { Datastore, DynamicConfigValue, Persistence, SecretRef, WorkerFleet } from '../lib';
import { cluster, postgresPersistence, testChart } from './support/synth';

const IMAGE = 'registry.example.com/orders-worker:1.4.0';
const password = SecretRef.of('my', 'password');
const mysql = (chart: Chart) => new Persistence(chart, 'p', {
  defaultStore: Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password }),
  visibilityStore: Datastore.mysql({ host: 'my', database: 'temporal_visibility', user: 'temporal', password }),
});
/** MySQL for tasks, PostgreSQL for visibility: the limit follows the default store, where the tasks are. */
const mysqlTasksOnly = (chart: Chart) => new Persistence(chart, 'p', {
  defaultStore: Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password }),
  visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password }),
});
const postgres = (chart: Chart) => postgresPersistence(chart, 'p');

/*
 * The task_queue_id the server writes for a queue's last partition with a priority subqueue
 * (common/persistence/sql task_util.go taskQueueId): namespace ID, the stored name (the root
 * partition's is the name, partition n's "/_sys/<name>/<n>"), the task type, the subqueue's uvarint.
 */
function taskQueueIdBytes(name: string, partitions: number): number {
  const stored = partitions > 1 ? `/_sys/${name}/${partitions - 1}` : name;
  return 16 + Buffer.byteLength(stored, 'utf8') + 1 + 1;
}

type Values = DynamicConfigValue[];
function synthFleet(persistence: (chart: Chart) => Persistence, queue: string, before: Values = [], after: Values = []): () => void {
  return () => {
    const chart = testChart();
    const c = cluster(chart, { persistence: persistence(chart), dynamicConfig: { values: before } });
    new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders', queue], cluster: c });
    c.dynamicConfig.add(...after);
    Testing.synth(chart);
  };
}

describe('a task queue name on a cluster that keeps its tasks in MySQL (task_queue_id VARBINARY(272))', () => {
  test('fails when a fleet\'s queue is over 246 bytes with the server\'s 4 partitions, naming the prop, its length, the limit and why', () => {
    for (const persistence of [mysql, mysqlTasksOnly]) {
      expect(synthFleet(persistence, 'q'.repeat(246))).not.toThrow();
      expect(synthFleet(persistence, 'q'.repeat(247))).toThrow(new RegExp(
        'WorkerFleet \'orders\': taskQueues\\[1\\] is "q{247}"; expected a task queue name of at most 246 bytes of UTF-8 on a cluster that keeps its tasks in MySQL '
        + '\\(this one has 247\\)\\. MySQL keys each task queue by task_queue_id, VARBINARY\\(272\\): the namespace ID \\(16 bytes\\), the task type and a priority subqueue '
        + '\\(1 byte each\\) and the stored name, which for partition 3 of 4 as "/_sys/<name>/3" takes 8 bytes besides the name\\.'));
    }
    // Bytes, not characters: 124 "é" are 248 bytes.
    expect(synthFleet(mysql, 'é'.repeat(123))).not.toThrow();
    expect(synthFleet(mysql, 'é'.repeat(124))).toThrow(/taskQueues\[1\] is "é{124}"; expected .* at most 246 bytes .*\(this one has 248\)/);
  });

  test('fails when the partitions the dynamic config gives the queue, before or after the fleet, leave less room', () => {
    const q = 'q'.repeat(246);
    const eleven = DynamicConfigValue.taskQueuePartitions({ read: 11, write: 11 }, { taskQueueName: q });
    expect(synthFleet(mysql, q, eleven)).toThrow(/taskQueues\[1\] is "q{246}"; expected .* at most 245 bytes .*partition 10 of 11 as "\/_sys\/<name>\/10"/);
    expect(synthFleet(mysql, q, [], eleven)).toThrow(/at most 245 bytes/);
    // In one namespace or for one type still counts: the queue has those partitions there.
    expect(synthFleet(mysql, q, [], DynamicConfigValue.taskQueuePartitions({ read: 11, write: 11 }, { namespace: 'orders' }))).toThrow(/at most 245 bytes/);
    // Another queue's partitions are not this one's.
    expect(synthFleet(mysql, q, DynamicConfigValue.taskQueuePartitions({ read: 11, write: 11 }, { taskQueueName: 'billing' }))).not.toThrow();
    // One partition for every queue: the server stores the queue under its own name.
    expect(synthFleet(mysql, 'q'.repeat(254), DynamicConfigValue.taskQueuePartitions({ read: 1, write: 1 }))).not.toThrow();
    expect(synthFleet(mysql, 'q'.repeat(255), DynamicConfigValue.taskQueuePartitions({ read: 1, write: 1 }))).toThrow(/at most 254 bytes .*its one partition under the name itself/);
  });

  test('the limit is where the server\'s longest task_queue_id reaches 272 bytes, for any name and partition count', () => {
    // Up to 255 characters, which SQL visibility takes; 1 to 4 bytes each.
    const names = fc.tuple(fc.integer({ min: 200, max: 243 }), fc.array(fc.constantFrom('q', 'é', '中', '😀', '-', '.'), { maxLength: 12 }))
      .map(([n, tail]) => 'q'.repeat(n) + tail.join(''));
    fc.assert(fc.property(names, fc.integer({ min: 1, max: 1200 }), (name, partitions) => {
      const run = synthFleet(mysql, name, DynamicConfigValue.taskQueuePartitions({ read: partitions, write: partitions }));
      if (taskQueueIdBytes(name, partitions) <= 272) expect(run).not.toThrow();
      else expect(run).toThrow(/taskQueues\[1\] is .*; expected a task queue name of at most \d+ bytes of UTF-8 on a cluster that keeps its tasks in MySQL/);
    }), { numRuns: 60 });
  });

  test('fails when a dynamic config value is constrained to such a queue, given in the props or added later', () => {
    const long = 'q'.repeat(247);
    const value = DynamicConfigValue.of('matching.forwarderMaxOutstandingPolls', 2, { taskQueueName: long });
    const run = (persistence: (chart: Chart) => Persistence, values: Values, added: Values) => () => {
      const chart = testChart();
      cluster(chart, { persistence: persistence(chart), dynamicConfig: { values } }).dynamicConfig.add(...added);
      Testing.synth(chart);
    };
    const message = /TemporalCluster 'temporal': dynamicConfig constraints.taskQueueName of matching.forwarderMaxOutstandingPolls is "q{247}"; expected a task queue name of at most 246 bytes/;
    expect(run(mysql, [value], [])).toThrow(message);
    expect(run(mysql, [], [value])).toThrow(message);
    expect(run(mysql, [DynamicConfigValue.of('matching.forwarderMaxOutstandingPolls', 2, { taskQueueName: 'q'.repeat(246) })], [])).not.toThrow();
    expect(run(postgres, [value], [])).not.toThrow();
    // One error for the name, however many values it constrains (taskQueuePartitions gives two).
    let thrown = '';
    try {
      run(mysql, DynamicConfigValue.taskQueuePartitions({ read: 2, write: 2 }, { taskQueueName: long }), [value])();
    } catch (e) {
      thrown = (e as Error).message;
    }
    const found = thrown.split('\n').filter((l) => l.includes(`is "${long}"`));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/constraints.taskQueueName of matching.numTaskqueueReadPartitions is "q{247}"; .* The same name is given at TemporalCluster 'temporal' \(dynamicConfig constraints.taskQueueName of matching.numTaskqueueWritePartitions\), TemporalCluster 'temporal' \(dynamicConfig constraints.taskQueueName of matching.forwarderMaxOutstandingPolls\)\.$/);
  });

  test('PostgreSQL\'s task_queue_id is BYTEA, with no length: a queue the frontend takes is taken', () => {
    expect(synthFleet(postgres, 'q'.repeat(255))).not.toThrow();
    expect(synthFleet(postgres, 'é'.repeat(255))).not.toThrow();
  });
});
