import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ArchivalOptions, ArchivalProvider, ClusterLock, ClusterLockContents, Datastore, Persistence, SecretRef, TemporalCluster } from '../lib';
import { messageOf } from './support/errors';

/*
 * Temporal keeps a namespace's archival URI for life (the frontend refuses another: "Cannot update
 * existing archival URI"), and a namespace takes the cluster's URI when archival is turned on in
 * it. A changed archival.<kind>.uri moved no namespace: those on the old one went on archiving
 * there (or, with another scheme, failed every archive). ClusterLock records the URIs and refuses
 * a change (lib/cluster/lock-archival.ts).
 */
const password = SecretRef.of('db', 'password');
const KEY = 'temporal/temporal';
type Kind = 'history' | 'visibility';
const FIELD: Record<Kind, 'historyArchivalUri' | 'visibilityArchivalUri'> = { history: 'historyArchivalUri', visibility: 'visibilityArchivalUri' };

/** An archival target at `uri`, with the provider of its scheme. */
function target(uri: string) {
  const provider = uri.startsWith('s3://') ? ArchivalProvider.s3({ region: 'eu-west-1' })
    : uri.startsWith('gs://') ? ArchivalProvider.gcs() : ArchivalProvider.filestore({ claimName: 'archive' });
  return { provider, uri };
}

function app(archival?: Partial<Record<Kind, string>>): App {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace: 'temporal' });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'visibility', user: 'u', password }),
  });
  const options: ArchivalOptions | undefined = archival && Object.fromEntries(Object.entries(archival).map(([kind, uri]) => [kind, target(uri!)]));
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ...(options ? { archival: options } : {}) });
  return a;
}

const recorded = (lock: ClusterLock) => lock.contents.clusters[KEY] as unknown as Record<string, unknown>;

/** URIs of each scheme the providers serve: other buckets, prefixes and schemes. */
const URIS = ['s3://archive-a/temporal', 's3://archive-b/temporal', 's3://archive-a/other', 'gs://archive-a/temporal', 'gs://archive-c/temporal', 'file:///archive/history', 'file:///archive/other'];

describe('the lock and the archival URIs', () => {
  test('records the URI of each kind the cluster archives, none without archival (the default app\'s lock is unchanged)', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ history: 's3://archive-a/temporal', visibility: 'gs://archive-a/visibility' }));
    expect(recorded(lock)).toMatchObject({ historyArchivalUri: 's3://archive-a/temporal', visibilityArchivalUri: 'gs://archive-a/visibility' });
    const none = ClusterLock.inMemory();
    none.check(app());
    expect(Object.keys(recorded(none)).filter((k) => k.includes('Archival'))).toEqual([]);
  });

  test('fails when a recorded archival URI changes: another bucket, prefix or scheme, for either kind', () => {
    fc.assert(fc.property(fc.constantFrom<Kind>('history', 'visibility'), fc.constantFrom(...URIS), fc.constantFrom(...URIS), (kind, was, now) => {
      fc.pre(was !== now);
      const lock = ClusterLock.inMemory();
      lock.check(app({ [kind]: was }));
      const message = messageOf(() => lock.check(app({ [kind]: now })));
      expect(message).toContain(`cluster ${KEY}: archival.${kind}.uri is locked at ${was} but the app now says ${now}. Temporal keeps a namespace's ${kind} archival URI for life`);
      expect(message).toContain(`Keep archival.${kind}.uri: '${was}'.`);
      expect(message).toContain(`remove "${FIELD[kind]}" from the entry ${KEY} of the lock file and synthesize`);
      expect(message).toContain(was.split('://')[0] === now.split('://')[0] ? `they go on archiving to ${was} while new namespaces archive to ${now}`
        : `with no ${was.split('://')[0]}:// archiver left, fail every archive of theirs`);
    }), { numRuns: 40 });
  });

  test('fails when archival, turned off since, comes back at another URI: the namespaces kept the old one, and so did the lock', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ history: 's3://archive-a/temporal' }));
    lock.check(app());
    expect(recorded(lock).historyArchivalUri).toBe('s3://archive-a/temporal');
    expect(messageOf(() => lock.check(app({ history: 's3://archive-b/temporal' })))).toContain('archival.history.uri is locked at s3://archive-a/temporal');
    expect(() => lock.check(app({ history: 's3://archive-a/temporal' }))).not.toThrow();
  });

  test('passes the same URI, with or without a trailing "/", and a kind added later, which is recorded', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ history: 's3://archive-a/temporal' }));
    expect(() => lock.check(app({ history: 's3://archive-a/temporal/' }))).not.toThrow();
    expect(() => lock.check(app({ history: 's3://archive-a/temporal', visibility: 's3://archive-a/visibility' }))).not.toThrow();
    expect(recorded(lock).visibilityArchivalUri).toBe('s3://archive-a/visibility');
  });

  test('an entry written before the lock recorded them refuses nothing and records them; the remedy (the field removed) takes the new URI', () => {
    const first = ClusterLock.inMemory();
    first.check(app());
    const old = JSON.parse(JSON.stringify(first.contents)) as ClusterLockContents;
    const lock = ClusterLock.inMemory(old);
    expect(() => lock.check(app({ history: 's3://archive-b/temporal' }))).not.toThrow();
    expect(recorded(lock).historyArchivalUri).toBe('s3://archive-b/temporal');
    const edited = JSON.parse(JSON.stringify(lock.contents));
    delete edited.clusters[KEY].historyArchivalUri;
    const again = ClusterLock.inMemory(edited);
    expect(() => again.check(app({ history: 'gs://archive-c/temporal' }))).not.toThrow();
    expect(recorded(again).historyArchivalUri).toBe('gs://archive-c/temporal');
  });

  test('fails when an entry holds an archival URI this library never writes, naming the field', () => {
    const first = ClusterLock.inMemory();
    first.check(app());
    for (const field of Object.values(FIELD)) {
      for (const value of ['', 's3:/archive', 'S3://archive', 's3://archive a', 42, null, ['s3://archive']]) {
        const contents = JSON.parse(JSON.stringify(first.contents));
        contents.clusters[KEY][field] = value;
        expect(() => ClusterLock.inMemory(contents)).toThrow(`ClusterLock: entry "${KEY}" of ClusterLock.inMemory has ${field} ${JSON.stringify(value)}; expected an archival URI such as "s3://bucket/prefix"`);
      }
    }
  });
});
