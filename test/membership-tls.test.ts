import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, ClusterLockContents, ClusterTls, Datastore, DynamicConfigValue, Persistence, SecretRef, TemporalCluster, TemporalClusterProps } from '../lib';
import { GO_NOT_TRUE, GO_TRUE } from './support/go-bool';
import { messageOf } from './support/errors';

/*
 * Under `tls` the membership (ringpop) ports serve TLS too, unless membershipTls says otherwise.
 * Each role reads system.enableRingpopTLS once, at start, and a pod with one value cannot gossip
 * with a pod with the other: the lock records the value, keeps an older entry's (what its dynamic
 * config said, off without it) and refuses a change on a locked cluster (lib/cluster/membership-tls.ts).
 */
const password = SecretRef.of('db', 'password');
const KEY = 'temporal/temporal';
const TLS = ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' });
const SWITCH = 'system.enableRingpopTLS';

interface Shape {
  readonly tls?: boolean;
  readonly membershipTls?: boolean;
  /** A value of the switch, given as the user gives it (unchecked, in `key`'s spelling), after the cluster is built. */
  readonly switched?: { key: string; value: unknown };
}

function build({ tls = true, membershipTls, switched }: Shape = {}): { app: App; chart: Chart; cluster: TemporalCluster } {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'temporal', disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'visibility', user: 'u', password }),
  });
  const props: TemporalClusterProps = { numHistoryShards: 512, persistence, ...(tls ? { tls: TLS } : {}), ...(membershipTls === undefined ? {} : { membershipTls }) };
  const cluster = new TemporalCluster(chart, 'temporal', props);
  if (switched) cluster.dynamicConfig.add(DynamicConfigValue.unchecked(switched.key, switched.value));
  return { app, chart, cluster };
}

/** The dynamic config file as the ConfigMap holds it. */
function dynamicConfigFile(chart: Chart): string {
  return Testing.synth(chart).find((o) => o.kind === 'ConfigMap' && o.data?.['dynamic_config.yaml'] !== undefined).data['dynamic_config.yaml'];
}

/** The membership switch as the file writes it: the value of its one line, or undefined when the file has none. */
function writtenSwitch(file: string): string | undefined {
  const lines = file.split('\n');
  const at = lines.findIndex((l) => l.toLowerCase() === `${SWITCH.toLowerCase()}:`);
  return at < 0 ? undefined : /^ {2}- value: (.*)$/.exec(lines[at + 1])![1];
}

/** Whether the server reads the switch's `value` as true (Go's strconv.ParseBool, for a string). */
const readsTrue = (value: unknown) => value === true || GO_TRUE.includes(value as string);

/** A lock holding the entry a first synth of `shape` wrote, with `membershipTls` as `locked` says (absent: an entry of an older library). */
function lockWith(locked: boolean | 'absent', shape: Shape = {}): ClusterLock {
  const first = ClusterLock.inMemory();
  first.check(build(shape).app);
  const { membershipTls: _dropped, ...entry } = first.contents.clusters[KEY];
  const contents: ClusterLockContents = { clusters: { [KEY]: locked === 'absent' ? entry : { ...entry, membershipTls: locked } } };
  return ClusterLock.inMemory(contents);
}

describe('membershipTls', () => {
  test('a new cluster with tls serves its membership ports over TLS: the library writes the switch, and the lock records it', () => {
    const { app, chart } = build();
    const lock = ClusterLock.inMemory();
    lock.check(app);
    const file = dynamicConfigFile(chart);
    expect(writtenSwitch(file)).toBe('true');
    expect(file).toMatchSnapshot();
    expect(lock.contents.clusters[KEY].membershipTls).toBe(true);
  });

  test('without a lock the ports stay plaintext unless membershipTls says true: upgrading the library never flips a running cluster', () => {
    // An older version deployed every tls cluster with plaintext membership ports; with no lock
    // entry there is nothing to tell such a cluster from a new one, and a rollout would split its ring.
    expect(writtenSwitch(dynamicConfigFile(build().chart))).toBeUndefined();
    expect(writtenSwitch(dynamicConfigFile(build({ membershipTls: true }).chart))).toBe('true');
  });

  test('fails when the switch is given with constraints, which the server never reads for a global key', () => {
    const { chart, cluster } = build();
    cluster.dynamicConfig.add(DynamicConfigValue.unchecked('System.EnableRingpopTLS', true, { namespace: 'orders' }));
    expect(() => Testing.synth(chart)).toThrow(/dynamicConfig System\.EnableRingpopTLS is \{"namespace":"orders"\}; expected no constraints \(the key is global\)/);
  });

  test('without tls nothing is written, and the entry stays as it was (no field)', () => {
    const { app, chart } = build({ tls: false });
    const lock = ClusterLock.inMemory();
    lock.check(app);
    expect(writtenSwitch(dynamicConfigFile(chart))).toBeUndefined();
    expect(Object.keys(lock.contents.clusters[KEY])).not.toContain('membershipTls');
  });

  test('membershipTls: false keeps the ports plaintext: no switch written, the lock records false', () => {
    const { app, chart } = build({ membershipTls: false });
    const lock = ClusterLock.inMemory();
    lock.check(app);
    expect(writtenSwitch(dynamicConfigFile(chart))).toBeUndefined();
    expect(lock.contents.clusters[KEY].membershipTls).toBe(false);
  });

  test('fails when membershipTls is true without tls, naming the prop, the value and the remedy', () => {
    expect(() => build({ tls: false, membershipTls: true })).toThrow(
      /TemporalCluster 'temporal': membershipTls is true; expected false or no value while the cluster has no tls\. .*exit at start\. Give the cluster tls/);
    expect(() => build({ tls: false, membershipTls: false })).not.toThrow();
    expect(() => build({ membershipTls: 'yes' as unknown as boolean })).toThrow(/membershipTls is "yes"; expected true or false/);
  });

  test('fails when the switch in the dynamic config contradicts membershipTls, in any spelling of the key and any string the server reads', () => {
    const spelling = fc.constantFrom(SWITCH, SWITCH.toLowerCase(), SWITCH.toUpperCase(), 'System.EnableRingpopTls');
    const asTrue = fc.constantFrom<unknown>(true, ...GO_TRUE);
    const asFalse = fc.constantFrom<unknown>(false, ...GO_NOT_TRUE);
    fc.assert(fc.property(fc.boolean(), spelling, fc.boolean(), asTrue, asFalse, (prop, key, agrees, t, f) => {
      const value = prop === agrees ? t : f;
      const synth = () => dynamicConfigFile(build({ membershipTls: prop, switched: { key, value } }).chart);
      if (agrees) {
        // The user's value stands alone: the library adds no second one.
        expect(writtenSwitch(synth())).toBe(JSON.stringify(value));
      } else {
        expect(synth).toThrow(`TemporalCluster 'temporal': dynamicConfig ${key} is ${JSON.stringify(value)}; expected ${prop}, as membershipTls says, or no value. `
          + `The server would read it as ${!prop}.`);
      }
    }), { numRuns: 200 });
  });

  test('the switch alone declares the value: off keeps the ports plaintext on a new cluster, and the lock records it', () => {
    for (const value of [false, ...GO_NOT_TRUE]) {
      const { app, chart } = build({ switched: { key: SWITCH, value } });
      const lock = ClusterLock.inMemory();
      lock.check(app);
      expect(writtenSwitch(dynamicConfigFile(chart))).toBe(JSON.stringify(value));
      expect(lock.contents.clusters[KEY].membershipTls).toBe(false);
    }
  });

  test('fails when a switch added after the lock checked a locked cluster changes its value', () => {
    for (const [locked, value] of [[true, false], [true, 'F'], [false, true], [false, '1']] as const) {
      const { app, cluster } = build();
      lockWith(locked).check(app);
      cluster.dynamicConfig.add(DynamicConfigValue.unchecked('System.EnableRingpopTLS', value));
      expect(() => app.synth()).toThrow(`cluster ${KEY}: membershipTls is locked at ${locked}, but the app now says dynamicConfig System.EnableRingpopTLS: ${JSON.stringify(value)}.`);
    }
    // The same value added late is no change.
    const { app, cluster } = build();
    lockWith(true).check(app);
    cluster.dynamicConfig.add(DynamicConfigValue.unchecked(SWITCH, 'true'));
    expect(() => app.synth()).not.toThrow();
  });

  test('an entry written before the lock recorded the field keeps what its cluster ran: off, or on when its switch said so; never flipped by the upgrade', () => {
    const old = build();
    const lock = lockWith('absent');
    lock.check(old.app);
    expect(writtenSwitch(dynamicConfigFile(old.chart))).toBeUndefined();
    expect(lock.contents.clusters[KEY].membershipTls).toBe(false);
    // The next synth, against what it recorded, stays off.
    const next = build();
    lock.check(next.app);
    expect(writtenSwitch(dynamicConfigFile(next.chart))).toBeUndefined();
    // An app that turned it on by the switch ran it on.
    const switchedOn = build({ switched: { key: SWITCH, value: 'true' } });
    const lock2 = lockWith('absent');
    lock2.check(switchedOn.app);
    expect(lock2.contents.clusters[KEY].membershipTls).toBe(true);
    expect(writtenSwitch(dynamicConfigFile(switchedOn.chart))).toBe('"true"');
  });

  test('fails when a locked entry holds membershipTls that is no boolean', () => {
    const { membershipTls: _m, ...entry } = lockWith(true).contents.clusters[KEY];
    expect(() => ClusterLock.inMemory({ clusters: { [KEY]: { ...entry, membershipTls: 'true' as unknown as boolean } } })).toThrow(/has membershipTls "true"; expected true or false/);
  });

  // Every locked value (absent: an older entry) against every declaration (the prop, the switch, both agreeing, none).
  const locked = fc.constantFrom<boolean | 'absent'>(true, false, 'absent');
  const declaration = fc.record({
    membershipTls: fc.option(fc.boolean(), { nil: undefined }),
    switchedValue: fc.option(fc.constantFrom<unknown>(true, false, ...GO_TRUE, ...GO_NOT_TRUE), { nil: undefined }),
  }).filter(({ membershipTls, switchedValue }) => membershipTls === undefined || switchedValue === undefined || readsTrue(switchedValue) === membershipTls);

  test('a change on a locked cluster is refused, naming membershipTls, both values and the remedy; anything else keeps the recorded value', () => {
    fc.assert(fc.property(locked, declaration, (lockedValue, { membershipTls, switchedValue }) => {
      const switched = switchedValue === undefined ? undefined : { key: SWITCH, value: switchedValue };
      const switchOn = switchedValue === undefined ? undefined : readsTrue(switchedValue);
      // An older entry's cluster ran what its switch said; the prop did not exist then.
      const was = lockedValue === 'absent' ? switchOn ?? false : lockedValue;
      const declared = membershipTls ?? switchOn;
      const lock = lockWith(lockedValue);
      const before = JSON.stringify(lock.contents);
      const { app, chart } = build({ membershipTls, switched });
      if (declared !== undefined && declared !== was) {
        const message = messageOf(() => lock.check(app));
        expect(message).toContain(`cluster ${KEY}: membershipTls is locked at ${was}`);
        expect(message).toContain(membershipTls !== undefined ? `the app now says membershipTls: ${declared}` : `the app now says dynamicConfig ${SWITCH}: ${JSON.stringify(switchedValue)}`);
        expect(message).toContain('the ring splits in two');
        expect(message).toContain(`kubectl scale deployment -n temporal -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=temporal --replicas=0`);
        expect(message).toContain(`set "membershipTls": ${declared} in the entry ${KEY} of the lock file`);
        expect(message).toContain(`Or keep membershipTls: ${was}.`);
        expect(JSON.stringify(lock.contents)).toBe(before);
      } else {
        lock.check(app);
        expect(lock.contents.clusters[KEY].membershipTls).toBe(was);
        const written = writtenSwitch(dynamicConfigFile(chart));
        expect(written === undefined ? false : ['true', ...GO_TRUE.map((v) => JSON.stringify(v))].includes(written)).toBe(was);
      }
    }), { numRuns: 300 });
  });

  describe('the synth summary warns when a cluster with tls serves its membership ports plaintext and the app never said so', () => {
    const command = Symbol.for('cdk8s-temporal.synth-command');
    const global = globalThis as Record<symbol, unknown>;
    /** The summary's warnings of a synth of `shape` checked by `lock` (none: no lock), as the cdk8s-temporal command collects them. */
    const warningsOf = (shape: Shape, lock: ClusterLock | undefined) => {
      const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: true, locks: [] };
      global[command] = run;
      try {
        const { app, chart } = build(shape);
        lock?.check(app);
        app.synth();
        return { warnings: (run.warnings ?? []).filter((w) => w.includes('membership (ringpop) ports serve plaintext')), file: dynamicConfigFile(chart) };
      } finally {
        delete global[command];
      }
    };

    test('fails when tls added to a locked cluster leaves its membership ports plaintext unsaid: the warning names the cluster and the procedure', () => {
      const first = ClusterLock.inMemory();
      first.check(build({ tls: false }).app);
      expect(first.contents.clusters[KEY].membershipTls).toBeUndefined();
      // Adding tls is refused first (lib/cluster/lock-internode-tls.ts); its procedure sets internodeTls in the entry, and membershipTls only if asked.
      expect(() => warningsOf({}, first)).toThrow(`cluster ${KEY}: internodeTls is locked at false`);
      const lock = ClusterLock.inMemory({ clusters: { [KEY]: { ...first.contents.clusters[KEY], internodeTls: true } } });
      const { warnings, file } = warningsOf({}, lock);
      // Kept off, as the lock's rule says (each role reads the switch once), and recorded so.
      expect(writtenSwitch(file)).toBeUndefined();
      expect(lock.contents.clusters[KEY].membershipTls).toBe(false);
      expect(warnings).toEqual([`TemporalCluster 'temporal' has tls, but its membership (ringpop) ports serve plaintext: the lock's entry ${KEY} was written while its pods ran them plaintext `
        + '(before the lock recorded membershipTls, or before the cluster had tls), and a rolling change would split the ring. To serve them over TLS, stop the whole cluster: '
        + 'kubectl scale deployment -n temporal -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=temporal --replicas=0, wait until no pod of it runs, '
        + `set "membershipTls": true in the entry ${KEY} of the lock file, synthesize and apply (the Deployments come back at their replicas; an autoscaled frontend does not, `
        + `as its autoscaler does not scale up from 0: kubectl scale it to its minReplicas). Set membershipTls: false to keep them so (and silence this warning); `
        + 'then only NetworkPolicies keep other pods off those ports.']);
      // The next synth, against the entry that now records false, still warns; the procedure ends it.
      expect(warningsOf({}, lock).warnings).toEqual([expect.stringContaining(`the lock's entry ${KEY} records membershipTls false, and a rolling change would split the ring.`)]);
      const fixed = ClusterLock.inMemory({ clusters: { [KEY]: { ...lock.contents.clusters[KEY], membershipTls: true } } });
      const after = warningsOf({}, fixed);
      expect(after.warnings).toEqual([]);
      expect(writtenSwitch(after.file)).toBe('true');
    });

    test('warns exactly when tls is on, the ports are plaintext and neither membershipTls nor the switch says so, for every lock state', () => {
      const lockState = fc.constantFrom<boolean | 'absent' | 'new' | 'none'>(true, false, 'absent', 'new', 'none');
      fc.assert(fc.property(lockState, declaration, fc.boolean(), (state, { membershipTls, switchedValue }, tls) => {
        const switched = switchedValue === undefined ? undefined : { key: SWITCH, value: switchedValue };
        const switchOn = switchedValue === undefined ? undefined : readsTrue(switchedValue);
        const declared = membershipTls ?? switchOn;
        if (!tls && (membershipTls === true || declared === true)) return; // refused without tls, another rule
        const lock = state === 'none' ? undefined : state === 'new' ? ClusterLock.inMemory() : lockWith(state, { tls });
        const was = state === 'none' ? false : state === 'new' ? true : state === 'absent' ? switchOn ?? false : state;
        if (lock && state !== 'new' && declared !== undefined && declared !== was) return; // refused by the lock, another test
        const { warnings, file } = warningsOf({ tls, membershipTls, switched }, lock);
        const on = tls && (declared ?? was);
        const written = writtenSwitch(file);
        expect(written === undefined ? false : ['true', ...GO_TRUE.map((v) => JSON.stringify(v))].includes(written)).toBe(on);
        expect(warnings.length).toBe(tls && !on && declared === undefined ? 1 : 0);
        if (warnings.length) expect(warnings[0]).toContain(lock ? 'To serve them over TLS, stop the whole cluster' : 'without a ClusterLock the library cannot tell a new cluster');
      }), { numRuns: 80 });
    });
  });

  test('the remedy works: with the entry set by hand to the new value, the synth passes and writes it', () => {
    const lock = lockWith(false);
    expect(() => lock.check(build({ membershipTls: true }).app)).toThrow(/membershipTls is locked at false/);
    const edited = ClusterLock.inMemory({ clusters: { [KEY]: { ...lock.contents.clusters[KEY], membershipTls: true } } });
    const { app, chart } = build({ membershipTls: true });
    edited.check(app);
    expect(writtenSwitch(dynamicConfigFile(chart))).toBe('true');
    // And once recorded, leaving the prop out keeps it.
    const later = build();
    edited.check(later.app);
    expect(writtenSwitch(dynamicConfigFile(later.chart))).toBe('true');
  });
});
