import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, ClusterLockContents, ClusterTls, Datastore, IssuerKind, LockedCluster, Persistence, SecretRef, TemporalCluster, TemporalClusterProps } from '../lib';
import { messageOf } from './support/errors';

/*
 * Each role serves its internode gRPC port over TLS or plaintext, never both, and dials its peers
 * as its own config says: a rolling change of whether the cluster has `tls` leaves old and new pods
 * unable to call each other. The lock records it (internodeTls) and refuses a change on a locked
 * cluster; a change of certificates alone is none (lib/cluster/lock-internode-tls.ts).
 */
const password = SecretRef.of('db', 'password');
const KEY = 'temporal/temporal';
const SCALE = 'kubectl scale deployment -n temporal -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=temporal --replicas=0';
const AUTHORIZATION = { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks'] };

/** Every way of giving a cluster tls the tests try, each with its internode TLS on. */
const TLS_VARIANTS: Record<string, () => ClusterTls> = {
  'secrets, internode only': () => ClusterTls.fromSecrets({ internode: 'internode-tls' }),
  'secrets, with frontend': () => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' }),
  'other secrets, frontend without client certificates': () => ClusterTls.fromSecrets({ internode: 'internode-2', frontend: 'frontend-2', requireClientAuth: false }),
  'cert-manager': () => ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }),
  'cert-manager, another issuer, no frontend': () => ClusterTls.certManager({ issuer: { name: 'other-ca' }, frontend: false }),
};

interface Shape {
  /** A key of TLS_VARIANTS; undefined: no tls. */
  readonly tls?: string;
  /** An internal frontend (under an authorizer): its port is internode too. */
  readonly internalFrontend?: boolean;
  /** Another name, moved from the entry of `previously` (same databases). */
  readonly moved?: { name: string; previously: string };
}

function build({ tls, internalFrontend, moved }: Shape = {}): { app: App; chart: Chart; cluster: TemporalCluster } {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'temporal', disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'visibility', user: 'u', password }),
  });
  const props: TemporalClusterProps = {
    numHistoryShards: 512, persistence, ...(tls === undefined ? {} : { tls: TLS_VARIANTS[tls]() }),
    ...(internalFrontend ? { internalFrontend: {}, authorization: AUTHORIZATION } : {}),
    ...(moved ? { name: moved.name, previously: moved.previously, clusterName: 'temporal' } : {}),
  };
  return { app, chart, cluster: new TemporalCluster(chart, 'temporal', props) };
}

/** A lock holding the entry a first synth of `shape` wrote, with internodeTls as it wrote it, or left out (an entry of an older library). */
function lockAfter(shape: Shape, entry: 'as written' | 'older' = 'as written'): ClusterLock {
  const first = ClusterLock.inMemory();
  first.check(build(shape).app);
  const { internodeTls: _dropped, ...older } = first.contents.clusters[KEY];
  return entry === 'older' ? ClusterLock.inMemory({ clusters: { [KEY]: older } }) : first;
}

function withEntry(lock: ClusterLock, change: Partial<LockedCluster>): ClusterLock {
  const contents: ClusterLockContents = { clusters: { [KEY]: { ...lock.contents.clusters[KEY], ...change } } };
  return ClusterLock.inMemory(contents);
}

describe('the lock records internodeTls', () => {
  test('a first synth records whether the cluster has tls, false too', () => {
    expect(lockAfter({}).contents.clusters[KEY].internodeTls).toBe(false);
    expect(lockAfter({ tls: 'cert-manager' }).contents.clusters[KEY].internodeTls).toBe(true);
  });

  test('fails when tls is added to a locked cluster that ran without it, naming the prop, both values and the stop-the-cluster procedure', () => {
    const lock = lockAfter({});
    const before = JSON.stringify(lock.contents);
    const message = messageOf(() => lock.check(build({ tls: 'cert-manager' }).app));
    expect(message).toContain(`cluster ${KEY}: internodeTls is locked at false (the cluster ran without tls), but the app now gives tls, which makes it true.`);
    expect(message).toContain('during a rolling change the old pods and the new cannot call each other');
    expect(message).toContain(`${SCALE}, wait until no pod of it runs, set "internodeTls": true in the entry ${KEY} of the lock file, synthesize and apply`);
    // The membership ports turn only if asked.
    expect(message).toContain('set "membershipTls": true in the entry as well');
    expect(message).toContain('Or leave tls out.');
    expect(JSON.stringify(lock.contents)).toBe(before);
  });

  test('fails when tls is removed from a locked cluster that ran with it, from Secrets or from cert-manager', () => {
    for (const tls of ['secrets, with frontend', 'cert-manager']) {
      const message = messageOf(() => lockAfter({ tls }).check(build().app));
      expect(message).toContain(`cluster ${KEY}: internodeTls is locked at true (the cluster ran with tls), but the app now gives no tls, which makes it false.`);
      expect(message).toContain(`set "internodeTls": false in the entry ${KEY} of the lock file`);
      expect(message).not.toContain('membershipTls');
      expect(message).toContain('Or keep tls (other certificates, Secrets or cert-manager instead of Secrets are no change).');
    }
  });

  test('fails when a moved cluster (previously) changes it: the pods of the entry it was still run on its databases until the rollout ends', () => {
    const message = messageOf(() => lockAfter({}).check(build({ tls: 'cert-manager', moved: { name: 'orders', previously: KEY } }).app));
    expect(message).toContain(`cluster temporal/orders (locked as ${KEY}): internodeTls is locked at false`);
    expect(message).toContain(`${SCALE}, wait until no pod of it runs, set "internodeTls": true in the entry ${KEY} of the lock file`);
    const lock = lockAfter({ tls: 'cert-manager' });
    lock.check(build({ tls: 'secrets, with frontend', moved: { name: 'orders', previously: KEY } }).app);
    expect(lock.contents.clusters['temporal/orders'].internodeTls).toBe(true);
  });

  test('passes a change of certificates alone: other Secrets, cert-manager for Secrets, another issuer, the frontend\'s TLS on or off, an internal frontend', () => {
    const names = Object.keys(TLS_VARIANTS);
    for (const from of names) {
      for (const to of names) {
        const lock = lockAfter({ tls: from });
        expect(() => lock.check(build({ tls: to, internalFrontend: to.length % 2 === 0 }).app)).not.toThrow();
        expect(lock.contents.clusters[KEY].internodeTls).toBe(true);
      }
    }
  });

  test('fails when tls goes from a cluster whose older entry records membershipTls: the lock writes that field for a cluster with tls alone', () => {
    const lock = lockAfter({ tls: 'cert-manager' }, 'older');
    expect(lock.contents.clusters[KEY].membershipTls).toBeDefined();
    expect(() => lock.check(build({}).app)).toThrow(`cluster ${KEY}: internodeTls is locked at true (the entry records membershipTls, which the lock writes for a cluster with tls alone), but the app now gives no tls`);
  });

  test('the stop-the-cluster remedy says an autoscaled frontend does not come back by itself: its Deployment has no replicas, and its autoscaler does not scale up from 0', () => {
    expect(() => lockAfter({}).check(build({ tls: 'cert-manager' }).app)).toThrow('an autoscaled frontend does not, as its autoscaler does not scale up from 0: kubectl scale it to its minReplicas');
  });

  test('an entry written before the lock recorded the field refuses nothing, and records what the app says from then on', () => {
    for (const [was, now] of [[undefined, 'cert-manager'], ['cert-manager', undefined]] as const) {
      const lock = lockAfter({ tls: was }, 'older');
      // An entry from before membershipTls too: nothing says whether its cluster had tls.
      delete (lock.contents.clusters[KEY] as { membershipTls?: boolean }).membershipTls;
      expect(lock.contents.clusters[KEY].internodeTls).toBeUndefined();
      lock.check(build({ tls: now }).app);
      expect(lock.contents.clusters[KEY].internodeTls).toBe(now !== undefined);
      // Recorded: the next change is refused.
      expect(() => lock.check(build({ tls: was }).app)).toThrow(`internodeTls is locked at ${now !== undefined}`);
    }
  });

  test('the remedy works: with the entry set by hand, the synth passes, and membershipTls follows only when set too', () => {
    const lock = lockAfter({});
    const edited = withEntry(lock, { internodeTls: true });
    edited.check(build({ tls: 'cert-manager' }).app);
    expect(edited.contents.clusters[KEY]).toMatchObject({ internodeTls: true, membershipTls: false });
    const both = withEntry(lock, { internodeTls: true, membershipTls: true });
    both.check(build({ tls: 'cert-manager' }).app);
    expect(both.contents.clusters[KEY]).toMatchObject({ internodeTls: true, membershipTls: true });
  });

  test('fails when a locked entry holds internodeTls that is no boolean', () => {
    const lock = lockAfter({});
    expect(() => withEntry(lock, { internodeTls: 'false' as unknown as boolean })).toThrow(/entry "temporal\/temporal" of ClusterLock.inMemory has internodeTls "false"; expected true or false/);
  });

  test('a change is refused exactly when a recorded value differs from whether the app has tls, for every lock state and every way of giving tls', () => {
    const variant = fc.option(fc.constantFrom(...Object.keys(TLS_VARIANTS)), { nil: undefined });
    const state = fc.constantFrom<'as written' | 'older' | 'new'>('as written', 'older', 'new');
    fc.assert(fc.property(variant, variant, state, fc.boolean(), fc.boolean(), (was, now, entry, ifeBefore, ifeAfter) => {
      const lock = entry === 'new' ? ClusterLock.inMemory() : lockAfter({ tls: was, internalFrontend: ifeBefore && was !== undefined }, entry);
      const before = JSON.stringify(lock.contents);
      const app = build({ tls: now, internalFrontend: ifeAfter && now !== undefined }).app;
      // An older entry of a cluster with tls has membershipTls, which says so.
      const recorded = entry === 'as written' ? was !== undefined : entry === 'older' && was !== undefined ? true : undefined;
      if (recorded !== undefined && recorded !== (now !== undefined)) {
        const message = messageOf(() => lock.check(app));
        expect(message).toContain(`internodeTls is locked at ${recorded}`);
        expect(message).toContain(`set "internodeTls": ${now !== undefined} in the entry ${KEY}`);
        expect(message).toContain(SCALE);
        expect(JSON.stringify(lock.contents)).toBe(before);
      } else {
        lock.check(app);
        expect(lock.contents.clusters[KEY].internodeTls).toBe(now !== undefined);
      }
    }), { numRuns: 60 });
  });

  describe('an entry with neither internodeTls nor membershipTls', () => {
    const command = Symbol.for('cdk8s-temporal.synth-command');
    const global = globalThis as Record<symbol, unknown>;
    const UNRECORDED = 'was written before the lock recorded internodeTls, and nothing in it tells whether the cluster ran with tls';
    /** The summary's warnings about an unrecorded internodeTls, of a synth of `shape` checked by `lock`, as the cdk8s-temporal command collects them. */
    const warningsOf = (shape: Shape, lock: ClusterLock) => {
      const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: true, locks: [] };
      global[command] = run;
      try {
        lock.check(build(shape).app);
        return (run.warnings ?? []).filter((w) => w.includes(UNRECORDED));
      } finally {
        delete global[command];
      }
    };
    /** An entry of an older library: without internodeTls, and without membershipTls either (before that field, or a cluster without tls). */
    const oldest = (shape: Shape) => {
      const lock = lockAfter(shape, 'older');
      delete (lock.contents.clusters[KEY] as { membershipTls?: boolean }).membershipTls;
      return lock;
    };

    test('the synth summary warns once: the lock records what the app says at this synth, and a change of tls must come with the stop of the cluster', () => {
      for (const now of [undefined, 'cert-manager']) {
        const lock = oldest({});
        const [warning, ...more] = warningsOf({ tls: now }, lock);
        expect(more).toEqual([]);
        expect(warning).toContain(`cluster ${KEY}: the lock's entry ${KEY} ${UNRECORDED}.`);
        expect(warning).toContain(`This synth records "internodeTls": ${now !== undefined} (the app ${now ? 'gives tls' : 'gives no tls'}), and later synths refuse a change of it.`);
        expect(warning).toContain(`If the pods that run now were deployed ${now ? 'without' : 'with'} tls, applying this output is such a change`);
        expect(warning).toContain(`${SCALE}, wait until no pod of it runs, and apply (the Deployments come back at their replicas`);
        expect(lock.contents.clusters[KEY].internodeTls).toBe(now !== undefined);
        // Recorded: the next synth reads the field and says nothing.
        expect(warningsOf({ tls: now }, lock)).toEqual([]);
      }
    });

    test('a moved cluster names the entry it was', () => {
      expect(warningsOf({ tls: 'cert-manager', moved: { name: 'orders', previously: KEY } }, oldest({})).join())
        .toContain(`cluster temporal/orders (locked as ${KEY}): the lock's entry ${KEY} ${UNRECORDED}`);
    });

    test('fails when the warning is missing or shows where a recorded field already tells, for every lock state and every way of giving tls', () => {
      const variant = fc.option(fc.constantFrom(...Object.keys(TLS_VARIANTS)), { nil: undefined });
      const state = fc.constantFrom<'as written' | 'older' | 'oldest' | 'new'>('as written', 'older', 'oldest', 'new');
      fc.assert(fc.property(variant, variant, state, (was, now, entry) => {
        const lock = entry === 'new' ? ClusterLock.inMemory() : entry === 'oldest' ? oldest({ tls: was }) : lockAfter({ tls: was }, entry);
        // An older entry of a cluster with tls has membershipTls, which says so; one without has neither field.
        const recorded = entry === 'as written' ? was !== undefined : entry === 'older' && was !== undefined ? true : undefined;
        const unrecorded = entry === 'oldest' || (entry === 'older' && was === undefined);
        if (recorded !== undefined && recorded !== (now !== undefined)) {
          expect(() => warningsOf({ tls: now }, lock)).toThrow('internodeTls is locked at');
        } else {
          expect(warningsOf({ tls: now }, lock)).toHaveLength(unrecorded ? 1 : 0);
        }
      }), { numRuns: 60 });
    });
  });
});

