import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { Datastore, MysqlCollation, MysqlCollationStrength, Persistence, SecretRef, WorkerFleet, WorkerFleetProps } from '../lib';
import { cluster, testChart } from './support/synth';

const IMAGE = 'registry.example/orders-worker:1.4.2';
const password = SecretRef.of('db', 'password');
const mysql = (collation?: MysqlCollation, database = 'temporal') => Datastore.mysql({ host: 'my', database, user: 'temporal', password, collation });
const es = Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_temporal' });

function app(defaultStore: Datastore, visibilityStore: Datastore, a: Partial<WorkerFleetProps>, b?: Partial<WorkerFleetProps>) {
  return () => {
    const chart = testChart();
    const c = cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore, visibilityStore }) });
    new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...a });
    if (b) new WorkerFleet(chart, 'billing', { image: IMAGE, taskQueues: ['billing'], cluster: c, ...b });
    Testing.synth(chart);
  };
}

describe('MysqlOptions.collation', () => {
  test('defaults to MySQL 8.0\'s utf8mb4 default, which Temporal\'s CHARACTER SET utf8mb4 schema gets, and is none for PostgreSQL', () => {
    expect(mysql().mysqlCollation).toBe(MysqlCollation.UTF8MB4_0900_AI_CI);
    expect(Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password }).mysqlCollation).toBeUndefined();
    expect(() => Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password, collation: MysqlCollation.UTF8MB4_BIN } as never)).toThrow(/collation/);
  });

  test('fails when a case-sensitive or binary collation still refuses queues that differ in case or accents, in one fleet or two', () => {
    for (const collation of [MysqlCollation.UTF8MB4_BIN, MysqlCollation.UTF8MB4_0900_BIN, MysqlCollation.UTF8MB4_0900_AS_CS, MysqlCollation.of('UTF8MB4_0900_AS_CS')]) {
      expect(app(mysql(collation), mysql(collation, 'vis'), { taskQueues: ['Orders', 'orders', 'órders'] })).not.toThrow();
      expect(app(mysql(collation), es, {}, { taskQueues: ['Orders'] })).not.toThrow();
    }
    // Accent-sensitive, case-insensitive: the accent tells apart, the case does not.
    const asCi = mysql(MysqlCollation.UTF8MB4_0900_AS_CI);
    expect(app(asCi, es, { taskQueues: ['orders', 'órders'] })).not.toThrow();
    expect(app(asCi, es, { taskQueues: ['orders', 'Orders'] })).toThrow(/taskQueues\[1\] is "Orders"; expected a queue MySQL tells apart from taskQueues\[0\].*collation \(utf8mb4_0900_as_ci\) holds them for one/);
  });

  test('fails when the check forgets one store: a merging collation on either store refuses, and the message names that one', () => {
    const bin = mysql(MysqlCollation.UTF8MB4_0900_BIN);
    const ci = mysql(MysqlCollation.UTF8MB4_0900_AI_CI, 'vis');
    expect(app(bin, ci, { taskQueues: ['Orders', 'orders'] })).toThrow(/the two would be one queue to the visibility store, whose collation \(utf8mb4_0900_ai_ci\)/);
    expect(app(bin, ci, { taskQueues: ['Orders', 'orders'] })).not.toThrow(/task_queue_user_data/);
    expect(app(mysql(MysqlCollation.UTF8MB4_UNICODE_CI), mysql(MysqlCollation.UTF8MB4_BIN, 'vis'), { taskQueues: ['Orders', 'orders'] }))
      .toThrow(/share one row of task_queue_user_data in the default store, whose collation \(utf8mb4_unicode_ci\) holds them for one \(their versioning data and config, and a conflict on each write\)\. Rename/);
  });

  test('fails when the comparison differs from MySQL\'s on padding or characters beyond the BMP', () => {
    // PAD SPACE (every collation but the _0900_ ones): trailing spaces do not count; NO PAD: they do.
    expect(MysqlCollation.UTF8MB4_BIN.holdsForOne('orders', 'orders  ')).toBe(true);
    expect(MysqlCollation.UTF8MB4_GENERAL_CI.holdsForOne('Orders', 'orders ')).toBe(true);
    expect(MysqlCollation.UTF8MB4_0900_BIN.holdsForOne('orders', 'orders ')).toBe(false);
    expect(MysqlCollation.UTF8MB4_0900_AI_CI.holdsForOne('orders', 'orders ')).toBe(false);
    expect(MysqlCollation.UTF8MB4_BIN.holdsForOne(' orders', 'orders')).toBe(false);
    // The UCA 4.0.0 and general collations weigh every supplementary character as U+FFFD; 5.2.0 and 9.0.0 tell them apart.
    expect(MysqlCollation.UTF8MB4_UNICODE_CI.holdsForOne('q-😀', 'q-🚀')).toBe(true);
    expect(MysqlCollation.UTF8MB4_GENERAL_CI.holdsForOne('q-😀', 'q-🚀')).toBe(true);
    expect(MysqlCollation.UTF8MB4_UNICODE_520_CI.holdsForOne('q-😀', 'q-🚀')).toBe(false);
    expect(MysqlCollation.UTF8MB4_0900_AI_CI.holdsForOne('q-😀', 'q-🚀')).toBe(false);
    // Binary collations without padding merge nothing, whatever the strings.
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => expect(MysqlCollation.UTF8MB4_0900_BIN.holdsForOne(a, b)).toBe(false)));
    expect(MysqlCollation.UTF8MB4_0900_BIN.mergesNames).toBe(false);
    expect(MysqlCollation.UTF8MB4_BIN.mergesNames).toBe(true);
    // Case-insensitive ones merge every case variant, case- and accent-sensitive ones none.
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), (name) => {
      fc.pre(name.toUpperCase() !== name);
      expect(MysqlCollation.UTF8MB4_0900_AI_CI.holdsForOne(name, name.toUpperCase())).toBe(true);
      expect(MysqlCollation.UTF8MB4_0900_AS_CI.holdsForOne(name, name.toUpperCase())).toBe(true);
      expect(MysqlCollation.UTF8MB4_0900_AS_CS.holdsForOne(name, name.toUpperCase())).toBe(false);
    }));
  });

  test('fails when a collation name MySQL or the schema would not take is accepted, or its strength is misread', () => {
    const strengths: Array<[string, MysqlCollationStrength, boolean]> = [
      ['utf8mb4_0900_ai_ci', MysqlCollationStrength.PRIMARY, false], ['utf8mb4_de_pb_0900_as_cs', MysqlCollationStrength.TERTIARY, false],
      ['utf8mb4_ja_0900_as_cs_ks', MysqlCollationStrength.TERTIARY, false], ['utf8mb4_0900_as_ci', MysqlCollationStrength.SECONDARY, false],
      ['utf8mb4_swedish_ci', MysqlCollationStrength.PRIMARY, true], ['UTF8MB4_BIN', MysqlCollationStrength.BINARY, true],
    ];
    for (const [name, strength, padSpace] of strengths) expect(MysqlCollation.of(name)).toMatchObject({ name: name.toLowerCase(), strength, padSpace });
    for (const bad of ['', 'utf8mb4 bin', ' utf8mb4_bin', 'latin1_swedish_ci', 'utf8mb3_general_ci', 'utf8_bin', 'binary', 'utf8mb4_0900', 42 as never]) {
      expect(() => MysqlCollation.of(bad)).toThrow(/MysqlCollation.of: name is/);
    }
    expect(() => mysql('utf8mb4_bin' as never)).toThrow(/Datastore.mysql: collation is "utf8mb4_bin"; expected a MysqlCollation/);
  });
});
