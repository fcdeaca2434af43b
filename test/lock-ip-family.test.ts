import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, ClusterLockContents, Datastore, IpFamily, Persistence, SecretRef, TemporalCluster } from '../lib';
import { carriedOut, IP_FAMILY_CHANGES } from './support/ip-family-changes';
import { messageOf } from './support/errors';

/*
 * Kubernetes never changes a Service's first IP family, and keeps the families a stored Service
 * holds when the applied one leaves them out. IPv4 (and the prop left out) names no family, so a
 * change from IPv6 to IPv4 applied without an error and left every Service IPv6 while the app and
 * its user believed IPv4. ClusterLock records what it knows of the Services' families and refuses,
 * at synth, each change Kubernetes would not carry out (lib/cluster/lock-ip-family.ts).
 */
const password = SecretRef.of('db', 'password');
const KEY = 'temporal/temporal';

/** A value of the prop: one of IpFamily, or left out. */
type Value = IpFamily | undefined;
const VALUES: readonly Value[] = [undefined, IpFamily.IPV4, IpFamily.IPV6, IpFamily.DUAL_STACK];
const shown = (v: Value) => v ?? 'unset';

function app(ipFamily: Value, { namespace = 'temporal', name = 'temporal', previously, ui }: { namespace?: string; name?: string; previously?: string; ui?: boolean } = {}): App {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'visibility', user: 'u', password }),
  });
  new TemporalCluster(chart, name, { numHistoryShards: 512, persistence, ...(ipFamily === undefined ? {} : { ipFamily }), ...(previously ? { previously, clusterName: 'temporal' } : {}), ...(ui ? { ui: {} } : {}) });
  return a;
}

/** A lock after a first synth of `first`. */
function lockedWith(first: Value): ClusterLock {
  const lock = ClusterLock.inMemory();
  lock.check(app(first));
  return lock;
}

/**
 * Each pair (the value the lock recorded on a first synth, the next value), with whether the lock
 * refuses the change and why. Kubernetes: a Service's first family is fixed; IPv6 names it on every
 * Service; IPv4, unset and DualStack name none, so the stored first family stays.
 */
const MATRIX: Record<string, Record<string, [refused: boolean, why: string]>> = {
  unset: {
    unset: [false, 'nothing changes'],
    IPv4: [false, 'the same Services; IPv4 is taken as the Kubernetes cluster\'s family, as a first install takes it'],
    IPv6: [false, 'an IPv6-only cluster that left the prop out has IPv6 Services already; elsewhere the apply is refused, loudly'],
    DualStack: [false, 'Kubernetes adds the second family'],
  },
  IPv4: {
    unset: [false, 'the same Services'],
    IPv4: [false, 'nothing changes'],
    IPv6: [true, 'the first family would change: the apply is refused'],
    DualStack: [false, 'Kubernetes adds IPv6 second'],
  },
  IPv6: {
    unset: [true, 'no family named: the apply succeeds and the Services stay IPv6'],
    IPv4: [true, 'no family named: the apply succeeds and the Services stay IPv6'],
    IPv6: [false, 'nothing changes'],
    DualStack: [false, 'Kubernetes adds IPv4 second, IPv6 first'],
  },
  DualStack: {
    unset: [false, 'the second family is dropped'],
    IPv4: [false, 'the second family is dropped; IPv4 is taken as the cluster\'s first'],
    IPv6: [true, 'the Services hold the cluster\'s first family, IPv4 on most dual-stack clusters: the apply is refused there'],
    DualStack: [false, 'nothing changes'],
  },
};

const PAIRS = VALUES.flatMap((from) => VALUES.map((to) => [shown(from), shown(to), from, to] as const));

describe('ClusterLock and ipFamily', () => {
  test.each(PAIRS.filter(([from, to]) => MATRIX[from][to][0]))('fails when ipFamily goes from %s to %s, naming ipFamily, both values, what Kubernetes would do and the remedy', (from, to, fromValue, toValue) => {
    const lock = lockedWith(fromValue);
    const before = JSON.stringify(lock.contents);
    const message = messageOf(() => lock.check(app(toValue)));
    expect(message).toContain(`cluster ${KEY}: ipFamily is locked at ${from}`);
    expect(message).toContain(toValue === undefined ? 'the app now leaves it out (IpFamily.IPV4, the default)' : `the app now says ${to}`);
    expect(message).toMatch(toValue === IpFamily.IPV6 ? /never changes a Service's first family in place: the apply would be refused/ : /the apply would succeed and every Service would stay IPv6/);
    expect(message).toContain('remove "ipFamily" from the entry temporal/temporal of the lock file');
    expect(message).toContain('kubectl delete service -n temporal -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=temporal;');
    expect(message).toContain(`To move the cluster to ${toValue ?? 'IPv4'}`);
    expect(JSON.stringify(lock.contents)).toBe(before);
  });

  test.each(PAIRS.filter(([from, to]) => !MATRIX[from][to][0]))('passes when ipFamily goes from %s to %s', (_from, _to, fromValue, toValue) => {
    const lock = lockedWith(fromValue);
    expect(() => lock.check(app(toValue))).not.toThrow();
  });

  test('the matrix covers every pair of values, each with its reason', () => {
    expect(PAIRS).toHaveLength(16);
    for (const [from, to] of PAIRS) expect(MATRIX[from][to][1]).not.toBe('');
  });

  test('refuses exactly the changes the kube test measured as not carried out (test/support/ip-family-changes.ts)', () => {
    for (const change of IP_FAMILY_CHANGES) {
      const lock = lockedWith(change.steps[0]);
      for (const step of change.steps.slice(1, -1)) lock.check(app(step));
      const refused = (() => {
        try {
          lock.check(app(change.steps[change.steps.length - 1]));
          return false;
        } catch {
          return true;
        }
      })();
      expect([change.steps.join(' -> '), refused]).toEqual([change.steps.join(' -> '), !carriedOut(change)]);
    }
  });

  test('records the declared value, and nothing for an app that leaves the prop out (its entry stays as it was)', () => {
    for (const value of VALUES) expect(lockedWith(value).contents.clusters[KEY].ipFamily).toBe(value);
    expect(Object.keys(lockedWith(undefined).contents.clusters[KEY])).not.toContain('ipFamily');
  });

  /*
   * The first family a value declared stays known through the values that name none: IPv6, then
   * DualStack, then IPv4 applies and leaves IPv6 (measured), and IPv4 left out and then IPv6 is
   * refused at apply. A model of what the lock knows, over generated histories.
   */
  test('fails when a first family declared earlier would change, through any number of values that name none', () => {
    const next = (known: Value, value: Value): Value => (value === IpFamily.IPV4 || value === IpFamily.IPV6 ? value : known ?? value);
    const refusedAfter = (known: Value, value: Value) => (known === IpFamily.IPV6 && (value === undefined || value === IpFamily.IPV4))
      || ((known === IpFamily.IPV4 || known === IpFamily.DUAL_STACK) && value === IpFamily.IPV6);
    fc.assert(fc.property(fc.array(fc.constantFrom(...VALUES), { minLength: 2, maxLength: 6 }), (values) => {
      const lock = ClusterLock.inMemory();
      let known: Value;
      for (const value of values) {
        const refused = (() => {
          try {
            lock.check(app(value));
            return false;
          } catch (e) {
            expect((e as Error).message).toContain(`ipFamily is locked at ${known}`);
            return true;
          }
        })();
        expect(refused).toBe(refusedAfter(known, value));
        if (!refused) known = next(known, value);
        expect(lock.contents.clusters[KEY].ipFamily).toBe(known);
      }
    }), { numRuns: 40 });
  });

  test.each([
    [[IpFamily.IPV6, IpFamily.DUAL_STACK, IpFamily.IPV4], 'IPv6'],
    [[IpFamily.IPV6, IpFamily.DUAL_STACK, undefined], 'IPv6'],
    [[IpFamily.IPV4, undefined, IpFamily.IPV6], 'IPv4'],
    [[IpFamily.IPV4, IpFamily.DUAL_STACK, IpFamily.IPV6], 'IPv4'],
    [[IpFamily.DUAL_STACK, undefined, IpFamily.IPV6], 'DualStack'],
  ] as Array<[Value[], string]>)('fails when %j changes the first family through a value that names none (locked at %s)', (values, lockedAt) => {
    const lock = lockedWith(values[0]);
    lock.check(app(values[1]));
    expect(messageOf(() => lock.check(app(values[2])))).toContain(`ipFamily is locked at ${lockedAt}`);
  });

  test('passes any value over an entry written before the lock recorded ipFamily, and records it', () => {
    for (const [from, to] of PAIRS.map(([, , f, t]) => [f, t] as const)) {
      const entry = { ...lockedWith(from).contents.clusters[KEY] } as Record<string, unknown>;
      delete entry.ipFamily;
      const lock = ClusterLock.inMemory({ clusters: { [KEY]: entry } } as unknown as ClusterLockContents);
      expect(() => lock.check(app(to))).not.toThrow();
      expect(lock.contents.clusters[KEY].ipFamily).toBe(to);
    }
  });

  test('an old lock file without ipFamily reads, and its next synth records the declared value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-ip-family-'));
    try {
      const path = join(dir, 'temporal.lock.json');
      ClusterLock.file(path).synth(app(undefined));
      const old = readFileSync(path, 'utf-8');
      expect(old).not.toContain('ipFamily');
      ClusterLock.file(path).synth(app(undefined));
      expect(readFileSync(path, 'utf-8')).toBe(old);
      ClusterLock.file(path).synth(app(IpFamily.IPV6));
      expect(JSON.parse(readFileSync(path, 'utf-8')).clusters[KEY].ipFamily).toBe('IPv6');
      const message = messageOf(() => ClusterLock.file(path).synth(app(IpFamily.IPV4)));
      expect(message).toContain(path);
      expect(message).toContain('ipFamily is locked at IPv6');
      // The remedy the message gives: the entry without the field takes the new value.
      const lock = JSON.parse(readFileSync(path, 'utf-8'));
      delete lock.clusters[KEY].ipFamily;
      writeFileSync(path, JSON.stringify(lock, null, 2));
      ClusterLock.file(path).synth(app(IpFamily.IPV4));
      expect(JSON.parse(readFileSync(path, 'utf-8')).clusters[KEY].ipFamily).toBe('IPv4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('passes any value for a cluster moved to another name or namespace (previously): its Services are new', () => {
    for (const [from, to] of PAIRS.filter(([f, t]) => MATRIX[f][t][0]).map(([, , f, t]) => [f, t] as const)) {
      const lock = lockedWith(from);
      expect(() => lock.check(app(to, { name: 'orders', previously: KEY }))).not.toThrow();
      expect(lock.contents.clusters['temporal/orders'].ipFamily).toBe(to);
      const moved = lockedWith(from);
      expect(() => moved.check(app(to, { namespace: 'other', previously: KEY }))).not.toThrow();
    }
  });

  test('passes when two apps of one cdk8s-temporal synth write one cluster that leaves the prop out over an entry that knows its family; fails when they declare two values', () => {
    const command = Symbol.for('cdk8s-temporal.synth-command');
    const global = globalThis as Record<symbol, unknown>;
    global[command] = { check: true, locks: [] };
    try {
      const lock = ClusterLock.inMemory(lockedWith(IpFamily.IPV4).contents);
      lock.check(app(undefined));
      lock.check(app(undefined));
      expect(lock.contents.clusters[KEY].ipFamily).toBe(IpFamily.IPV4);
      expect(() => lock.check(app(IpFamily.DUAL_STACK))).toThrow(/declared by two apps of this synth/);
    } finally {
      delete global[command];
    }
  });

  test('fails when an entry\'s ipFamily is no value of the prop', () => {
    const entry = lockedWith(IpFamily.IPV6).contents.clusters[KEY];
    for (const bad of ['ipv6', 'IPV6', 'Dual', '', 6, null, ['IPv6'], true]) {
      const message = messageOf(() => ClusterLock.inMemory({ clusters: { [KEY]: { ...entry, ipFamily: bad } } } as unknown as ClusterLockContents));
      expect(message).toContain(`has ipFamily ${JSON.stringify(bad)}; expected one of "IPv4", "IPv6", "DualStack"`);
    }
  });

  /*
   * The lock reads the prop: a JSON patch of a Service's families or policy would write Services
   * of another family than the lock records (lib/cluster/written-objects.ts).
   */
  const servicesOf = (a: App) => a.node.findAll().filter((o): o is ApiObject => o instanceof ApiObject && o.kind === 'Service');
  const specOf = (o: ApiObject, field: string) => JSON.stringify((o.toJson() as { spec: Record<string, unknown> }).spec[field]);

  test('fails when a JSON patch changes a Service\'s ipFamilies or ipFamilyPolicy, whichever Service, value and operation', () => {
    type Patch = readonly [field: string, patch: (path: string) => JsonPatch];
    const patches: fc.Arbitrary<Patch> = fc.oneof(
      fc.constantFrom(['IPv6'], ['IPv4'], ['IPv6', 'IPv4'], ['IPv4', 'IPv6']).map((v): Patch => ['ipFamilies', (path) => JsonPatch.add(path, v)]),
      fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack').map((v): Patch => ['ipFamilyPolicy', (path) => JsonPatch.add(path, v)]),
      fc.constantFrom('ipFamilies', 'ipFamilyPolicy').map((f): Patch => [f, (path) => JsonPatch.remove(path)]),
    );
    fc.assert(fc.property(fc.constantFrom(...VALUES), fc.nat(), patches, (ipFamily, n, [field, patch]) => {
      const a = app(ipFamily, { ui: true });
      const services = servicesOf(a);
      const service = services[n % services.length];
      const before = specOf(service, field);
      service.addJsonPatch(patch(`/spec/${field}`));
      let after: string;
      try {
        after = specOf(service, field);
      } catch {
        return; // a removal of a field the Service does not write: cdk8s refuses the patch itself
      }
      if (after === before) return;
      const message = messageOf(() => Testing.synth(a.node.findChild('c') as Chart));
      expect(message).toContain(`a JSON patch of Service ${service.name} (${service.node.path}) changes ${field}`);
      expect(message).toMatch(new RegExp(`changes ${field}(\\.\\d+)? from `));
      expect(message).toContain('Remove the patch and set ipFamily.');
    }), { numRuns: 60 });
  });

  test('passes with a patch of a Service\'s annotations or ports', () => {
    const a = app(IpFamily.IPV6, { ui: true });
    for (const service of servicesOf(a)) {
      service.addJsonPatch(JsonPatch.add('/metadata/annotations', { team: 'x' }), JsonPatch.replace('/spec/ports/0/name', 'renamed'));
    }
    expect(() => Testing.synth(a.node.findChild('c') as Chart)).not.toThrow();
  });
});

describe('a store on an IPv6 address in the lock file', () => {
  const appOn = (host: string) => {
    const a = Testing.app();
    const chart = new Chart(a, 'c', { namespace: 'temporal' });
    const password = SecretRef.of('db', 'password');
    new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: new Persistence(chart, 'p', {
      defaultStore: Datastore.postgres({ host, database: 'temporal', user: 'u', password }),
      visibilityStore: Datastore.postgres({ host, database: 'visibility', user: 'u', password }),
    }) });
    return a;
  };
  test('fails when the lock writes an IPv6 store unbracketed (postgres://fd00::1:5432/temporal, where the port reads as part of the address), or reads an entry an older version wrote so as another store', () => {
    for (const host of ['fd00::1', '[fd00::1]', '2001:db8::5432']) {
      const lock = ClusterLock.inMemory();
      lock.check(appOn(host));
      const bare = host.replace(/^\[|\]$/g, '');
      expect(lock.contents.clusters['temporal/temporal'].persistence).toEqual({ default: `postgres://[${bare}]:5432/temporal`, visibility: `postgres://[${bare}]:5432/visibility` });
      // An entry written unbracketed, as before, is the same store, rewritten bracketed.
      const entry = lock.contents.clusters['temporal/temporal'];
      const older = ClusterLock.inMemory({ clusters: { 'temporal/temporal': { ...entry, persistence: { default: `postgres://${bare}:5432/temporal`, visibility: `postgres://${bare}:5432/visibility` } } } });
      older.check(appOn(host));
      expect(older.contents.clusters['temporal/temporal'].persistence.default).toBe(`postgres://[${bare}]:5432/temporal`);
    }
  });

  test('fails when a migration declared from an IPv6 store in the older, unbracketed spelling (copied from an older lock or message) is refused as undeclared, or an older entry keeps that spelling in migratedFrom', () => {
    const appMoved = (from: string) => {
      const a = Testing.app();
      const chart = new Chart(a, 'c', { namespace: 'temporal' });
      const password = SecretRef.of('db', 'password');
      new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistenceMigration: { from: [from] }, persistence: new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: 'fd00::2', database: 'temporal', user: 'u', password }),
        visibilityStore: Datastore.postgres({ host: 'fd00::1', database: 'visibility', user: 'u', password }),
      }) });
      return a;
    };
    for (const from of ['postgres://fd00::1:5432/temporal', 'postgres://[fd00::1]:5432/temporal']) {
      // The lock as this version writes it (bracketed), the migration as an older one printed the store.
      const lock = ClusterLock.inMemory();
      lock.check(appOn('fd00::1'));
      lock.check(appMoved(from));
      expect(lock.contents.clusters['temporal/temporal'].migratedFrom).toEqual(['postgres://[fd00::1]:5432/temporal']);
      // An entry an older version wrote, migratedFrom included, is rewritten bracketed.
      const entry = { ...lock.contents.clusters['temporal/temporal'], migratedFrom: ['postgres://fd00::1:5432/temporal'] };
      const older = ClusterLock.inMemory({ clusters: { 'temporal/temporal': entry } });
      older.check(appMoved(from));
      expect(older.contents.clusters['temporal/temporal'].migratedFrom).toEqual(['postgres://[fd00::1]:5432/temporal']);
    }
  });
});
