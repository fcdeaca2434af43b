import { isIPv4, isIPv6 } from 'net';
import { Datastore } from './datastore';

/**
 * Which database a store is, whatever way its host is written. To Temporal a cluster IS its
 * database: two entries on one database are one cluster, so the lock and the checks between
 * clusters compare stores in this normalized form.
 *
 * A host is compared case-insensitively, and as every name a pod's resolver tries for it (the
 * search path `<namespace>.svc.<domain>`, `svc.<domain>`, `<domain>`, then the name itself): `svc`,
 * `svc.ns`, `svc.ns.svc` and `svc.ns.svc.<clusterDomain>`, with or without a trailing dot, are one
 * Service, whatever each cluster calls the domain. A pod of a headless Service (`pod.svc.ns.svc`,
 * or `pod.svc.ns` through the search path, as a StatefulSet's pods are named) is that Service's
 * database too: its pods are one server's replicas, or one Cassandra ring. A pod name by address
 * (`10-0-0-5.ns.pod`) is that address. An IPv6 address is compared in its canonical form, an
 * IPv4-mapped one as the IPv4 address, and every spelling of the pod's loopback as one host.
 * Ports are always explicit (every store fills in its default).
 */
export interface StoreIdentity {
  readonly type: string;
  /**
   * Every name the store's hosts are known by, normalized: a Service as `service:<name>.<namespace>`,
   * an address in canonical form, a name outside the cluster as written (lower case, no trailing
   * dot); a relative name may reach several. Two stores with a
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

/** The names `host` is known by, as a pod in `context.namespace` resolves it. */
export function normalizeHost(host: string, context: DnsContext): string[] {
  const lower = host.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  const address = ipAddress(bare);
  if (address !== undefined) return [address];
  const name = bare.replace(/\.$/, '');
  if (LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost')) return [LOOPBACK];
  const labels = name.split('.');
  const domain = context.clusterDomain.toLowerCase().replace(/\.$/, '').split('.');
  const names = new Set<string>();
  const inOwnZone = labels.length > domain.length && domain.every((label, i) => labels[labels.length - domain.length + i] === label);
  if (inOwnZone) {
    addInZone(names, labels.slice(0, -domain.length));
  } else {
    // A fully qualified name in another zone may still be a Service or pod of this Kubernetes
    // cluster: two clusters of one app can give its domain different names (clusterDomain), and
    // only one of them is right.
    for (const zone of ['svc', 'pod']) {
      const at = labels.indexOf(zone, 2);
      if (at > 0 && at < labels.length - 1) addInZone(names, labels.slice(0, at + 1));
    }
    // The name outside the cluster, which the resolver tries too. One label is only ever a Service
    // of the pod's namespace.
    if (labels.length > 1) names.add(name);
  }
  // The search path of a pod (ndots 5): <namespace>.svc.<domain>, svc.<domain>, then <domain>.
  addInZone(names, [...labels, context.namespace, 'svc']);
  addInZone(names, [...labels, 'svc'], labels.length === 3);
  addInZone(names, labels);
  return [...names];
}

/**
 * The one host `host` reaches from a pod in `context.namespace`, for telling whether two addresses
 * are the same: a Service (`service:<name>.<namespace>`) whether written relative (`svc`,
 * `svc.ns`, `svc.ns.svc`) or fully qualified under the cluster's own domain (`context.clusterDomain`),
 * with or without a trailing dot; an address in canonical form; any other name lower-case without
 * its trailing dot. Where normalizeHost lists every name the resolver may try (two stores with one
 * in common may be one database), this takes the name a Service lookup settles on, so that two
 * hosts compare equal only when they are written for the same one.
 */
export function canonicalHost(host: string, context: DnsContext): string {
  const lower = host.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  const address = ipAddress(bare);
  if (address !== undefined) return address;
  const name = bare.replace(/\.$/, '');
  if (LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost')) return LOOPBACK;
  const labels = name.split('.');
  const domain = context.clusterDomain.toLowerCase().replace(/\.$/, '').split('.');
  const inOwnZone = labels.length > domain.length && domain.every((label, i) => labels[labels.length - domain.length + i] === label);
  // A relative name (no trailing dot, ndots 5) is looked up in <namespace>.svc.<domain> first, then
  // svc.<domain>: one label is a Service of the pod's namespace, two are <service>.<namespace>.
  const relative = !bare.endsWith('.') && !inOwnZone;
  const inZone = inOwnZone ? labels.slice(0, -domain.length)
    : !relative ? undefined
      : labels.length === 1 ? [name, context.namespace, 'svc'] : labels.length === 2 ? [...labels, 'svc'] : labels;
  const [zone, within] = [inZone?.[inZone.length - 1], inZone?.slice(0, -1) ?? []];
  if (zone === 'svc' && within.length === 2) return `service:${within.join('.')}`;
  // A pod of a headless Service, or a pod by address.
  if (zone === 'svc' && within.length === 3) return dashedAddress(within[0]) ?? `pod:${within.join('.')}`;
  if (zone === 'pod' && within.length === 2) return dashedAddress(within[0]) ?? name;
  return name;
}

/**
 * What a name inside the cluster's zone (the part before `.<domain>`) reaches, in a form free of
 * the domain: a Service (`<service>.<namespace>.svc`), a pod of a headless Service
 * (`<pod>.<service>.<namespace>.svc`, that Service's database; an endpoint without a hostname is
 * named after its address), or a pod by address (`<a-b-c-d>.<namespace>.pod`, which cluster DNS
 * answers with that address).
 *
 * `searched` is a name the search path made: `db1.example.com` is tried as pod db1 of Service
 * example in namespace com before it is tried as itself. It is taken for its Service only when it
 * reads as a pod of one (`pg-0.pg.db`, a StatefulSet's pod, or an address), so that two hosts of one
 * domain outside the cluster are not taken for one Service.
 */
function addInZone(names: Set<string>, inZone: readonly string[], searched = false): void {
  const zone = inZone[inZone.length - 1];
  const within = inZone.slice(0, -1);
  if (zone === 'svc' && within.length === 2) {
    names.add(`service:${within.join('.')}`);
  } else if (zone === 'svc' && within.length === 3) {
    const [pod, service] = within;
    const address = dashedAddress(pod);
    names.add(`pod:${within.join('.')}`);
    if (address !== undefined) names.add(address);
    const ordinal = pod.startsWith(`${service}-`) && /^\d+$/.test(pod.slice(service.length + 1));
    // `<address>.<namespace>.pod` is a pod by address, which cluster DNS answers for any address: read
    // as a pod of headless Service <namespace> in a namespace called "pod", every two pods by address of
    // one namespace would be one database (10-0-0-5.db.pod and 10-0-0-6.db.pod were refused as one).
    const podByAddress = searched && address !== undefined && within[2] === 'pod';
    if (!podByAddress && (!searched || address !== undefined || ordinal)) names.add(`service:${within.slice(1).join('.')}`);
  } else if (zone === 'pod' && within.length === 2) {
    const address = dashedAddress(within[0]);
    if (address !== undefined) names.add(address);
  }
}

/** An address as cluster DNS writes it in a name: dashes for the dots of IPv4, or the colons of IPv6. */
function dashedAddress(label: string): string | undefined {
  return ipAddress(label.replace(/-/g, '.')) ?? ipAddress(label.replace(/-/g, ':'));
}

/** What every IPv6 address node's isIPv6 accepts starts with: hex digits, colons and dots (an embedded IPv4), up to a zone index if any. */
const IPV6_CHARACTERS = /^[\da-fA-F:.]+(?:%|$)/;

/** An IP address in normalized form (the pod's loopback as one), or undefined for a name. */
function ipAddress(value: string): string | undefined {
  // The character test spares names node's slow IPv6 pattern (lib/validation/hosts.ts, isIpv6):
  // dashedAddress offers every label with its dashes turned into colons (temporal:frontend).
  const address = isIPv4(value) ? value : value.includes(':') && IPV6_CHARACTERS.test(value) && isIPv6(value) ? canonicalIpv6(value) : undefined;
  if (address === undefined) return undefined;
  return isLoopback(address) ? LOOPBACK : address;
}

/*
 * The pod's own loopback: what a database proxy in the pod (a native sidecar from databaseAccess)
 * listens on. "localhost" resolves to 127.0.0.1 and ::1 (RFC 6761 reserves *.localhost for it too),
 * and so do the names the kubelet writes into every pod's /etc/hosts beside it (ip6-localhost,
 * ip6-loopback); every address of 127.0.0.0/8 reaches the lo interface, and dialing 0.0.0.0 or ::
 * reaches the local host on Linux. A proxy bound to all of them serves one database under every spelling.
 */
export const LOOPBACK = 'loopback';
const LOOPBACK_NAMES: readonly string[] = ['localhost', 'ip6-localhost', 'ip6-loopback'];

/**
 * `identity` as compared between clusters: its loopback host, if any, is what the pod's loopback
 * reaches, one name per database proxy of the pod (`proxies`, see proxyFingerprints). Each pod's
 * loopback is its own, so two clusters' stores on it are one database only through proxies
 * configured alike. Without proxies it stays the one loopback, as within a cluster.
 */
export function loopbackThrough(identity: StoreIdentity, proxies: readonly string[]): StoreIdentity {
  if (proxies.length === 0 || !identity.hosts.includes(LOOPBACK)) return identity;
  return { ...identity, hosts: [...new Set(identity.hosts.flatMap((h) => (h === LOOPBACK ? proxies.map((p) => `${LOOPBACK} via ${p}`) : [h])))].sort() };
}

/** The proxies (as loopbackThrough names them) through which both `a` and `b` reach a store on the pod's loopback. */
export function proxiesInCommon(a: StoreIdentity, b: StoreIdentity): string[] {
  const via = `${LOOPBACK} via `;
  return a.hosts.filter((h) => h.startsWith(via) && b.hosts.includes(h)).map((h) => h.slice(via.length));
}

/** Whether `host`, a name or an address (an IPv6 one bracketed or not), is the pod's own loopback. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  const name = bare.replace(/\.$/, '');
  return ipAddress(bare) === LOOPBACK || LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost');
}

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
 * Whether two stores, as `serverIdentity` gives them, are on one database server whatever their
 * databases: same type and port, and a host in common. The connections of both count against the
 * one server's `max_connections`.
 */
export function sameServer(a: StoreIdentity, b: StoreIdentity): boolean {
  return a.type === b.type && a.port === b.port && a.hosts.some((h) => b.hosts.includes(h));
}

/**
 * Whether another port on the same host may be another server. Not for Cassandra: a keyspace
 * belongs to the whole ring, whichever node and native port (plain 9042, TLS 9142) reaches it.
 */
export function portSelectsServer(type: string): boolean {
  return type !== 'cassandra';
}

/**
 * Which database server a store is on, for counting its connections: its database, and the one host
 * each of its hosts is written for (`canonicalHost`), a pod of a headless Service taken as that
 * Service (as `storeIdentity` takes it: its pods are one server's replicas). Not every name the
 * resolver may try, as `storeIdentity` lists: there `pg-a.db` and `pg-b.db` have a name in common
 * (pods of a headless Service `db` of the cluster's namespace), and two servers would share a budget.
 */
export function serverIdentity(store: Datastore, dns: DnsContext): StoreIdentity {
  const hosts = store.hosts.map((h) => canonicalHost(h, dns).replace(/^pod:[^.]+\./, 'service:'));
  return { type: store.type, hosts: [...new Set(hosts)].sort(), port: store.port, database: store.database };
}

/** A store's identity, its hosts resolved from the cluster's namespace. */
export function storeIdentity(store: Datastore, dns: DnsContext): StoreIdentity {
  return identity(store.type, store.hosts, store.port, store.database, dns);
}

function identity(type: string, hosts: readonly string[], port: number, database: string, dns: DnsContext): StoreIdentity {
  return { type, hosts: [...new Set(hosts.flatMap((h) => normalizeHost(h, dns)))].sort(), port, database };
}

/**
 * Why two stores whose hosts are written differently were taken for one server, for a message:
 * the names the resolver may try for both. A relative `<pod>.<service>` is looked up first as a
 * pod of the headless Service `<service>` in the pod's own namespace, whose pods are taken for one
 * server's replicas (see StoreIdentity), so `pg-a.databases` and `pg-b.databases` share
 * `databases` of the cluster's namespace; the remedy is the fully written name, which leaves one
 * reading. Undefined when the hosts are written alike, or share only their plain reading.
 */
export function sharedReadingNote(a: { store: Datastore; identity: StoreIdentity; dns: DnsContext }, b: { store: Datastore; identity: StoreIdentity; dns: DnsContext }): string | undefined {
  // Its explanation is the search path, which a name with a trailing dot never takes.
  if ([...a.store.hosts, ...b.store.hosts].some((h) => h.endsWith('.'))) return undefined;
  const shared = a.identity.hosts.filter((h) => b.identity.hosts.includes(h));
  const plainA = a.store.hosts.map((h) => canonicalHost(h, a.dns));
  const plainB = b.store.hosts.map((h) => canonicalHost(h, b.dns));
  if (plainA.some((h) => plainB.includes(h))) return undefined;
  const plain = new Set([...plainA, ...plainB]);
  const throughPods = shared.filter((h) => h.startsWith('service:') && !plain.has(h));
  if (throughPods.length === 0) return undefined;
  const services = throughPods.map((h) => {
    const [service, namespace] = h.slice('service:'.length).split('.');
    return `the headless Service ${service} of namespace ${namespace}`;
  });
  const twoLabels = a.store.hosts.find((h) => h.split('.').length === 2);
  return ` Both hosts can be read as pods of ${services.join(' or ')}: a relative name <pod>.<service> is looked up first in the pod's own namespace, `
    + 'and the pods of one headless Service are taken for one server\'s replicas. If each host is a Service of its own, write it as <service>.<namespace>.svc'
    + `${twoLabels === undefined ? '' : ` (${twoLabels}.svc)`}, which leaves that one reading.`;
}
