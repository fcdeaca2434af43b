import { DcRedirectionPolicy, RemoteCluster, RemoteClusterTls } from './replication-props';
import type { TemporalClusterProps } from './temporal-cluster-props';
import { builtByCluster } from './built-by-cluster';
import { canonicalHost, DnsContext, isLoopbackHost } from '../persistence/store-identity';
import { isIpv6, propError, requireClusterName, requireDns1123Subdomain, requireHostPort, requireInteger, requireNonEmpty } from '../validation';

/** `clusterMetadata` and `dcRedirectionPolicy` of one cluster, checked. */
export interface ClusterMetadata {
  readonly clusterName: string;
  readonly failoverVersionIncrement: number;
  readonly initialFailoverVersion: number;
  readonly masterClusterName: string;
  /** The clusters the registration Job registers with this one; never written into the static config. */
  readonly remoteClusters: ResolvedRemoteCluster[];
  readonly enableGlobalNamespace: boolean;
  readonly dcRedirectionPolicy: DcRedirectionPolicy;
}

/** A remote cluster with its defaults resolved. */
export interface ResolvedRemoteCluster {
  readonly name: string;
  readonly initialFailoverVersion: number;
  readonly rpcAddress: string;
  /** The host of `rpcAddress`, without brackets: the key of its `global.tls.remoteClusters` entry. */
  readonly host: string;
  readonly enabled: boolean;
  readonly tls?: ResolvedRemoteClusterTls;
}

export interface ResolvedRemoteClusterTls {
  readonly caSecret: string;
  readonly clientCertificateSecret?: string;
  readonly serverName: string;
}

/*
 * `host:port` with a DNS name, an IPv4 address or a bracketed IPv6 address. The address travels to
 * the registration Job as an argument and to the server, which dials it; nothing else fits there.
 */
const ADDRESS = /^(?:[a-zA-Z0-9](?:[-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/;

/**
 * The rules the server enforces on clusterMetadata, some of them only by panicking at start, and on
 * remote clusters when they are registered (service/frontend/operator_handler.go).
 *
 * Since 1.14 the server reads only the current cluster's entry of `clusterInformation`: remote
 * clusters live in its database, written by `temporal operator cluster upsert` (the registration
 * Job). It still panics at start when `masterClusterName` is not in the static entries it keeps, so
 * the master can only be this cluster itself.
 */
export function clusterMetadata(owner: string, name: string, props: TemporalClusterProps, dns: DnsContext): ClusterMetadata {
  const clusterName = requireClusterName(owner, 'clusterName', props.clusterName ?? name);
  const failoverVersionIncrement = requireInteger(owner, 'failoverVersionIncrement', props.failoverVersionIncrement ?? 10, 2, 2 ** 31 - 1);
  const initialFailoverVersion = requireInteger(owner, 'initialFailoverVersion', props.initialFailoverVersion ?? 1, 1, failoverVersionIncrement - 1);
  const enableGlobalNamespace = props.enableGlobalNamespace ?? false;
  // Only a boolean: the string "false" is truthy, so it passed a lock at true (and the remote-cluster
  // check) while the config said "false", a string the server cannot read as a bool.
  if (typeof enableGlobalNamespace !== 'boolean') {
    throw propError(owner, 'enableGlobalNamespace', enableGlobalNamespace, 'true or false', 'It can go from false to true, never back; write the boolean itself.');
  }
  const masterClusterName = props.masterClusterName ?? clusterName;
  if (masterClusterName !== clusterName) {
    throw propError(owner, 'masterClusterName', masterClusterName, `this cluster's own name (${clusterName})`,
      'The server keeps only its own entry of clusterInformation and panics at start ("Master cluster is not specified in cluster info") '
      + 'when the master is another cluster. Each cluster is its own master, and any of them can register global namespaces; leave masterClusterName unset.');
  }
  const rawRemotes = props.remoteClusters ?? [];
  if (!Array.isArray(rawRemotes)) throw propError(owner, 'remoteClusters', rawRemotes, 'a list of remote clusters');
  if (rawRemotes.length > 0 && !enableGlobalNamespace) {
    throw propError(owner, 'remoteClusters', rawRemotes.map((r) => r?.name), 'no remote clusters while enableGlobalNamespace is false',
      'Replication runs only for global namespaces, and a cluster refuses to register a remote without them. Set enableGlobalNamespace: true on every cluster.');
  }
  const versions = new Map<number, string>([[initialFailoverVersion, clusterName]]);
  // Keyed lower-cased: a cluster's row in cluster_metadata_info is keyed by its name, which MySQL's
  // default collation compares ignoring case, so a remote "East" would be the row of a cluster "east"
  // (this one's own, which the registration then overwrites with the remote's metadata).
  const names = new Map<string, string>([[clusterName.toLowerCase(), clusterName]]);
  const addresses = new Map<string, string>();
  const remoteClusters = rawRemotes.map((remote: RemoteCluster, i): ResolvedRemoteCluster => {
    const prop = `remoteClusters[${i}]`;
    requireClusterName(owner, `${prop}.name`, remote.name);
    const sameName = names.get(remote.name.toLowerCase());
    if (sameName === remote.name) throw propError(owner, `${prop}.name`, remote.name, 'a name no other cluster (this one included) has');
    if (sameName !== undefined) {
      throw propError(owner, `${prop}.name`, remote.name, `a name no other cluster (this one included) has; "${sameName}" differs only in case`,
        'A database on MySQL keeps each cluster\'s metadata under its name compared ignoring case, so registering the remote would overwrite the row of '
        + `${sameName === clusterName ? 'this cluster itself' : sameName}. Give the clusters names that differ in more than case.`);
    }
    names.set(remote.name.toLowerCase(), remote.name);
    requireInteger(owner, `${prop}.initialFailoverVersion`, remote.initialFailoverVersion, 1, failoverVersionIncrement - 1);
    const holder = versions.get(remote.initialFailoverVersion);
    if (holder) {
      throw propError(owner, `${prop}.initialFailoverVersion`, remote.initialFailoverVersion, `a value distinct from every other cluster's; ${holder} already has it`,
        'Declare the remote\'s own value (temporal operator cluster describe --detail against its frontend). Each cluster stores its value when global namespaces '
        + 'are turned on and keeps it for life, and the server refuses to register a second cluster at one value ("initial failover version conflict"): two '
        + 'clusters that both stored it never replicate with each other, and one of them is replaced by a new cluster, on new databases, with its own value.');
    }
    versions.set(remote.initialFailoverVersion, remote.name);
    const port = ADDRESS.exec(typeof remote.rpcAddress === 'string' ? remote.rpcAddress : '')?.[1];
    if (port === undefined || Number(port) < 1 || Number(port) > 65535) {
      throw propError(owner, `${prop}.rpcAddress`, remote.rpcAddress, 'the host:port of the remote cluster\'s public frontend gRPC port, such as "temporal-frontend.west.example.com:7233"',
        rpcAddressRemedy(remote.rpcAddress) ?? 'This cluster\'s frontend, history and worker pods dial it; give an address they can reach.');
    }
    const dialed = requireHostPort(owner, `${prop}.rpcAddress`, remote.rpcAddress);
    // As DNS and the dialer read it: host names in any case, relative or fully qualified under the
    // cluster's domain, with or without a trailing dot; an IPv6 address in any of its spellings.
    const address = `${canonicalHost(dialed.host, dns)}:${dialed.port}`;
    const twin = addresses.get(address);
    if (twin) throw propError(owner, `${prop}.rpcAddress`, remote.rpcAddress, `an address no other remote cluster has; ${twin} already has it`);
    addresses.set(address, remote.name);
    if ('httpAddress' in (remote as object)) {
      throw propError(owner, `${prop}.httpAddress`, (remote as { httpAddress?: unknown }).httpAddress, 'no value',
        'The server takes a remote cluster\'s HTTP address from the remote itself when it is registered; remove httpAddress.');
    }
    if (remote.enabled !== undefined && typeof remote.enabled !== 'boolean') {
      throw propError(owner, `${prop}.enabled`, remote.enabled, 'true or false');
    }
    const host = remote.rpcAddress.slice(0, remote.rpcAddress.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
    const tls = remoteTls(owner, prop, remote, host, props.tls !== undefined);
    return { name: remote.name, initialFailoverVersion: remote.initialFailoverVersion, rpcAddress: remote.rpcAddress, host, enabled: remote.enabled ?? true, tls };
  });
  // The server finds a remote's TLS settings by the host it dials, whatever the port: two remotes on
  // one host share one entry, so they must agree on it.
  const byHost = new Map<string, ResolvedRemoteCluster>();
  for (const [i, remote] of remoteClusters.entries()) {
    const other = byHost.get(remote.host);
    if (other && JSON.stringify(other.tls) !== JSON.stringify(remote.tls)) {
      throw propError(owner, `remoteClusters[${i}].tls`, remote.tls ?? 'none', `the same TLS settings as ${other.name}, which is on the same host ${remote.host}`,
        'The server keys remote-cluster TLS by host (global.tls.remoteClusters), so one host has one setting.');
    }
    byHost.set(remote.host, remote);
  }
  const dcRedirectionPolicy = props.dcRedirectionPolicy ?? DcRedirectionPolicy.NOOP;
  if (!Object.values(DcRedirectionPolicy).includes(dcRedirectionPolicy)) {
    throw propError(owner, 'dcRedirectionPolicy', dcRedirectionPolicy, `one of ${Object.values(DcRedirectionPolicy).join(', ')}`);
  }
  return {
    clusterName,
    failoverVersionIncrement,
    initialFailoverVersion,
    masterClusterName,
    remoteClusters: builtByCluster(remoteClusters),
    enableGlobalNamespace,
    dcRedirectionPolicy,
  };
}

/**
 * The address a malformed rpcAddress most likely means, as a remedy: without a scheme (`dns:///`,
 * `https://`), path, surrounding spaces or trailing dot, an IPv6 address in brackets, with the
 * default gRPC port when it has none. Undefined when that is still no address.
 */
function rpcAddressRemedy(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let v = value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\/\/?/i, '').replace(/\/.*$/, '');
  const notes: string[] = [];
  if (!v.startsWith('[') && (v.match(/:/g) ?? []).length > 1) {
    const port = /^(.*):(\d{1,5})$/.exec(v);
    if (isIpv6(v) && !(port && isIpv6(port[1]))) v = `[${v}]`;
    else if (port && isIpv6(port[1])) {
      notes.push(`if ${port[2]} is the port; an IPv6 address is written in brackets before it`);
      v = `[${port[1]}]:${port[2]}`;
    } else if (isIpv6(v)) v = `[${v}]`;
  }
  if (!/:\d{1,5}$/.test(v)) {
    v = `${v}:7233`;
    notes.push('7233 is the frontend\'s default gRPC port: give the remote\'s own if its ports are offset');
  }
  v = v.replace(/\.(:\d+)$/, '$1');
  if (v === value || !ADDRESS.test(v)) return undefined;
  try {
    requireHostPort('', '', v);
  } catch {
    return undefined;
  }
  return `Give "${v}"${notes.length > 0 ? ` (${notes.join('; ')})` : ''}: host and port alone, which this cluster's frontend, history and worker pods dial.`;
}

/** A remote's TLS, checked; plaintext towards a remote is refused from a cluster that uses TLS unless declared. */
function remoteTls(owner: string, prop: string, remote: RemoteCluster, host: string, localTls: boolean): ResolvedRemoteClusterTls | undefined {
  if (remote.allowPlaintext !== undefined && typeof remote.allowPlaintext !== 'boolean') {
    throw propError(owner, `${prop}.allowPlaintext`, remote.allowPlaintext, 'true or false');
  }
  const tls: RemoteClusterTls | undefined = remote.tls;
  if (tls === undefined) {
    if (localTls && remote.allowPlaintext !== true) {
      throw propError(owner, `${prop}.tls`, undefined, 'the remote frontend\'s CA (and a client certificate if it requires one), since this cluster uses TLS',
        `Give ${prop}.tls: { caSecret: ... }, or set ${prop}.allowPlaintext: true if that frontend really serves plaintext; replication then crosses the network unencrypted.`);
    }
    return undefined;
  }
  if (typeof tls !== 'object' || tls === null) throw propError(owner, `${prop}.tls`, tls, 'an object with caSecret');
  if (remote.allowPlaintext === true) {
    throw propError(owner, `${prop}.allowPlaintext`, true, 'false or unset when tls is given', 'Remove one of them: the connection is either TLS or plaintext.');
  }
  const caSecret = requireDns1123Subdomain(owner, `${prop}.tls.caSecret`, tls.caSecret);
  const clientCertificateSecret = tls.clientCertificateSecret === undefined ? undefined
    : requireDns1123Subdomain(owner, `${prop}.tls.clientCertificateSecret`, tls.clientCertificateSecret);
  const serverName = tls.serverName === undefined ? host : requireNonEmpty(owner, `${prop}.tls.serverName`, tls.serverName);
  if (!/^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$|^[0-9a-fA-F:.]+$/.test(serverName)) {
    throw propError(owner, `${prop}.tls.serverName`, serverName, 'a DNS name or an IP address that the remote frontend\'s certificate carries');
  }
  return { caSecret, clientCertificateSecret, serverName };
}

/**
 * A remote on the pod's loopback (`127.0.0.1`, `localhost`, `[::1]`, `0.0.0.0`) is dialed by each
 * frontend, history and worker pod on its own loopback, where a port of the server containers is
 * this cluster itself: the frontend reads its own metadata there, which the server refuses ("Cannot
 * update current cluster metadata from rpc calls"), after a Job that waited on it; history streams
 * to itself. Another port may be a tunnel's (a sidecar of the pods; processes sharing one host, as
 * the e2e tests run them), so only these are refused.
 */
export function checkLoopbackRemotes<T extends Partial<Record<string, { grpc: number; membership: number; http?: number }>>>(owner: string,
  remotes: readonly ResolvedRemoteCluster[], ports: T, metricsPort: number): T {
  for (const [i, remote] of remotes.entries()) {
    if (!isLoopbackHost(remote.host)) continue;
    const port = Number(remote.rpcAddress.slice(remote.rpcAddress.lastIndexOf(':') + 1));
    const taken = port === metricsPort ? ['metricsPort'] : Object.entries(ports)
      .flatMap(([role, p]) => Object.entries(p ?? {}).filter(([, n]) => n === port).map(([kind]) => `the ${role} ${kind} port`));
    if (taken.length > 0) {
      throw propError(owner, `remoteClusters[${i}].rpcAddress`, remote.rpcAddress, `the address of another cluster's frontend; on the pod's loopback, ${port} is ${taken[0]} of this cluster`,
        'Each server pod dials it on its own loopback, where it reaches this cluster itself, and a cluster cannot replicate with itself. Give the remote frontend\'s '
        + 'address (its Service, DNS name or IP address).');
    }
  }
  return ports;
}
