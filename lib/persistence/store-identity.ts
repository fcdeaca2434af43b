import { Datastore } from './datastore';

/**
 * Which database a store is, whatever way its host is written. To Temporal a cluster IS its
 * database: two entries on one database are one cluster, so the lock and the checks between
 * clusters compare stores in this normalized form.
 *
 * A host is compared case-insensitively, and a name relative to the cluster's namespace (`svc`,
 * `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<clusterDomain>`, with or without a trailing dot) is the
 * same as its fully qualified Service name. Ports are always explicit (every store fills in its
 * default). Database, keyspace and index names compare exactly: PostgreSQL and Cassandra keep
 * case for quoted names.
 */
export interface StoreIdentity {
  readonly type: string;
  /** Normalized hosts: one for SQL and Elasticsearch, the contact points for Cassandra. */
  readonly hosts: readonly string[];
  readonly port: number;
  readonly database: string;
}

/** Where a namespace-relative name resolves: the cluster's namespace and DNS domain. */
export interface DnsContext {
  readonly namespace: string;
  readonly clusterDomain: string;
}

/** The fully qualified, lower-case form of `host` as a pod in `context.namespace` resolves it. */
export function normalizeHost(host: string, context: DnsContext): string {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (/^[0-9.]+$/.test(name) || name.includes(':')) return name;
  const domain = context.clusterDomain.toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  if (labels.length === 1) return `${name}.${context.namespace}.svc.${domain}`;
  if (labels.length === 2) return `${name}.svc.${domain}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${name}.${domain}`;
  return name;
}

/** A store's identity from its URI (`postgres://host:5432/temporal`, hosts comma-separated), as the lock records it. */
export function parseStoreUri(uri: string, context: DnsContext): StoreIdentity | undefined {
  const match = /^([a-z]+):\/\/([^/]+):(\d+)\/(.+)$/.exec(uri);
  if (!match) return undefined;
  return {
    type: match[1],
    hosts: match[2].split(',').map((h) => normalizeHost(h, context)).sort(),
    port: Number(match[3]),
    database: match[4],
  };
}

/**
 * Whether two stores hold the same data. SQL and Elasticsearch: same host, port and database.
 * Cassandra contact points are any nodes of a ring, so keyspaces of one name are the same as soon
 * as their contact points overlap.
 */
export function sameStore(a: StoreIdentity, b: StoreIdentity): boolean {
  if (a.type !== b.type || a.port !== b.port || a.database !== b.database) return false;
  return a.hosts.some((h) => b.hosts.includes(h));
}

/** A store's identity, its hosts resolved from the cluster's namespace. */
export function storeIdentity(store: Datastore, dns: DnsContext): StoreIdentity {
  return { type: store.type, hosts: store.hosts.map((h) => normalizeHost(h, dns)).sort(), port: store.port, database: store.database };
}
