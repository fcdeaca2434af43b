import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { DynamicConfig, DynamicConfigValue, TaskQueueType, TemporalVersion } from '../lib';
import { DYNAMIC_CONFIG_RELEASES } from '../lib/config/dynamic-config-keys';
import { jsonForYamlV3 } from '../lib/config/server-config';
import { compareVersions } from '../lib/versions';
import releaseHistory from './fixtures/temporal-dynamic-config-releases.json';
import dynamicKeys from './fixtures/temporal-dynamic-config-keys-v1.32.2.json';
import { cluster, find, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';

const KNOWN_DYNAMIC_KEYS = new Set((dynamicKeys as any).settings?.map((s: any) => s.key.toLowerCase())
  ?? (dynamicKeys as any).keys?.map((s: any) => (typeof s === 'string' ? s : s.key).toLowerCase()));

function make(values: DynamicConfigValue[] = [], pollInterval?: Duration) {
  const chart = testChart();
  const dc = new DynamicConfig(chart, 'dc', { name: 'temporal-dynamic-config', namespace: 'temporal', labels: {}, values, pollInterval });
  return { chart, dc, file: () => find(chart, 'ConfigMap', 'temporal-dynamic-config').data[DynamicConfig.FILE_NAME] as string };
}

/** A synth of a cluster given `values`, with `later` added to its DynamicConfig after it is built. */
const synthWith = (values: DynamicConfigValue[], later: DynamicConfigValue[] = []) => () => {
  const chart = testChart();
  cluster(chart, { dynamicConfig: { values } }).dynamicConfig.add(...later);
  Testing.synth(chart);
};

describe('DynamicConfig', () => {
  test('an object value is written with its keys sorted: the same value built in another key order writes the same file', () => {
    // Before: written in the order the app built it, so a values file or a spread reordered alone changed the file.
    const shuffled = (entries: Array<[string, unknown]>, order: number[]) => Object.fromEntries(order.map((i) => entries[i % entries.length]));
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Za-z]{1,8}$/), { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 5 }), (keys, rotate) => {
      const entries = keys.map((k, i): [string, unknown] => [k, i % 2 ? i : { [`${k}B`]: i, [`${k}A`]: [k, { z: 1, a: 2 }] }]);
      const forward = entries.map((_, i) => i);
      const rotated = forward.map((i) => (i + rotate) % entries.length).reverse();
      const write = (order: number[]) => make([DynamicConfigValue.unchecked('history.defaultActivityRetryPolicy', shuffled(entries, order))]).file();
      expect(write(rotated)).toBe(write(forward));
      expect(write(forward)).toContain(`{${[...keys].sort().map((k) => JSON.stringify(k))[0]}:`);
    }), { numRuns: 50 });
    expect(jsonForYamlV3({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  test('defaults', () => {
    const { chart, dc, file } = make();
    expect(dc.pollInterval.toSeconds()).toBe(10);
    expect(parse(file())).toEqual({});
    expect(find(chart, 'ConfigMap', 'temporal-dynamic-config')).toMatchSnapshot();
  });

  test('typed helpers write the keys the server knows, in the server\'s file format', () => {
    const { dc, file } = make([
      DynamicConfigValue.frontendRps(3000),
      DynamicConfigValue.frontendNamespaceRps(500, 'payments'),
      DynamicConfigValue.maxIdLength(255),
      ...DynamicConfigValue.taskQueuePartitions({ read: 8, write: 4 }, { namespace: 'orders', taskQueueName: 'checkout', taskQueueType: TaskQueueType.ACTIVITY }),
    ]);
    dc.add(DynamicConfigValue.of('history.persistenceMaxQPS', 9000));
    const parsed = parse(file());
    expect(parsed).toEqual({
      'frontend.namespaceRPS': [{ value: 500, constraints: { namespace: 'payments' } }],
      'frontend.rps': [{ value: 3000 }],
      'history.persistenceMaxQPS': [{ value: 9000 }],
      'limit.maxIDLength': [{ value: 255 }],
      'matching.numTaskqueueReadPartitions': [{ value: 8, constraints: { namespace: 'orders', taskQueueName: 'checkout', taskType: 'Activity' } }],
      'matching.numTaskqueueWritePartitions': [{ value: 4, constraints: { namespace: 'orders', taskQueueName: 'checkout', taskType: 'Activity' } }],
    });
    for (const key of nonEmpty(Object.keys(parsed))) expect(KNOWN_DYNAMIC_KEYS.has(key.toLowerCase())).toBe(true);
  });

  test('string values and constraints reach the file in a form the server\'s YAML library reads back as given', () => {
    // JSON.stringify leaves DEL, C1 controls (NEL), LS, PS and U+FEFF raw; yaml.v3 refuses them or
    // reads them as line breaks even between double quotes, and the server would drop the whole file.
    // The props refuse most of them (see "fails when"); the writer escapes them all the same.
    const pattern = 'x\u0085y\u2028z\u2029\ufeff\u007f\u009f\ufffe\u00e9\u{1F600}';
    const written = jsonForYamlV3(pattern);
    expect(written).not.toMatch(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/);
    expect(parse(`a: ${written}`)).toEqual({ a: pattern });
    const { file } = make([DynamicConfigValue.of('history.TaskDLQErrorPattern', 'x\ufeffy')]);
    expect(file()).not.toMatch(/\ufeff/);
    expect(parse(file())).toEqual({ 'history.TaskDLQErrorPattern': [{ value: 'x\ufeffy' }] });
  });

  test('keys match the registry case-insensitively and keep its spelling', () => {
    expect(DynamicConfigValue.of('FRONTEND.RPS', 5).key).toBe('frontend.rps');
    expect(DynamicConfigValue.unchecked('future.setting', true).key).toBe('future.setting');
  });

  test('the same key may carry several values under different constraints', () => {
    const { file } = make([DynamicConfigValue.frontendNamespaceRps(100), DynamicConfigValue.frontendNamespaceRps(500, 'payments')]);
    expect(parse(file())['frontend.namespaceRPS']).toHaveLength(2);
  });

  describe('fails when', () => {
    test('a value is changed after its checks (untyped code): the file is rendered at synth from the value, so "lots" reached an int key and shard 0 a shard constraint', () => {
      const rps = DynamicConfigValue.of('frontend.rps', 100);
      const shard = DynamicConfigValue.of('history.ReplicationTaskProcessorCleanupInterval', '1m', { shardId: 3 });
      const map = DynamicConfigValue.of('frontend.namespaceRPS', 10, { namespace: 'orders' });
      const list = DynamicConfigValue.unchecked('frontend.newKey', [{ a: 1 }]);
      const { file } = make([rps, shard, map, list]);
      // structuredClone makes the copies in node's own realm, whose TypeError is not jest's: matched by message.
      const READ_ONLY = /Cannot assign to read only property|object is not extensible/;
      expect(() => { (rps as any).value = 'lots'; }).toThrow(READ_ONLY);
      expect(() => { (rps as any).key = 'frontend.rsp'; }).toThrow(READ_ONLY);
      expect(() => { (shard as any).constraints = {}; }).toThrow(READ_ONLY);
      expect(() => { (shard.constraints as any).shardId = 0; }).toThrow(READ_ONLY);
      expect(() => { (map.constraints as any).namespace = ''; }).toThrow(READ_ONLY);
      expect(() => { (list.value as any)[0].a = 'x'; }).toThrow(READ_ONLY);
      expect(() => { (list.value as any).push(2); }).toThrow(READ_ONLY);
      expect(parse(file())).toMatchObject({ 'frontend.rps': [{ value: 100 }], 'history.ReplicationTaskProcessorCleanupInterval': [{ constraints: { shardId: 3 } }], 'frontend.newKey': [{ value: [{ a: 1 }] }] });
    });
    test('a value of the list is not a DynamicConfigValue: null, a plain { key, value }, a string, in the cluster props, the DynamicConfig props or add()', () => {
      const expected = 'expected a DynamicConfigValue, from DynamicConfigValue.of(key, value) or a helper such as DynamicConfigValue.frontendRps(n).';
      const plain = { key: 'frontend.rps', value: 3 };
      const inCluster = (values: unknown) => () => cluster(testChart(), { dynamicConfig: { values: values as any } });
      expect(inCluster([null])).toThrow(`TemporalCluster 'temporal': dynamicConfig.values[0] is null; ${expected}`);
      expect(inCluster([DynamicConfigValue.frontendRps(3), plain])).toThrow(
        `TemporalCluster 'temporal': dynamicConfig.values[1] is {"key":"frontend.rps","value":3}; ${expected} A plain object is not checked against the registry: build each value with DynamicConfigValue.of.`);
      expect(inCluster([DynamicConfigValue.taskQueuePartitions({ read: 2, write: 2 }), [DynamicConfigValue.maxIdLength(100), 'limit.maxIDLength']])).toThrow(
        `TemporalCluster 'temporal': dynamicConfig.values[1][1] is "limit.maxIDLength"; ${expected}`);
      expect(inCluster(DynamicConfigValue.frontendRps(3))).toThrow(/^TemporalCluster 'temporal': props\.dynamicConfig\.values is \{.*\}; expected a list \(the prop is a list\)\. Give a list, \[ \.\.\. \], even of one item\.$/);
      expect(() => make([undefined as any])).toThrow(`DynamicConfig 'temporal-dynamic-config': values[0] is undefined; ${expected}`);
      const { dc } = make();
      expect(() => dc.add(DynamicConfigValue.frontendRps(3), null as any)).toThrow(`DynamicConfig 'temporal-dynamic-config': values[1] is null; ${expected}`);
      expect(() => dc.add([plain as any])).toThrow(`values[0][0] is {"key":"frontend.rps","value":3}; ${expected} A plain object`);
      // Absent is none, as before: null stays a way to write no values.
      expect(() => inCluster(null)()).not.toThrow();
      expect(() => inCluster(undefined)()).not.toThrow();
    });

    test('a value or a constraint holds text that kubectl does not read back from the ConfigMap', () => {
      expect(() => make([DynamicConfigValue.of('history.TaskDLQErrorPattern', 'x\u0085y')])).toThrow(/^DynamicConfig 'dc': props\.values\[0\]\.value holds U\+0085/);
      expect(() => make([DynamicConfigValue.frontendNamespaceRps(100, 'orders\u2028')])).toThrow(/^DynamicConfigValue: constraints\.namespace holds U\+2028/);
    });

    test('the caller changes a value\'s value or constraints after creating it: the file, rendered at synth, took the change unchecked', () => {
      const constraints: { namespace: string; taskQueueName?: string } = { namespace: 'orders' };
      const value: Record<string, unknown> = { a: 1 };
      const { file } = make([DynamicConfigValue.of('frontend.namespaceRPS', 100, constraints), DynamicConfigValue.unchecked('x.y', value)]);
      constraints.taskQueueName = 'checkout'; // a constraint frontend.namespaceRPS ignores, which of() refuses
      value.b = 2;
      expect(parse(file())).toEqual({ 'frontend.namespaceRPS': [{ value: 100, constraints: { namespace: 'orders' } }], 'x.y': [{ value: { a: 1 } }] });
    });
    test('a DynamicConfig of its own names a release that is not in the table, whatever its keys', () => {
      const own = (release: unknown, values: DynamicConfigValue[]) => () => new DynamicConfig(testChart(), 'dc',
        { name: 'dc', namespace: 'temporal', labels: {}, release: release as string, values });
      for (const release of ['v1.31.5', '1.31', ' 1.31.5', '1.29.0', '1.33.0', '', 1.31]) {
        // A key every release registers was let through; a key of some releases was blamed for the release.
        for (const values of [[DynamicConfigValue.frontendRps(100)], [DynamicConfigValue.of('history.namespaceRPS', 100)]]) {
          expect(own(release, values)).toThrow(/^DynamicConfig 'dc': release is \S+.*; expected (a release such as "1\.32\.2"|one of the releases cdk8s-temporal)/);
        }
      }
      expect(own('1.30.0', [])).toThrow(/DynamicConfig 'dc': release is "1.30.0", which cannot be deployed because it is retracted upstream/);
      expect(own('1.31.5', [DynamicConfigValue.frontendRps(100)])).not.toThrow();
    });
    test('a value is not of its key\'s type in the registry', () => {
      expect(() => DynamicConfigValue.of('frontend.rps', 'lots')).toThrow(/DynamicConfigValue: value of frontend.rps is "lots"; expected an integer \(the key's type is int\)/);
      expect(() => DynamicConfigValue.of('activity.longPollTimeout', '70 seconds')).toThrow(/value of activity.longPollTimeout is "70 seconds"; expected a duration/);
      expect(() => DynamicConfigValue.of('activity.enableStandalone', 'yes')).toThrow(/expected true or false/);
      expect(() => DynamicConfigValue.of('history.timerProcessorSchedulerActiveRoundRobinWeights', [1])).toThrow(/expected a map/);
    });
    test('accepts each type as the server converts it', () => {
      expect(DynamicConfigValue.of('activity.longPollTimeout', '1h30m').value).toBe('1h30m');
      expect(DynamicConfigValue.of('activity.longPollTimeout', '2d').value).toBe('2d');
      expect(DynamicConfigValue.of('activity.longPollTimeout', 30).value).toBe(30);
      expect(DynamicConfigValue.of('frontend.rps', 100).value).toBe(100);
    });
    test('pollInterval is under 5s', () => {
      expect(() => make([], Duration.seconds(4))).toThrow(/DynamicConfig 'temporal-dynamic-config': pollInterval is "4s"; expected at least 5s/);
    });
    test('a key is set twice with the same constraints', () => {
      expect(() => make([DynamicConfigValue.frontendRps(1), DynamicConfigValue.frontendRps(2)])).toThrow(/value of frontend.rps is 2; expected one value per key and constraints/);
    });
    test('write partitions exceed read partitions', () => {
      expect(() => DynamicConfigValue.taskQueuePartitions({ read: 2, write: 4 })).toThrow(/write is 4; expected at most read \(2\). Lower write partitions first/);
    });
    test('a helper gets a non-positive or fractional number', () => {
      expect(() => DynamicConfigValue.frontendRps(0)).toThrow(/rps is 0; expected an integer at least 1/);
      expect(() => DynamicConfigValue.maxIdLength(2.5)).toThrow(/length is 2.5/);
    });
    test('a key is not in the server\'s registry', () => {
      expect(() => DynamicConfigValue.of('frontend.rsp', 1)).toThrow(/key is "frontend.rsp"; expected a key of the v1.32.2 server's dynamic config registry, or of an older release's \(1.30.1 and later\)\. Did you mean "frontend.rps"\?/);
    });
    test('the cluster\'s release does not register the key: added later, or renamed or removed before it', () => {
      const onRelease = (version: string, ...values: DynamicConfigValue[]) => cluster(testChart(), {
        version, acknowledgedAdvisories: TemporalVersion.advisoriesOf(version).map((advisory) => advisory.id), dynamicConfig: { values },
      });
      // Added in 1.32.0: a 1.31 server ignores it.
      expect(() => onRelease('1.31.5', DynamicConfigValue.of('history.namespaceRPS', 100, { namespace: 'orders' })))
        .toThrow(/DynamicConfig 'temporal-dynamic-config': key is "history.namespaceRPS"; expected a key release 1.31.5 registers \(this one is registered in 1.32.0-1.32.2\)\. The server would ignore it .* drop the value until the upgrade/);
      expect(() => onRelease('1.32.0', DynamicConfigValue.of('history.namespaceRPS', 100, { namespace: 'orders' }))).not.toThrow();
      // Added by the patches that fixed CVE-2026-87858, on two lines.
      const inspect = DynamicConfigValue.of('callback.inspectSourceHeader', true);
      expect(() => onRelease('1.31.2', inspect)).toThrow(/key is "callback.inspectSourceHeader"; expected a key release 1.31.2 registers \(this one is registered in 1.30.7-1.30.9, 1.31.3-1.32.2\)/);
      expect(() => onRelease('1.30.6', inspect)).toThrow(/expected a key release 1.30.6 registers/);
      for (const version of ['1.30.7', '1.31.3', '1.32.2']) expect(() => onRelease(version, inspect)).not.toThrow();
      // Renamed in 1.32.0: valid on 1.31.5, refused by the upgrade, with the new name.
      const allowed = DynamicConfigValue.of('component.callbacks.allowedAddresses', [{ Pattern: '*.orders.svc', AllowInsecure: true }], { namespace: 'orders' });
      expect(() => onRelease('1.31.5', allowed)).not.toThrow();
      expect(() => onRelease('1.32.2', allowed))
        .toThrow(/key is "component.callbacks.allowedAddresses"; expected a key release 1.32.2 registers \(this one is registered in 1.30.1-1.31.5\)\. .*Release 1.32.2 has callback.allowedAddresses; was it renamed\?/);
      expect(() => onRelease('1.32.2', DynamicConfigValue.of('frontend.pollWaitForNamespaceRateLimitToken', true)))
        .toThrow(/Release 1.32.2 has system.pollWaitForNamespaceRateLimitToken; was it renamed\?/);
      // A DynamicConfig of its own reads as the default release; unchecked stays the escape hatch.
      expect(() => make([allowed])).toThrow(/expected a key release 1.32.2 registers/);
      expect(() => onRelease('1.31.2', DynamicConfigValue.unchecked('callback.inspectSourceHeader', true))).not.toThrow();
    });

    test('the table of releases per key covers the known releases and agrees with the scan', () => {
      const history = releaseHistory as { scanned: string[]; notScanned: string[]; keys: Record<string, { releases: string[] }> };
      expect([...history.scanned, ...history.notScanned].sort()).toEqual(TemporalVersion.known().sort());
      const inRange = (v: string, ranges: readonly string[]) => ranges.some((r) => {
        const [a, b = a] = r.split('-');
        return compareVersions(v, a) >= 0 && compareVersions(v, b) <= 0;
      });
      for (const [key, { releases }] of nonEmpty(Object.entries(history.keys))) {
        for (const v of history.scanned) expect([key, v, inRange(v, DYNAMIC_CONFIG_RELEASES[key])]).toEqual([key, v, releases.includes(v)]);
      }
    });

    test('a constraint does not apply to the key', () => {
      expect(() => DynamicConfigValue.of('frontend.rps', 1, { namespace: 'a' })).toThrow(/constraints.namespace of frontend.rps is "a"; expected no constraints \(the key is global\)/);
      expect(() => DynamicConfigValue.of('frontend.namespaceRPS', 1, { taskQueueName: 'q' })).toThrow(/expected only namespace \(the key is set per namespace\)/);
    });
    test('a constraint is empty or shard 0, which the server reads as no constraint at all', () => {
      expect(() => DynamicConfigValue.of('frontend.namespaceRPS', 5, { namespace: '' }))
        .toThrow(/constraints.namespace of frontend.namespaceRPS is ""; expected a non-empty string. The server reads an empty constraint as no constraint/);
      expect(() => DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4 }, { namespace: 'orders', taskQueueName: '' })).toThrow(/constraints.taskQueueName of matching.numTaskqueueReadPartitions is ""/);
      expect(() => DynamicConfigValue.unchecked('some.newKey', 1, { destination: '' })).toThrow(/constraints.destination of some.newKey is ""/);
      expect(() => DynamicConfigValue.of('frontend.namespaceRPS', 5, { namespace: 7 as never })).toThrow(/constraints.namespace of frontend.namespaceRPS is 7; expected a non-empty string/);
      expect(() => DynamicConfigValue.of('history.ReplicationTaskProcessorCleanupInterval', '1m', { shardId: 0 }))
        .toThrow(/constraints.shardId of history.ReplicationTaskProcessorCleanupInterval is 0; expected an integer from 1 to 2147483647/);
      expect(DynamicConfigValue.of('history.ReplicationTaskProcessorCleanupInterval', '1m', { shardId: 1 }).constraints).toEqual({ shardId: 1 });
    });
    test('a taskQueueName constraint is text no task queue is named: whitespace or an invisible character at either end, a control character, a /_sys/ partition', () => {
      const R = 'matching.numTaskqueueReadPartitions';
      const ways = [
        (q: string) => DynamicConfigValue.of(R, 4, { taskQueueName: q }),
        (q: string) => DynamicConfigValue.unchecked('matching.someNewKey', 4, { taskQueueName: q }),
        (q: string) => DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4 }, { namespace: 'orders', taskQueueName: q })[0],
      ];
      const edge = fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u200b', '\u200e');
      const core = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,20}[A-Za-z0-9]$/);
      fc.assert(fc.property(core, edge, fc.boolean(), fc.constantFrom(0, 1, 2), (q, ws, front, way) => {
        const name = front ? `${ws}${q}` : `${q}${ws}`;
        // A character no manifest carries as written (U+2028, U+FEFF) is refused first, by the check every string of the props goes through.
        expect(() => ways[way](name)).toThrow(/^DynamicConfigValue: constraints.taskQueueName (of matching\.\w+ is ".*"; expected a task queue name: not empty, no control character, no whitespace or invisible character at either end, not under \/_sys\/.*\. The server compares it exactly|holds U\+)/s);
        // The name itself, as the workers poll it, is taken exactly.
        expect(ways[way](q).constraints.taskQueueName).toBe(q);
      }), { numRuns: 100 });
      for (const q of ['orders\u0000', 'a\u001b[0m', '/_sys/orders/1', 'orders\uD800']) {
        expect(() => ways[0](q)).toThrow(/constraints.taskQueueName (of matching.numTaskqueueReadPartitions is .*; expected a task queue name|holds )/);
      }
      // Inside the name, a space is the server's to take (a fleet refuses it for its env var). The length waits for the DynamicConfig's limit.maxIDLength, which may raise it.
      for (const q of ['orders queue', 'é'.repeat(501), 'temporal-sys-per-ns-tq', 'orders/_sys/']) expect(ways[0](q).constraints.taskQueueName).toBe(q);
    });
    test('a taskQueueName constraint is longer than the cluster\'s limit.maxIDLength, set before or after it: the frontend refuses the queue, so the value never applies', () => {
      const run = synthWith;
      const long = DynamicConfigValue.of('matching.numTaskqueueReadPartitions', 8, { taskQueueName: 'é'.repeat(60) });
      for (const [values, later] of [[[long, DynamicConfigValue.maxIdLength(110)], []], [[long], [DynamicConfigValue.of('limit.maxIDLength', 119)]]] as const) {
        expect(run([...values], [...later])).toThrow(/DynamicConfig '.*': constraints.taskQueueName of matching.numTaskqueueReadPartitions is "é{60}"; expected a task queue name of at most 1[01][09] bytes of UTF-8, the cluster's limit.maxIDLength \(this one has 120\)\. .*raise limit.maxIDLength \(DynamicConfigValue.maxIdLength\)/);
      }
      expect(run([long, DynamicConfigValue.maxIdLength(120)])).not.toThrow();
      expect(run([long])).not.toThrow();
    });
    test('a taskQueueName constraint is over the server\'s default limit.maxIDLength (1000 bytes) and no value raises it; a raised limit admits it, added before or after', () => {
      const run = synthWith;
      const long = DynamicConfigValue.of('matching.numTaskqueueReadPartitions', 8, { taskQueueName: 'é'.repeat(501) });
      expect(long.constraints.taskQueueName).toBe('é'.repeat(501));
      expect(run([long])).toThrow(/constraints.taskQueueName of matching.numTaskqueueReadPartitions is "é{501}"; expected a task queue name of at most 1000 bytes of UTF-8, the server's default limit.maxIDLength \(none is set\) \(this one has 1002\)\. .*set a higher limit.maxIDLength/);
      // The frontend holds a task queue to limit.maxIDLength alone (common/tqid), so a raised one admits the name.
      expect(run([long, DynamicConfigValue.maxIdLength(1002)])).not.toThrow();
      expect(run([long], [DynamicConfigValue.maxIdLength(4096)])).not.toThrow();
      expect(run([long, DynamicConfigValue.maxIdLength(1001)])).toThrow(/"é{501}"; expected a task queue name of at most 1001 bytes of UTF-8, the cluster's limit.maxIDLength \(this one has 1002\)/);
    });
    test('a namespace constraint is longer than the cluster\'s limit.maxIDLength, set before or after it: the frontend refuses every request of that namespace, so the value never applies', () => {
      const run = synthWith;
      const rps = DynamicConfigValue.frontendNamespaceRps(50, 'n'.repeat(41));
      for (const [values, later] of [[[rps, DynamicConfigValue.maxIdLength(120)], []], [[rps], [DynamicConfigValue.maxIdLength(120)]]] as const) {
        expect(run([...values], [...later])).toThrow(/DynamicConfig '.*': constraints.namespace of frontend.namespaceRPS is "n{41}"; expected a namespace name of at most 40 bytes of UTF-8, the cluster's limit\.maxIDLength less the 80 bytes the server's worker adds to it in its identity \(this one has 41\)\. The frontend refuses every request that names a longer namespace \("Namespace length exceeds limit."\)/);
      }
      expect(run([rps, DynamicConfigValue.maxIdLength(121)])).not.toThrow();
      expect(run([rps])).not.toThrow();
    });
    test('limit.maxIDLength is below 95 bytes, however it is given: the server\'s worker polls as "temporal-system@<pod name>@<namespace>", which the frontend would refuse', () => {
      const run = synthWith;
      for (const [values, later] of [[[DynamicConfigValue.maxIdLength(94)], []], [[], [DynamicConfigValue.of('limit.maxIDLength', 50)]], [[DynamicConfigValue.of('limit.maxIDLength', 1)], []]] as const) {
        expect(run([...values], [...later])).toThrow(/DynamicConfig '.*': limit.maxIDLength is (94|50|1); expected at least 95\. The server's worker polls as "temporal-system@<pod name>@<namespace>" .*"Identity length exceeds limit\."/);
      }
      expect(run([DynamicConfigValue.maxIdLength(95)])).not.toThrow();
      expect(run([], [DynamicConfigValue.maxIdLength(255)])).not.toThrow();
    });
    test('a namespace constraint spells a namespace the cluster declares in another case: the server matches it exactly, so the value applied to none', () => {
      const namespaces = [{ name: 'orders', retention: Duration.days(3) }, { name: 'Payments', retention: Duration.days(3) }];
      const withValues = (...values: DynamicConfigValue[]) => () => {
        const chart = testChart();
        cluster(chart, { namespaces, dynamicConfig: { values } });
        return parse(find(chart, 'ConfigMap', 'temporal-dynamic-config').data[DynamicConfig.FILE_NAME]);
      };
      expect(withValues(DynamicConfigValue.frontendNamespaceRps(100, 'Orders')))
        .toThrow(/dynamicConfig.values constraints.namespace of frontend.namespaceRPS is "Orders"; expected "orders", as namespaces declares it. The server matches the namespace constraint exactly/);
      expect(withValues(...DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4 }, { namespace: 'payments', taskQueueName: 'checkout' })))
        .toThrow(/constraints.namespace of matching.numTaskqueueReadPartitions is "payments"; expected "Payments"/);
      // Exact names, and namespaces the cluster does not declare (created elsewhere), pass.
      expect(withValues(DynamicConfigValue.frontendNamespaceRps(100, 'orders'), DynamicConfigValue.frontendNamespaceRps(50, 'billing'))()['frontend.namespaceRPS'])
        .toEqual([{ value: 100, constraints: { namespace: 'orders' } }, { value: 50, constraints: { namespace: 'billing' } }]);
    });
    test('fails when a value added with cluster.dynamicConfig.add() after the props spells a declared namespace in another case (any casing of any name)', () => {
      const name = fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/);
      fc.assert(fc.property(name, fc.array(fc.boolean(), { minLength: 22, maxLength: 22 }), (declared, flips) => {
        const spelt = [...declared].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join('');
        fc.pre(spelt !== declared);
        const later = (ns: string) => () => {
          const chart = testChart();
          cluster(chart, { namespaces: [{ name: declared, retention: Duration.days(3) }] }).dynamicConfig.add(DynamicConfigValue.frontendNamespaceRps(100, ns));
          Testing.synth(chart);
        };
        expect(later(spelt)).toThrow(`dynamicConfig constraints.namespace of frontend.namespaceRPS is "${spelt}"; expected "${declared}", as namespaces declares it`);
        expect(later(declared)).not.toThrow();
      }), { numRuns: 25 });
    });
    test('a namespaceId constraint is not a namespace id (a name, an upper-case UUID), which the server\'s exact match never finds', () => {
      const key = 'history.SkipReapplicationByNamespaceID';
      for (const id of ['orders', 'F47AC10B-58CC-4372-A567-0E02B2C3D479', 'f47ac10b58cc4372a5670e02b2c3d479', '{f47ac10b-58cc-4372-a567-0e02b2c3d479}']) {
        expect(() => DynamicConfigValue.of(key, true, { namespaceId: id })).toThrow(`DynamicConfigValue: constraints.namespaceId of ${key} is "${id}"; expected a namespace id: a lower-case UUID`);
        expect(() => DynamicConfigValue.unchecked('some.newKey', true, { namespaceId: id })).toThrow(/constraints.namespaceId of some.newKey is/);
      }
      expect(DynamicConfigValue.of(key, true, { namespaceId: 'f47ac10b-58cc-4372-a567-0e02b2c3d479' }).constraints).toEqual({ namespaceId: 'f47ac10b-58cc-4372-a567-0e02b2c3d479' });
    });
    test('a namespace constraint is no namespace name (" orders", "a b", a line break), which matches no namespace: accepted before, the value was never used', () => {
      for (const namespace of [' orders', 'orders ', 'a b', 'a\nb', '{{ .Env }}', '-orders']) {
        expect(() => DynamicConfigValue.of('frontend.namespaceRPS', 5, { namespace })).toThrow(/DynamicConfigValue: constraints.namespace of frontend.namespaceRPS is .*; expected a Temporal namespace name/);
        expect(() => DynamicConfigValue.unchecked('some.newKey', 5, { namespace })).toThrow(/constraints.namespace of some.newKey is .*; expected a Temporal namespace name/);
      }
      expect(() => DynamicConfigValue.frontendNamespaceRps(100, 'a b')).toThrow(/constraints.namespace of frontend.namespaceRPS is "a b"/);
      expect(DynamicConfigValue.of('frontend.namespaceRPS', 5, { namespace: 'Orders.v2_eu-1' }).constraints).toEqual({ namespace: 'Orders.v2_eu-1' });
    });
    test('frontendNamespaceRps gets an empty namespace (an unset variable): the limit silently applied to every namespace', () => {
      expect(() => DynamicConfigValue.frontendNamespaceRps(100, '')).toThrow(/constraints.namespace of frontend.namespaceRPS is ""; expected a non-empty string/);
      // Left out, it is the cluster-wide value on purpose.
      expect(DynamicConfigValue.frontendNamespaceRps(100).constraints).toEqual({});
      expect(DynamicConfigValue.frontendNamespaceRps(100, 'payments').constraints).toEqual({ namespace: 'payments' });
    });
    test('a task queue type comes without a namespace and a task queue name, so no lookup of the server ever matches it', () => {
      for (const partial of [{}, { namespace: 'orders' }, { taskQueueName: 'checkout' }]) {
        expect(() => DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4 }, { ...partial, taskQueueType: TaskQueueType.WORKFLOW }))
          .toThrow(/constraints.taskQueueType of matching.numTaskqueueReadPartitions is "Workflow"; expected no value unless namespace and taskQueueName are set too/);
      }
      expect(DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4 }, { taskQueueName: 'checkout' })[0].constraints).toEqual({ taskQueueName: 'checkout' });
    });
    test('a constraint value the server cannot parse, which fails the whole file', () => {
      expect(() => DynamicConfigValue.of('matching.numTaskqueueReadPartitions', 4, { namespace: 'a', taskQueueName: 'q', taskQueueType: 'workflow' as never }))
        .toThrow(/constraints.taskQueueType of matching.numTaskqueueReadPartitions is "workflow"; expected one of "Workflow", "Activity"/);
      expect(() => DynamicConfigValue.of('history.standbyTaskMissingEventsDiscardDelay', '5m', { historyTaskType: 'transferActivityTask' }))
        .toThrow(/constraints.historyTaskType of history.standbyTaskMissingEventsDiscardDelay is "transferActivityTask"; expected a history task type .* Did you mean "TransferActivityTask"\?/);
      expect(() => DynamicConfigValue.of('history.standbyTaskMissingEventsDiscardDelay', '5m', { historyTaskType: 'Unspecified' })).toThrow(/historyTaskType/);
      for (const t of ['TransferActivityTask', 'TASK_TYPE_TRANSFER_ACTIVITY_TASK', 'ReplicationSyncHsm', 'TASK_TYPE_REPLICATION_SYNC_HSM']) {
        expect(DynamicConfigValue.of('history.standbyTaskMissingEventsDiscardDelay', '5m', { historyTaskType: t }).constraints.historyTaskType).toBe(t);
      }
      const newer = DynamicConfigValue.of('history.standbyTaskMissingEventsDiscardDelay', '5m', { historyTaskType: 'WorkerCommands' });
      expect(() => new DynamicConfig(testChart(), 'dc', { name: 'dc', namespace: 'temporal', labels: {}, release: '1.31.5', values: [newer] }))
        .toThrow(/constraints.historyTaskType of history.standbyTaskMissingEventsDiscardDelay is "WorkerCommands"; expected a history task type release 1.31.5 knows \(this one is new in 1.32.0\)/);
      expect(() => new DynamicConfig(testChart(), 'dc', { name: 'dc', namespace: 'temporal', labels: {}, release: '1.32.0', values: [newer] })).not.toThrow();
    });
    test('a shard id is above the cluster\'s shard count', () => {
      const shard = (shardId: number) => DynamicConfigValue.of('history.ReplicationTaskProcessorCleanupInterval', '1m', { shardId });
      expect(() => cluster(testChart(), { numHistoryShards: 32, dynamicConfig: { values: [shard(33)] } }))
        .toThrow(/constraints.shardId of history.ReplicationTaskProcessorCleanupInterval is 33; expected a shard of the cluster, from 1 to numHistoryShards \(32\)/);
      const c = cluster(testChart(), { numHistoryShards: 32, dynamicConfig: { values: [shard(32)] } });
      expect(() => c.dynamicConfig.add(shard(34))).toThrow(/shardId .* is 34/);
    });
    test('an unchecked key is not a dotted key or the value is not serialisable', () => {
      expect(() => DynamicConfigValue.unchecked('frontend rps', 1)).toThrow(/key is "frontend rps"; expected a dotted dynamic config key/);
      expect(() => DynamicConfigValue.unchecked('frontend.rps', undefined)).toThrow(/value of frontend.rps is undefined/);
      // JSON would write these as null or {}, which the server reads without a word.
      expect(() => DynamicConfigValue.unchecked('future.rate', NaN)).toThrow(/value of future.rate is NaN; expected a string, a boolean, a finite number/);
      expect(() => DynamicConfigValue.unchecked('future.limits', { a: [1, Infinity] })).toThrow(/value of future.limits.a\[1\] is Infinity/);
      expect(() => DynamicConfigValue.unchecked('future.map', new Map([['a', 1]]))).toThrow(/value of future.map is \{\}; .* Object.fromEntries/);
      expect(() => DynamicConfigValue.unchecked('future.when', { at: new Date(0) })).toThrow(/value of future.when.at is/);
      expect(() => DynamicConfigValue.unchecked('future.id', 1n)).toThrow(/value of future.id is/);
      expect(() => DynamicConfigValue.unchecked('future.f', () => 1)).toThrow(/value of future.f is/);
      expect(DynamicConfigValue.unchecked('future.ok', { a: [1, 'x', true, null, { b: -2.5 }] }).value).toEqual({ a: [1, 'x', true, null, { b: -2.5 }] });
    });
  });
});

describe('task queue partitions across the whole file', () => {
  const W = 'matching.numTaskqueueWritePartitions';
  const R = 'matching.numTaskqueueReadPartitions';
  /** Synthesizes a cluster with `values`, then adds `later` through cluster.dynamicConfig.add, as an app may. */
  const synth = (values: DynamicConfigValue[], later: DynamicConfigValue[] = []) => () => {
    const chart = testChart();
    const c = cluster(chart, { dynamicConfig: { values } });
    c.dynamicConfig.add(...later);
    Testing.synth(chart);
  };

  test('more write than read partitions given through DynamicConfigValue.of are refused, naming where each value comes from', () => {
    // taskQueuePartitions refused write > read, while the same keys through of() reached the file:
    // tasks written to the partitions nobody polls would be stranded.
    expect(synth([DynamicConfigValue.of(W, 8)])).toThrow(
      "DynamicConfig 'temporal-dynamic-config': matching.numTaskqueueWritePartitions for every task queue is 8 (the value set for every task queue); "
      + "expected at most matching.numTaskqueueReadPartitions there, 4 (the server's default). Tasks written to a partition no poller reads are stranded.");
    expect(synth([DynamicConfigValue.of(R, 2), DynamicConfigValue.of(W, 8)])).toThrow(/numTaskqueueWritePartitions for every task queue is 8 \(the value set for every task queue\); expected at most matching.numTaskqueueReadPartitions there, 2 \(the value set for every task queue\)/);
    expect(synth([DynamicConfigValue.of(R, 2, { namespace: 'orders' })])).toThrow(
      /numTaskqueueWritePartitions for namespace "orders" is 4 \(the server's default\); expected at most matching.numTaskqueueReadPartitions there, 2 \(the value set for namespace "orders"\)/);
    expect(synth(DynamicConfigValue.taskQueuePartitions({ read: 8, write: 8 }), [DynamicConfigValue.of(W, 16, { namespace: 'orders', taskQueueName: 'checkout' })]))
      .toThrow(/numTaskqueueWritePartitions for namespace "orders", taskQueueName "checkout" is 16 \(the value set for namespace "orders", taskQueueName "checkout"\); expected at most .* there, 8 \(the value set for every task queue\)/);
    expect(synth(DynamicConfigValue.taskQueuePartitions({ read: 8, write: 8 }, { namespace: 'orders', taskQueueName: 'checkout' }),
      [DynamicConfigValue.of(W, 16, { namespace: 'orders', taskQueueName: 'checkout', taskQueueType: TaskQueueType.ACTIVITY })]))
      .toThrow(/numTaskqueueWritePartitions for namespace "orders", taskQueueName "checkout", taskQueueType "Activity" is 16 \(the value set for namespace "orders", taskQueueName "checkout", taskQueueType "Activity"\); expected at most .* there, 8 \(the value set for namespace "orders", taskQueueName "checkout"\)/);
  });

  test('fails when one key comes from a namespace\'s value and the other from a task queue name\'s: each pair was fine where it was set, and queue "checkout" of namespace "orders" wrote to 8 partitions and read 4', () => {
    // The server tries { namespace, taskQueueName }, then { taskQueueName }, then { namespace }: for
    // orders/checkout read comes from the task queue name's value and write from the namespace's.
    expect(synth([...DynamicConfigValue.taskQueuePartitions({ read: 8, write: 8 }, { namespace: 'orders' }), DynamicConfigValue.of(R, 4, { taskQueueName: 'checkout' })])).toThrow(
      /numTaskqueueWritePartitions for namespace "orders", taskQueueName "checkout" is 8 \(the value set for namespace "orders"\); expected at most matching.numTaskqueueReadPartitions there, 4 \(the value set for taskQueueName "checkout"\)/);
    // The same pair given for the queue name too passes.
    expect(synth([...DynamicConfigValue.taskQueuePartitions({ read: 8, write: 8 }, { namespace: 'orders' }),
      ...DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4 }, { taskQueueName: 'checkout' })])).not.toThrow();
  });

  test('as many or fewer write than read partitions pass, whatever the order the values come in', () => {
    expect(synth([DynamicConfigValue.of(W, 8)], [DynamicConfigValue.of(R, 8)])).not.toThrow();
    expect(synth([DynamicConfigValue.of(W, 2)])).not.toThrow();
    expect(synth([DynamicConfigValue.of(R, 16), DynamicConfigValue.of(W, 8), DynamicConfigValue.of(W, 16, { namespace: 'orders' })])).not.toThrow();
    expect(synth(DynamicConfigValue.taskQueuePartitions({ read: 8, write: 8 }, { namespace: 'orders', taskQueueName: 'checkout' }))).not.toThrow();
  });
});
