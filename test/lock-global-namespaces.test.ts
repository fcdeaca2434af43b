import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, ClusterLockContents, Datastore, Persistence, SecretRef, TemporalCluster, TemporalClusterProps } from '../lib';

/*
 * Lock entries written before the lock recorded enableGlobalNamespace or initialFailoverVersion:
 * what the lock does with the field it lacks, on the synth that reads it and on the ones after.
 */

const KEY = 'temporal/temporal';
const UNRECORDED = /the lock's entry temporal\/temporal was written before the lock recorded (enableGlobalNamespace|initialFailoverVersion)/;

function app(props: Partial<TemporalClusterProps> = {}): App {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace: 'temporal' });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password: SecretRef.of('db', 'password') }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password: SecretRef.of('db', 'password') }),
  });
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ...props });
  return a;
}

/** The entry of a synth of `props`, less `drop` (as an older library wrote it). */
function older(props: Partial<TemporalClusterProps>, ...drop: Array<'enableGlobalNamespace' | 'initialFailoverVersion'>): ClusterLockContents {
  const lock = ClusterLock.inMemory();
  lock.check(app(props));
  const entry: Record<string, unknown> = { ...lock.contents.clusters[KEY] };
  for (const field of drop) delete entry[field];
  return { clusters: { [KEY]: entry as never } };
}

/** The check of `props` by `lock`, with the summary warnings that match `kind` (about an unrecorded field), as the cdk8s-temporal command collects them. */
function warningsOf(lock: ClusterLock, props: Partial<TemporalClusterProps>, kind = UNRECORDED): string[] {
  const command = Symbol.for('cdk8s-temporal.synth-command');
  const global = globalThis as Record<symbol, unknown>;
  const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: true, locks: [] };
  global[command] = run;
  try {
    lock.check(app(props));
    return (run.warnings ?? []).filter((w) => kind.test(w));
  } finally {
    delete global[command];
  }
}

const GLOBAL = { enableGlobalNamespace: true, initialFailoverVersion: 3 };

describe('an entry written before the lock recorded enableGlobalNamespace or initialFailoverVersion', () => {
  test('fails when an entry without initialFailoverVersion (global namespaces on) is read as changed, or when what the next synth records lets a later change slip by', () => {
    const lock = ClusterLock.inMemory(older(GLOBAL, 'initialFailoverVersion'));
    // Nothing to compare with: the synth passes, whatever the app says, and records what it says.
    const warnings = warningsOf(lock, { ...GLOBAL, initialFailoverVersion: 7 });
    expect(lock.contents.clusters[KEY].initialFailoverVersion).toBe(7);
    // Once, naming the value recorded, why it may not be the server's, and how to see the server's.
    expect(warnings).toEqual([expect.stringMatching(/written before the lock recorded initialFailoverVersion.*records "initialFailoverVersion": 7.*temporal operator cluster describe/)]);
    // From then on the lock holds it, and warns no more.
    expect(() => lock.check(app({ ...GLOBAL, initialFailoverVersion: 5 }))).toThrow(/initialFailoverVersion is locked at 7 but the app now says 5/);
    expect(warningsOf(lock, { ...GLOBAL, initialFailoverVersion: 7 })).toEqual([]);
  });

  test('fails when an entry without enableGlobalNamespace is silent: nothing in it tells whether global namespaces were ever on (generated)', () => {
    fc.assert(fc.property(fc.boolean(), fc.integer({ min: 1, max: 9 }), (on, version) => {
      const lock = ClusterLock.inMemory(older({}, 'enableGlobalNamespace'));
      const props = on ? { enableGlobalNamespace: true, initialFailoverVersion: version } : { initialFailoverVersion: version };
      const warnings = warningsOf(lock, props);
      expect(lock.contents.clusters[KEY].enableGlobalNamespace).toBe(on);
      expect(warnings).toEqual([expect.stringMatching(on
        ? /written before the lock recorded enableGlobalNamespace.*records "enableGlobalNamespace": true and "initialFailoverVersion": \d.*temporal operator cluster describe/
        : /written before the lock recorded enableGlobalNamespace.*records "enableGlobalNamespace": false.*never turns them off.*enableGlobalNamespace: true/)]);
      // Recorded: turning them off is refused from then on, and a changed version too once on.
      if (on) expect(() => lock.check(app({}))).toThrow(/enableGlobalNamespace is locked at true but the app now says false/);
      if (on) expect(() => lock.check(app({ enableGlobalNamespace: true, initialFailoverVersion: (version % 9) + 1 }))).toThrow(/initialFailoverVersion is locked at/);
      expect(warningsOf(lock, props)).toEqual([]);
    }), { numRuns: 12 });
  });

  test('passes silently for entries that record the fields: off (the server takes the value when they are turned on), on with a version', () => {
    for (const [before, after] of [[{}, GLOBAL], [{}, {}], [GLOBAL, GLOBAL]] as const) {
      const lock = ClusterLock.inMemory(older(before));
      expect(warningsOf(lock, after)).toEqual([]);
    }
  });
});

describe('the synth that turns global namespaces on', () => {
  const TURNED_ON = /global namespaces are turned on, and the server stores initialFailoverVersion/;
  const turnedOnNotes = (lock: ClusterLock, props: Partial<TemporalClusterProps>) => warningsOf(lock, props, TURNED_ON);

  test('fails when it passes without a note that the initial failover version is stored now, for life (two clusters left at the default 1 never replicate)', () => {
    for (const version of [undefined, 4]) {
      const lock = ClusterLock.inMemory(older({}));
      expect(turnedOnNotes(lock, { enableGlobalNamespace: true, initialFailoverVersion: version })).toEqual([expect.stringMatching(
        new RegExp(`^cluster temporal/temporal: global namespaces are turned on, and the server stores initialFailoverVersion ${version ?? 1} at this start, for the cluster's life.*give this one another now, below failoverVersionIncrement 10, before applying\\.$`))]);
      // Once: the synths after compare with what the lock recorded.
      expect(turnedOnNotes(lock, { enableGlobalNamespace: true, initialFailoverVersion: version })).toEqual([]);
    }
    // Nor while they stay off, nor for a cluster new to the lock (no entry to compare with), nor an entry that never recorded the field (its own warning).
    expect(turnedOnNotes(ClusterLock.inMemory(older({})), {})).toEqual([]);
    expect(turnedOnNotes(ClusterLock.inMemory(), GLOBAL)).toEqual([]);
    expect(turnedOnNotes(ClusterLock.inMemory(older({}, 'enableGlobalNamespace')), GLOBAL)).toEqual([]);
  });
});
