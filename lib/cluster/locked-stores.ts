import { LockedCluster } from './lock-record';
import { DnsContext, LOOPBACK, loopbackThrough, parseStoreUri, portSelectsServer, sameStore, StoreIdentity } from '../persistence/store-identity';

/** The namespace and DNS domain a locked entry's relative hosts resolve in: its key's namespace. */
export function entryDns(entryKey: string, dns: DnsContext): DnsContext {
  return { namespace: entryKey.split('/')[0], clusterDomain: dns.clusterDomain };
}

/** What `sameStore` needs equal: type, port where it selects the server, and the database name but for case. */
function storeBucket(id: StoreIdentity): string {
  return `${id.type}/${portSelectsServer(id.type) ? id.port : '*'}/${id.database.toLowerCase()}`;
}

export interface LockedStores {
  /**
   * The keys of the entries that share a store with `current`, compared as databases rather than as
   * text. A store on the pod's loopback is the database its cluster's proxies reach
   * (`databaseProxies`). An entry that records none there, written before the lock recorded proxies
   * (or behind none), is compared as it was then, its loopback any cluster's, when `current` is
   * new to the lock (`newToLock`): a cluster renamed in the commit that upgrades the library is still
   * found on its old entry's databases. `proxiesAt` gives the digests of the proxies that reach
   * `current`'s loopback at a port: only a sidecar on the way to a store can make it another's.
   */
  sharing(current: LockedCluster, dns: DnsContext, newToLock?: boolean, proxiesAt?: (port: number) => readonly string[]): Set<string>;
  /**
   * The stores of the entry `key`, its relative hosts resolved in its own namespace and a store on
   * its pods' loopback named by the proxies that reach it: the entry's recorded ones, else the ones
   * it is about to record (`proxiesNow`).
   */
  reachedBy(key: string, dns: DnsContext): readonly StoreIdentity[];
}

/**
 * The locked entries' stores, parsed once per check for each DNS domain the clusters resolve in,
 * and indexed by `storeBucket`. Parsing every entry's URIs again for every cluster made a check of
 * 100 clusters against a lock of 100 entries take 0.6 s of CPU. `proxiesNow` holds, for the keys of
 * the clusters of this synth (and the keys they declare they were), the proxies their entries are
 * about to record: an entry that records none yet takes those.
 */
export function lockedStores(entries: Record<string, LockedCluster>, proxiesNow: ReadonlyMap<string, readonly string[]> = new Map()): LockedStores {
  const byDomain = new Map<string, { stores: Map<string, StoreIdentity[]>; index: Map<string, string[]> }>();
  const parsed = (dns: DnsContext) => {
    let p = byDomain.get(dns.clusterDomain);
    if (!p) {
      p = { stores: new Map(), index: new Map() };
      for (const [key, entry] of Object.entries(entries)) {
        // The stores it migrated away from are still its data, so they are its databases to any other cluster.
        const ids = [...Object.values(entry.persistence), ...entry.migratedFrom ?? []].map((uri) => parseStoreUri(uri, entryDns(key, dns))).filter((id): id is StoreIdentity => id !== undefined);
        p.stores.set(key, ids);
        for (const id of ids) {
          const bucket = p.index.get(storeBucket(id));
          if (bucket) bucket.push(key);
          else p.index.set(storeBucket(id), [key]);
        }
      }
      byDomain.set(dns.clusterDomain, p);
    }
    return p;
  };
  const proxiesOf = (key: string) => entries[key]?.databaseProxies ?? proxiesNow.get(key);
  const reachedBy = (key: string, dns: DnsContext) => (parsed(dns).stores.get(key) ?? []).map((was) => loopbackThrough(was, proxiesOf(key) ?? []));
  return {
    sharing: (current, dns, newToLock = false, proxiesAt = () => current.databaseProxies ?? []) => {
      const { stores, index } = parsed(dns);
      const found = new Set<string>();
      for (const uri of Object.values(current.persistence)) {
        const parsedNow = parseStoreUri(uri, dns);
        if (parsedNow === undefined) continue;
        // Each pod's loopback is its own: a store there is the database its proxies reach.
        const now = loopbackThrough(parsedNow, proxiesAt(parsedNow.port));
        for (const key of index.get(storeBucket(now)) ?? []) {
          const same = proxiesOf(key) === undefined && newToLock
            ? stores.get(key)!.some((was) => sameStore(was, parsedNow))
            : reachedBy(key, dns).some((was) => sameStore(was, now));
          if (same) found.add(key);
        }
      }
      return found;
    },
    reachedBy,
  };
}

/**
 * Whether two store URIs, as the lock and `Datastore.uri` write them, may be one database, the
 * relative hosts of each resolved in its cluster's namespace (the default DNS domain): for
 * `cdk8s-temporal synth`, which finds the earlier synth of a cluster renamed while its lock entry was
 * lost by its databases (bin/lock-evidence.js). A store on the pods' loopback is the database their
 * proxies reach, which a URI does not name: no other cluster's (two clusters behind Cloud SQL proxies
 * to other instances both write postgres://127.0.0.1:5432/temporal).
 */
export function sameDatabaseUris(a: string, aNamespace: string, b: string, bNamespace: string): boolean {
  const x = parseStoreUri(a, { namespace: aNamespace, clusterDomain: 'cluster.local' });
  const y = parseStoreUri(b, { namespace: bNamespace, clusterDomain: 'cluster.local' });
  const proxied = (id: StoreIdentity) => id.hosts.includes(LOOPBACK);
  return x !== undefined && y !== undefined && !proxied(x) && !proxied(y) && sameStore(x, y);
}
