import { joinHostPort } from '../validation/hosts';
import type { RegisteredCluster } from './cluster-registry';
import { DnsContext, normalizeHost } from '../persistence/store-identity';
import { DeclaredRemote, sharedRemoteErrors } from './replication-groups';
import { headlessServiceName, roleName } from './object-names';
import { ServiceRole } from '../services/service-role';
import { summaryWarning } from '../summary-warning';

// The checks between clusters of one app that replicate, run by validateClusters
// (cluster-registry.ts): which cluster of the app each remote's address reaches, and whether the
// remote's name, namespaces and TLS agree with that cluster.

/** A namespace name two clusters both list, as each spells it (names differing only in case are one on MySQL). */
function sharedNamespace(a: RegisteredCluster, b: RegisteredCluster): [string, string] | undefined {
  const theirs = new Map((b.namespaces ?? []).map((name) => [name.toLowerCase(), name]));
  const name = (a.namespaces ?? []).find((n) => theirs.has(n.toLowerCase()));
  return name === undefined ? undefined : [name, theirs.get(name.toLowerCase())!];
}

/**
 * A remote that is a cluster of the same app is checked against that cluster: the name and failover
 * version it declares for it must be the remote's own, and both must use one increment. The server
 * finds out only when the registration Job runs (a failover version conflict, another increment, a
 * cluster at the address that calls itself by another name); a remote elsewhere is left to that Job.
 *
 * The remote is the cluster its rpcAddress reaches, its frontend Service however written, at its
 * gRPC port; failing that, the one cluster of the app with its name. Never an internal frontend,
 * which is its cluster too and grants every caller cluster admin, past the authorizer.
 */
export function replicationErrors(clusters: readonly RegisteredCluster[],
  objectKeysOf: (cluster: RegisteredCluster) => readonly string[] = (c) => c.objectKeys(), byNameToo = true): string[] {
  const errors: string[] = [];
  const byService = servicesByHost(clusters, objectKeysOf);
  const byClusterName = new Map<string, RegisteredCluster[]>();
  const [byFrontend, byInternalFrontend] = [new Map<string, RegisteredCluster>(), new Map<string, RegisteredCluster>()];
  const namespacePairs = new Set<string>();
  const declared: DeclaredRemote[] = [];
  const byPreviousFrontend = previousFrontends(clusters);
  for (const cluster of clusters) {
    byClusterName.set(cluster.replication.clusterName, [...(byClusterName.get(cluster.replication.clusterName) ?? []), cluster]);
    const { host, headlessHost, port } = cluster.replication.frontend;
    for (const name of [...normalizeHost(host, cluster.dns), ...normalizeHost(headlessHost, cluster.dns)]) byFrontend.set(`${name}:${port}`, cluster);
    const internal = cluster.replication.internalFrontend;
    for (const name of (internal?.hosts ?? []).flatMap((h) => normalizeHost(h, cluster.dns))) byInternalFrontend.set(`${name}:${internal!.port}`, cluster);
  }
  for (const cluster of clusters) {
    const own = cluster.replication;
    for (const [i, remote] of own.remotes.entries()) {
      const names = remoteHostNames(remote.host, cluster.dns);
      const reached = names.map((name) => byFrontend.get(`${name}:${remote.port}`)).find((c) => c !== undefined);
      const internal = normalizeHost(remote.host, cluster.dns).map((name) => byInternalFrontend.get(`${name}:${remote.port}`)).find((c) => c !== undefined);
      if (internal) {
        errors.push(`${cluster.label}: remoteClusters[${i}].rpcAddress is ${joinHostPort(remote.host, remote.port)}, the internal frontend of ${internal === cluster ? 'this cluster' : internal.label}; `
          + `expected the public frontend${internal === cluster ? ' of another cluster: a cluster cannot replicate with itself' : ` of that cluster (${joinHostPort(internal.replication.frontend.host, internal.replication.frontend.port)})`}. `
          + 'The internal frontend grants every caller cluster admin without a token, past any authorizer, and serves only its own cluster\'s servers and tools.');
        continue;
      }
      if (!reached) {
        const service = names.map((name) => byService.get(name)).find((c) => c !== undefined);
        if (service) errors.push(notTheFrontendPort(cluster, i, remote, service));
        if (service) continue;
        const moved = names.map((name) => byPreviousFrontend.get(name)).find((c) => c !== undefined);
        if (moved) {
          errors.push(`${cluster.label}: remoteClusters[${i}].rpcAddress is ${joinHostPort(remote.host, remote.port)}, the frontend of ${moved.label} before its move `
            + `(previously: '${moved.previously}'), where no cluster of the app runs now; expected its frontend now, ${joinHostPort(moved.replication.frontend.host, moved.replication.frontend.port)}. `
            + 'The registration Job would wait for an address that no longer answers, or register what is left there.');
          continue;
        }
      }
      if (reached === cluster) {
        errors.push(`${cluster.label}: remoteClusters[${i}].rpcAddress is ${joinHostPort(remote.host, remote.port)}, this cluster's own frontend. `
          + 'A cluster cannot replicate with itself; give the address of the other cluster\'s frontend.');
        continue;
      }
      if (reached && reached.replication.clusterName !== remote.name) {
        errors.push(`${cluster.label}: remoteClusters[${i}].name is ${remote.name}, but its rpcAddress ${joinHostPort(remote.host, remote.port)} reaches ${reached.label}, `
          + `whose clusterName is ${reached.replication.clusterName}. Declare the remote by its own clusterName: the registration Job fails on any other, `
          + 'and a name that is another cluster\'s mixes up the two in replication.');
      }
      if (reached?.replication.frontend.authorization) {
        errors.push(`${cluster.label}: remoteClusters[${i}].rpcAddress ${joinHostPort(remote.host, remote.port)} reaches ${reached.label}, whose frontend has an authorizer. `
          + 'This cluster\'s servers call it without a token (registration reads its metadata, history streams replication through the admin API), '
          + 'and it answers PERMISSION_DENIED to every such call. Replicate with clusters without authorization.');
      }
      if (reached) errors.push(...remoteTlsErrors(cluster, i, remote, reached));
      const byName = byClusterName.get(remote.name) ?? [];
      // Two clusters of the app answer to that name and the address reaches neither: which one it is, is not known here.
      const peerCluster = reached ?? (byNameToo && byName.length === 1 ? byName[0] : undefined);
      declared.push({ cluster, index: i, remote, peer: peerCluster, reached: reached !== undefined });
      // A remote outside the app by address, named as a cluster of the app, is taken for it (an address of its own: a load balancer's).
      const how = reached ? `rpcAddress ${joinHostPort(remote.host, remote.port)} reaches` : `name ${remote.name} is that of`;
      if (peerCluster && !peerCluster.replication.enableGlobalNamespace) {
        errors.push(`${cluster.label}: remoteClusters[${i}].${how} ${peerCluster.label}, whose enableGlobalNamespace is false. `
          + 'The server refuses to register a remote without global namespaces ("Cannot add remote cluster as global namespace is not supported"), so the '
          + `registration Job would fail; set enableGlobalNamespace: true on ${peerCluster.label} and declare this cluster in its remoteClusters.`);
      } else if (peerCluster && remote.enabled && !peerCluster.replication.remotes.some((r) => r.name === own.clusterName)) {
        // With the connection off nothing replicates either way: a pairing being taken apart, one side first.
        errors.push(`${cluster.label}: remoteClusters[${i}] ${reached ? 'reaches' : `(${remote.name}) is`} ${peerCluster.label}, whose remoteClusters does not list this cluster (${own.clusterName}). `
          + 'Replication runs between clusters that each have the other registered: a cluster fetches the replication tasks and namespace changes of the '
          + `remotes it knows, so nothing active here would reach ${peerCluster.label}, and a failover to it would find stale data. Add `
          + `{ name: '${own.clusterName}', initialFailoverVersion: ${own.initialFailoverVersion}, rpcAddress: '${joinHostPort(own.frontend.host, own.frontend.port)}' } to its remoteClusters.`);
      }
      // Reported once per pair, whichever of the two lists the other, or both.
      const pair = reached && [clusters.indexOf(cluster), clusters.indexOf(reached)].sort((x, y) => x - y).join('|');
      const twin = reached && !namespacePairs.has(pair!) ? sharedNamespace(cluster, reached) : undefined;
      if (pair) namespacePairs.add(pair);
      if (twin) {
        errors.push(`${cluster.label}: namespaces lists ${twin[0]}, which ${reached!.label}, a cluster it replicates with, lists too (${twin[1]}). `
          + 'Each namespace Job creates a local namespace, so there would be two unrelated namespaces of that name, never replicated, and a global '
          + 'namespace of that name could never be registered on both. List it on one cluster only, or create it as a global namespace '
          + '(temporal operator namespace create --global) on one cluster and leave it out of namespaces.');
      }
      if (!peerCluster) continue;
      const peer = peerCluster.replication;
      if (remote.initialFailoverVersion !== peer.initialFailoverVersion) {
        errors.push(`${cluster.label}: remoteClusters[${i}].initialFailoverVersion is ${remote.initialFailoverVersion}, but ${peerCluster.label}, the cluster `
          + `named ${peer.clusterName} in this app, has initialFailoverVersion ${peer.initialFailoverVersion}. Declare the remote's own value: `
          + 'the registration Job fails on any other, and two clusters with one failover version corrupt global namespaces.');
      }
      const [small, large] = [own.numHistoryShards, peer.numHistoryShards].sort((x, y) => x - y);
      if (large % small !== 0) {
        errors.push(`${cluster.label}: numHistoryShards is ${own.numHistoryShards}, but its remote ${peerCluster.label} has ${peer.numHistoryShards}. `
          + 'The server registers a remote only when one shard count is a multiple of the other ("Remote cluster shard number and local cluster shard '
          + 'number are not multiples"), so the registration Job would fail; the shard count of a cluster never changes, so create the new cluster '
          + `with ${own.numHistoryShards} shards or a multiple or divisor of it.`);
      }
      summaryWarning(versionSkew(cluster, peerCluster));
      if (own.failoverVersionIncrement !== peer.failoverVersionIncrement) {
        errors.push(`${cluster.label}: failoverVersionIncrement is ${own.failoverVersionIncrement}, but its remote ${peerCluster.label} has `
          + `${peer.failoverVersionIncrement}. Clusters that replicate use one increment; the server refuses to register the other.`);
      }
    }
  }
  return [...errors, ...sharedRemoteErrors(declared, byNameToo)];
}

/**
 * The names under which a remote's host may be a Service of this app's Kubernetes cluster. None for
 * a multi-cluster Service's name (KEP-1645's `clusterset.local`, Submariner's
 * `<cluster>.<service>.<namespace>.svc.clusterset.local`): it names the Service of another
 * Kubernetes cluster of the set, which may have the namespace and name of one here.
 */
export function remoteHostNames(host: string, dns: DnsContext): string[] {
  return /\.svc\.clusterset\.local\.?$/i.test(host) ? [] : normalizeHost(host, dns);
}

/**
 * The frontend Services (and headless ones) a cluster moved or renamed with `previously` had under
 * its old key, by each name its address may be written as: a remote still at one of them dials a
 * namespace no cluster of the app is in now (a name of a cluster there now is a Service of the app).
 */
function previousFrontends(clusters: readonly RegisteredCluster[]): Map<string, RegisteredCluster> {
  const byHost = new Map<string, RegisteredCluster>();
  for (const cluster of clusters) {
    const [namespace, name] = cluster.previously?.split('/') ?? [];
    if (name === undefined) continue;
    const dns = { namespace, clusterDomain: cluster.dns.clusterDomain };
    for (const service of [roleName(name, ServiceRole.FRONTEND), headlessServiceName(name, ServiceRole.FRONTEND)]) {
      for (const host of normalizeHost(`${service}.${namespace}.svc`, dns)) byHost.set(host, cluster);
    }
  }
  return byHost;
}

/** Every Service of the app's clusters, by each name its address may be written as, with its cluster. */
function servicesByHost(clusters: readonly RegisteredCluster[], objectKeysOf: (cluster: RegisteredCluster) => readonly string[]): Map<string, RegisteredCluster> {
  const byHost = new Map<string, RegisteredCluster>();
  for (const cluster of clusters) {
    for (const key of objectKeysOf(cluster)) {
      const service = /^Service\.core ([^/]+)\/(.+)$/.exec(key);
      if (service) for (const name of normalizeHost(`${service[2]}.${service[1]}.svc`, cluster.dns)) byHost.set(name, cluster);
    }
  }
  return byHost;
}

/**
 * A remote's address names a Service of a cluster of the app, but not its public frontend's gRPC
 * port (the HTTP port, membership, history, the UI): the registration Job dials it for the remote's
 * metadata and fails, or waits for ten minutes on a port that never answers gRPC.
 */
function notTheFrontendPort(cluster: RegisteredCluster, i: number, remote: { host: string; port: number }, service: RegisteredCluster): string {
  const frontend = joinHostPort(service.replication.frontend.host, service.replication.frontend.port);
  return `${cluster.label}: remoteClusters[${i}].rpcAddress is ${joinHostPort(remote.host, remote.port)}, a Service of ${service === cluster ? 'this cluster' : service.label} `
    + `that is not its public frontend's gRPC port; expected ${service === cluster ? 'the public frontend of another cluster: a cluster cannot replicate with itself'
      : `that cluster's public frontend, ${frontend}`}. The registration Job reads the remote's metadata over gRPC at that address, which only the `
    + 'frontend\'s gRPC port answers.';
}

/**
 * A remote reached by address is a cluster of the app, so what its frontend serves is known: the
 * servers dial it as `remoteClusters[i].tls` says, and a mismatch fails only at run time, on every
 * replication call, with a handshake error in the frontend, history and worker logs (plaintext to a
 * TLS port, TLS to a plaintext one, no client certificate where one is required, a serverName its
 * certificate does not carry).
 */
function remoteTlsErrors(cluster: RegisteredCluster, i: number, remote: RegisteredCluster['replication']['remotes'][number], reached: RegisteredCluster): string[] {
  const served = reached.replication.frontend.tls;
  const at = `remoteClusters[${i}]`;
  const address = joinHostPort(remote.host, remote.port);
  if (served && !remote.tls) {
    return [`${cluster.label}: ${at}.tls is not set (plaintext), but its rpcAddress ${address} reaches ${reached.label}, whose frontend serves TLS. `
      + `Give ${at}.tls: { caSecret } (a Secret of this namespace holding the CA that signed that frontend's certificate), and drop allowPlaintext.`];
  }
  if (!served && remote.tls) {
    return [`${cluster.label}: ${at}.tls is set, but its rpcAddress ${address} reaches ${reached.label}, whose frontend serves plaintext. `
      + `Drop ${at}.tls (with allowPlaintext: true if this cluster uses TLS), or turn on that cluster's frontend TLS.`];
  }
  if (!served || !remote.tls) return [];
  const errors: string[] = [];
  if (served.requiresClientCertificate && remote.tls.clientCertificateSecret === undefined) {
    errors.push(`${cluster.label}: ${at}.tls.clientCertificateSecret is not set, but its rpcAddress ${address} reaches ${reached.label}, `
      + 'whose frontend requires client certificates (requireClientAuth). Give a Secret whose tls.crt and tls.key that frontend\'s client CA signed, '
      + 'or set requireClientAuth: false on that cluster.');
  }
  const names = served.dnsNames;
  if (names && !names.some((name) => dnsNameMatches(name, remote.tls!.serverName))) {
    errors.push(`${cluster.label}: ${at}.tls.serverName is ${remote.tls.serverName}, but the frontend certificate of ${reached.label}, which its rpcAddress reaches, `
      + `carries ${names.join(', ')}. Give one of these as serverName, or add the name to that cluster's frontendDnsNames.`);
  }
  return errors;
}

/** Whether a certificate name (possibly a leading `*.` wildcard) covers `host`, as TLS verifies it: case aside, a wildcard for one label. */
function dnsNameMatches(name: string, host: string): boolean {
  const [n, h] = [name.toLowerCase(), host.toLowerCase().replace(/\.$/, '')];
  if (!n.startsWith('*.')) return n === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === n.slice(2);
}

/**
 * A warning for two clusters of the app that replicate and run server releases more than one minor
 * apart. The server compares no release across clusters, and Temporal ships multi-cluster
 * replication as experimental, outside its versioning policy: one minor apart is the step of an
 * upgrade done one cluster at a time, which the releases are built for; further apart nothing
 * promises that one reads what the other sends (replication streams, namespace replication).
 */
function versionSkew(a: RegisteredCluster, b: RegisteredCluster): string | undefined {
  const [va, vb] = [a.lockRecord().serverVersion, b.lockRecord().serverVersion];
  const [[aMajor, aMinor], [bMajor, bMinor]] = [va, vb].map((v) => v.split('.').map(Number));
  if (aMajor === bMajor && Math.abs(aMinor - bMinor) <= 1) return undefined;
  const [older, newer] = aMajor < bMajor || (aMajor === bMajor && aMinor < bMinor) ? [[a, va], [b, vb]] as const : [[b, vb], [a, va]] as const;
  return `${older[0].label} runs server ${older[1]} and ${newer[0].label}, which replicates with it, ${newer[1]}: more than one minor apart. The server compares no `
    + 'release across clusters, and Temporal ships multi-cluster replication as experimental, outside its versioning policy: one minor apart is the step of an '
    + 'upgrade done one cluster at a time, further apart nothing promises that one reads what the other sends. Upgrade '
    + `${older[0].label} a minor at a time to within one minor of ${newer[1]} before relying on replication or a failover between them.`;
}
