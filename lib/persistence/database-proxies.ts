import type { Container } from '../../imports/k8s';
import type { DatabaseAccess } from './database-access';
import { propError, requirePort } from '../validation';

/**
 * The sidecars a store on the pod's own loopback is reached through, at one port.
 *
 * Every pod's loopback is its own: two clusters on `postgres://127.0.0.1:5432/temporal` are one
 * database only when the way from that port to the database is configured alike in both. The
 * checks between clusters and `ClusterLock` compare the sidecars named here; a sidecar left out
 * (a log shipper, a Vault agent) cannot make two clusters' databases one.
 */
export interface DatabaseProxy {
  /** The port in the URIs of the stores on the pod's loopback (127.0.0.1, localhost, ::1) that `sidecars` reach. */
  readonly port: number;
  /**
   * The names of the `databaseAccess.sidecars` a connection to `port` passes through on its way to
   * the database: the proxy that listens there, and every sidecar it forwards through in turn
   * (PgBouncer in front of the Cloud SQL Auth Proxy: both). A sidecar that declares `port` as a
   * containerPort listens there, so it is one of them.
   */
  readonly sidecars: string[];
}

/**
 * `proxies`, checked against the sidecars and the ports of the stores on the pod's loopback: each
 * port once, the port of every such store named, every name a sidecar's and listed once per port,
 * and a sidecar that declares a named port as its TCP containerPort named for it. Undefined when
 * not given: every sidecar may then be the way to every store on the loopback.
 */
export function resolveProxies(owner: string, proxies: DatabaseProxy[] | undefined, sidecars: readonly Container[],
  loopbackStores: ReadonlyArray<{ role: string; port: number }>): ReadonlyMap<number, readonly string[]> | undefined {
  if (proxies === undefined) return undefined;
  if (!Array.isArray(proxies)) throw propError(owner, 'databaseAccess.proxies', proxies, 'a list of { port, sidecars }');
  const names = sidecars.map((c) => c.name);
  const byPort = new Map<number, string[]>();
  proxies.forEach((proxy, i) => {
    const prop = `databaseAccess.proxies[${i}]`;
    requirePort(owner, `${prop}.port`, proxy?.port);
    if (byPort.has(proxy.port)) throw propError(owner, `${prop}.port`, proxy.port, 'a port not named twice', 'List every sidecar of the port in one entry.');
    if (!Array.isArray(proxy.sidecars) || proxy.sidecars.length === 0) {
      throw propError(owner, `${prop}.sidecars`, proxy.sidecars, 'the names of one or more databaseAccess.sidecars',
        'A store on the pod\'s loopback is reached through a sidecar listening there.');
    }
    proxy.sidecars.forEach((name, j) => {
      if (!names.includes(name)) {
        throw propError(owner, `${prop}.sidecars[${j}]`, name, `the name of one of databaseAccess.sidecars (${names.join(', ') || 'none'})`,
          'Only a native sidecar runs beside the server for its whole life; an init container ends before it starts.');
      }
      if (proxy.sidecars.indexOf(name) !== j) throw propError(owner, `${prop}.sidecars[${j}]`, name, 'a sidecar named once per port');
    });
    const listening = sidecars.find((c) => !proxy.sidecars.includes(c.name)
      && (Array.isArray(c.ports) ? c.ports : []).some((p) => p?.containerPort === proxy.port && (p.protocol ?? 'TCP') === 'TCP'));
    if (listening) {
      throw propError(owner, `${prop}.sidecars`, proxy.sidecars, `a list that names ${listening.name}, which declares containerPort ${proxy.port}`,
        `A sidecar that listens on the port is on the way to the database; add it, or correct its containerPort or ${prop}.port.`);
    }
    byPort.set(proxy.port, [...proxy.sidecars]);
  });
  const unnamed = loopbackStores.find((s) => !byPort.has(s.port));
  if (unnamed) {
    throw propError(owner, 'databaseAccess.proxies', proxies.map((p) => p.port),
      `an entry for port ${unnamed.port}, where the ${unnamed.role} store is on the pod's loopback`,
      `Name the sidecars that reach it: { port: ${unnamed.port}, sidecars: [...] }.`);
  }
  return byPort;
}

/** The sidecars that may carry a connection to the pod's loopback at `port`: those `proxies` names for it, else every one. */
export function proxySidecars(access: DatabaseAccess, port: number): Container[] {
  const sidecars = access.containers.filter((c) => c.restartPolicy === 'Always');
  const named = access.proxies?.get(port);
  return named ? sidecars.filter((c) => named.includes(c.name)) : sidecars;
}

/**
 * What each sidecar that may reach the pod's loopback at `port` (`proxySidecars`) points at, as far
 * as its spec says: its command, args, env, envFrom and volume mounts, keys sorted. A store on the
 * pod's loopback is reached through these, so two clusters' loopback stores are one database only
 * when a proxy of each is configured alike. What a proxy reads from a ConfigMap, a Secret or a
 * volume resolves in the pod's namespace, so such a proxy is qualified by it: alike in two
 * namespaces may be apart. Its ports are left out, so that a sidecar has the fingerprint it had
 * before `proxies` existed, and the lock's digests of it still match.
 */
export function proxyFingerprints(access: DatabaseAccess, namespace: string, port: number): string[] {
  return proxySidecars(access, port).map((c) => sidecarFingerprint(c, namespace));
}

/** The sidecars of `access` whose fingerprint is `fingerprint`, by name. */
export function sidecarsFingerprinted(access: DatabaseAccess, namespace: string, fingerprint: string): string[] {
  return access.containers.filter((c) => c.restartPolicy === 'Always' && sidecarFingerprint(c, namespace) === fingerprint).map((c) => c.name);
}

export function sidecarFingerprint(c: Container, namespace: string): string {
  const text = sortedJson({ command: c.command, args: c.args, env: c.env, envFrom: c.envFrom, volumeMounts: c.volumeMounts });
  const local = (c.env ?? []).some((e) => e.valueFrom !== undefined) || (c.envFrom ?? []).length > 0 || (c.volumeMounts ?? []).length > 0;
  return local ? `${namespace}/${text}` : text;
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v));
}
