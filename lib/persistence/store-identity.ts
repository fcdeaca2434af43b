import { isIPv4, isIPv6 } from 'net';
import { Datastore } from './datastore';

/**
 * Which database a store is, whatever way its host is written. To Temporal a cluster IS its
 * database: two entries on one database are one cluster, so the lock and the checks between
 * clusters compare stores in this normalized form.
 *
 * A host is compared case-insensitively, and a name relative to the cluster's namespace (`svc`,
 * `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<clusterDomain>`, with or without a trailing dot) is the
 * same as its fully qualified Service name. A pod of a headless Service (`pod.svc.ns.svc`, as a
 * StatefulSet's pods are named) is that Service's database too: its pods are one server's
 * replicas, or one Cassandra ring. An IPv6 address is compared in its canonical form, an
 * IPv4-mapped one as the IPv4 address, and every spelling of the pod's loopback as one host.
 * Ports are always explicit (every store fills in its default).
 */
export interface StoreIdentity {
  readonly type: string;
  /**
   * Every name the store's hosts are known by, normalized: one or two for a SQL or Elasticsearch
   * host (a pod also names its Service), more for Cassandra's contact points. Two stores with a
   * name in common are on the same server.
   */
  readonly hosts: readonly string[];
  readonly port: number;
  /** Database, keyspace or index name, as written. */
  readonly database: string;
}

/** Where a namespace-relative name resolves: the cluster's namespace and DNS domain. */
export interface DnsContext {
  readonly namespace: string;
  readonly clusterDomain: string;
}

/**
 * The names `host` is known by, as a pod in `context.namespace` resolves it: lower-case and fully
 * qualified, a pod of a headless Service with its Service's name as well.
 */
export function normalizeHost(host: string, context: DnsContext): string[] {
  const lower = host.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  const address = isIPv4(bare) ? bare : isIPv6(bare) ? canonicalIpv6(bare) : undefined;
  if (address !== undefined) return [isLoopback(address) ? LOOPBACK : address];
  const name = bare.replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return [LOOPBACK];
  const zone = `svc.${context.clusterDomain.toLowerCase().replace(/\.$/, '')}`;
  const labels = name.split('.');
  // What comes before ".svc.<domain>" once the name is resolved: <service>.<namespace>, or
  // <pod>.<service>.<namespace> for a pod of a headless Service.
  let inZone: string[] | undefined;
  if (name.endsWith(`.${zone}`)) inZone = name.slice(0, -zone.length - 1).split('.');
  else if (labels[labels.length - 1] === 'svc') inZone = labels.slice(0, -1);
  else if (labels.length === 1) inZone = [name, context.namespace];
  else if (labels.length === 2) inZone = labels;
  // Two labels are first tried as <pod>.<service> in the cluster's own namespace, and that pod is
  // its Service's database.
  if (inZone?.length === 2) {
    return labels.length === 2
      ? [`${name}.${zone}`, `${name}.${context.namespace}.${zone}`, `${labels[1]}.${context.namespace}.${zone}`]
      : [`${inZone.join('.')}.${zone}`];
  }
  if (inZone?.length === 3) return [`${inZone.join('.')}.${zone}`, `${inZone.slice(1).join('.')}.${zone}`];
  // Three labels, not ending in svc: a name outside the cluster, unless the search path finds a pod
  // <pod>.<service>.<namespace>.svc.<domain> of that name first.
  if (labels.length === 3) return [name, `${name}.${zone}`];
  return [name];
}

/*
 * The pod's own loopback: what a database proxy in the pod (a native sidecar from databaseAccess)
 * listens on. "localhost" resolves to 127.0.0.1 and ::1 (RFC 6761 reserves *.localhost for it too),
 * every address of 127.0.0.0/8 reaches the lo interface, and dialing 0.0.0.0 or :: reaches the
 * local host on Linux. A proxy bound to all of them serves one database under every spelling.
 */
const LOOPBACK = 'loopback';

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === '0.0.0.0' || address === '::';
}

/** An IPv6 address as RFC 5952 writes it (the URL parser's form); an IPv4-mapped one as its IPv4 address. */
function canonicalIpv6(address: string): string {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** A store's identity from its URI (`postgres://host:5432/temporal`, hosts comma-separated), as the lock records it. */
export function parseStoreUri(uri: string, context: DnsContext): StoreIdentity | undefined {
  const match = /^([a-z]+):\/\/([^/]+):(\d+)\/(.+)$/.exec(uri);
  if (!match) return undefined;
  return identity(match[1], match[2].split(','), Number(match[3]), match[4], context);
}

/**
 * Whether two stores may hold the same data: same type and port (any port for Cassandra), a host
 * name in common (Cassandra contact points are any nodes of a ring, so one in common is enough),
 * and database names equal but for case. Whether `Temporal` and `temporal` are one database depends on the server and on
 * how each tool quotes the name (MySQL's lower_case_table_names, unquoted SQL and CQL names fold
 * case), so two clusters, or two stores, are kept off names that differ only in case.
 *
 * With `exactDatabase`, the names must match exactly: the lock's "a cluster stays on its
 * databases" check, where another spelling may be another, empty database.
 */
export function sameStore(a: StoreIdentity, b: StoreIdentity, exactDatabase = false): boolean {
  if (a.type !== b.type || (portSelectsServer(a.type) && a.port !== b.port)) return false;
  if (exactDatabase ? a.database !== b.database : a.database.toLowerCase() !== b.database.toLowerCase()) return false;
  return a.hosts.some((h) => b.hosts.includes(h));
}

/**
 * Whether another port on the same host may be another server. Not for Cassandra: a keyspace
 * belongs to the whole ring, whichever node and native port (plain 9042, TLS 9142) reaches it.
 */
export function portSelectsServer(type: string): boolean {
  return type !== 'cassandra';
}

/** A store's identity, its hosts resolved from the cluster's namespace. */
export function storeIdentity(store: Datastore, dns: DnsContext): StoreIdentity {
  return identity(store.type, store.hosts, store.port, store.database, dns);
}

function identity(type: string, hosts: readonly string[], port: number, database: string, dns: DnsContext): StoreIdentity {
  return { type, hosts: [...new Set(hosts.flatMap((h) => normalizeHost(h, dns)))].sort(), port, database };
}
