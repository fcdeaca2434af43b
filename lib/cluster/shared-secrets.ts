import { type ResolvedTls, tlsSecretNames } from '../security/tls';

/** What a cluster contributes to the check of TLS Secrets between the clusters of one app. */
export interface ClusterTlsSecrets {
  readonly label: string;
  readonly namespace: string;
  readonly tls?: ResolvedTls;
  /** The Secret its UI's Ingress serves. */
  readonly uiIngressSecret?: string;
  /** Its remote clusters, in the order of remoteClusters, with the Secrets its servers dial each with. */
  readonly remotes?: ReadonlyArray<{ readonly name: string; readonly tls?: { readonly clientCertificateSecret?: string } }>;
}

/**
 * Client pods of one cluster (its UI, admin tools, namespace Job) that mount a server Secret of
 * another cluster of the same namespace, and a UI Ingress that serves any TLS Secret of another. Each cluster refuses its own server Secrets as client
 * Secrets (ClusterTls.fromSecrets), but two clusters side by side each look fine alone: cluster b's
 * UI given `a-internode` holds cluster a's internode key, which a's internal frontend takes for one
 * of its servers (cluster admin) and which serves as a's servers to every peer.
 */
export function sharedServerSecrets(clusters: readonly ClusterTlsSecrets[]): string[] {
  const errors: string[] = [];
  const servers = new Map<string, ServerSecretOwner>();
  for (const cluster of clusters) {
    for (const [secret, what, prop] of serverSecretsOf(cluster.tls)) {
      const key = `${cluster.namespace}/${secret}`;
      const owner = servers.get(key);
      if (!owner) servers.set(key, { cluster, what, prop });
      else errors.push(...sharedInternodeSecret(cluster, secret, what, prop, owner));
    }
  }
  for (const cluster of clusters) {
    for (const [client, secret] of Object.entries(cluster.tls?.clientSecrets ?? {})) {
      const server = servers.get(`${cluster.namespace}/${secret}`);
      if (!server || server.cluster === cluster || server.cluster.label === cluster.label) continue;
      errors.push(`${cluster.label}: tls.clients.${client} is "${secret}", the ${server.what} Secret of ${server.cluster.label} in the same namespace; `
        + `expected a client certificate Secret of its own. The ${client} pod would hold that cluster's ${server.what} private key and could act as its servers `
        + '(its internal frontend grants cluster admin to the internode certificate); issue the client a certificate in a Secret of its own.');
    }
  }
  // The UI's Ingress, whose controller (often shared, in another namespace) reads the key: none of
  // another cluster's TLS Secrets either, as none of its own (TemporalUi).
  const all = new Map<string, { cluster: ClusterTlsSecrets; what: string }>();
  for (const cluster of clusters) {
    for (const [secret, what] of tlsSecretNames(cluster.tls)) {
      if (!all.has(`${cluster.namespace}/${secret}`)) all.set(`${cluster.namespace}/${secret}`, { cluster, what });
    }
  }
  errors.push(...remoteClientSecrets(clusters, all));
  // The certificate a cluster presents to its remotes, whose key calls their frontends as this
  // cluster's servers: no UI Ingress serves it, this cluster's or another's. (A client pod of another
  // cluster given it is the pair remoteClientSecrets reports: its client Secrets are in `all`.)
  const remoteClients = new Map<string, { cluster: ClusterTlsSecrets; what: string }>();
  for (const cluster of clusters) {
    for (const [secret, what] of remoteClientSecretNames(cluster.remotes)) {
      const key = `${cluster.namespace}/${secret}`;
      if (!remoteClients.has(key)) remoteClients.set(key, { cluster, what });
    }
  }
  for (const cluster of clusters) {
    const secret = cluster.uiIngressSecret;
    const remote = secret === undefined ? undefined : remoteClients.get(`${cluster.namespace}/${secret}`);
    const other = secret === undefined ? undefined : all.get(`${cluster.namespace}/${secret}`) ?? remote;
    if (!other || ((other.cluster === cluster || other.cluster.label === cluster.label) && other !== remote)) continue;
    const whose = other.cluster === cluster ? 'this cluster' : other.cluster.label;
    errors.push(`${cluster.label}: ui.ingress.tlsSecretName is "${secret}", the ${other.what} Secret of ${whose} in the same namespace; `
      + `expected a certificate Secret for the UI's host. The Ingress controller would hold ${other.cluster === cluster ? 'this' : 'that'} cluster's ${other.what} private key; `
      + 'issue a certificate for the host in a Secret of its own.');
  }
  return errors;
}

interface ServerSecretOwner { readonly cluster: ClusterTlsSecrets; readonly what: string; readonly prop: string }

/** A cluster's server Secrets (the Secret, what it is for the messages, its prop under tls). */
function serverSecretsOf(tls: ResolvedTls | undefined): Array<readonly [string, string, string]> {
  if (!tls) return [];
  const named: Array<readonly [string | undefined, string, string]> = [[tls.internodeSecret, 'internode', 'internode'],
    [tls.frontendSecret, 'frontend', 'frontend'], [tls.systemWorkerSecret, 'system-worker', 'systemWorker']];
  return named.filter((entry): entry is readonly [string, string, string] => entry[0] !== undefined);
}

/**
 * An internode Secret of one cluster that is a server Secret (internode, frontend, system workers')
 * of another cluster of its namespace: a Secret is named, not derived from the cluster, with
 * ClusterTls.fromSecrets, and the second cluster given the first one's name looks fine alone. Both
 * clusters' servers would then hold one internode key and trust one CA: each takes the other's
 * nodes for its own (membership, history and matching calls, the internal frontend's cluster
 * admin), so the two deployments are no longer apart. Keyed by the clusters' resolved namespaces,
 * so a chart without one and a chart or cluster saying "default" are one namespace.
 */
function sharedInternodeSecret(cluster: ClusterTlsSecrets, secret: string, what: string, prop: string, other: ServerSecretOwner): string[] {
  if (other.cluster === cluster || other.cluster.label === cluster.label || (what !== 'internode' && other.what !== 'internode')) return [];
  return [`${cluster.label}: tls.${prop} is "${secret}", the ${other.what} Secret (tls.${other.prop}) of ${other.cluster.label} in the same namespace `
    + `(${cluster.namespace}); expected a Secret of its own. The servers of both clusters would hold one internode key and trust each other's nodes as their own `
    + '(membership, history and matching calls, cluster admin at the internal frontend), so the two deployments would not be apart. '
    + `Give this cluster its own ${prop === 'internode' ? 'internode certificate' : `${what} certificate`} in a Secret of its own (signed by a CA of its own for internode), `
    + 'or use ClusterTls.certManager, which names each cluster\'s Secrets after it.'];
}

/**
 * The certificates a cluster presents to its remote clusters (remoteClusters[i].tls.clientCertificateSecret),
 * each with what it is for the messages; the first remote that names a Secret says what it is.
 */
export function remoteClientSecretNames(remotes: ClusterTlsSecrets['remotes']): Map<string, string> {
  const names = new Map<string, string>();
  for (const [i, remote] of (remotes ?? []).entries()) {
    const secret = remote.tls?.clientCertificateSecret;
    if (secret !== undefined && !names.has(secret)) names.set(secret, `remoteClusters[${i}] (${remote.name}) client`);
  }
  return names;
}

/**
 * The certificate a cluster presents to a remote frontend (remoteClusters[i].tls.clientCertificateSecret),
 * whose tls.crt and tls.key its frontend, internal frontend, history and worker pods mount: none of
 * another cluster's TLS Secrets of the same namespace. Its internode, frontend or system-worker
 * Secret would put that cluster's server key in these pods (the internode certificate is cluster
 * admin at its internal frontend, and serves as its servers to every peer); a client Secret of its
 * UI, admin tools or namespace Job is that pod's identity, and the admin tools' and the Job's are
 * signed by the internode CA when an authorizer guards the frontend. Nor the cluster's own frontend
 * Secret, whose key history and worker would hold then (as ClusterTls refuses it for the system
 * workers). Its own internode Secret is in every pod that dials anyway, and stays allowed.
 *
 * caSecret is not checked: only its ca.crt is mounted, and the CA of another cluster's frontend (or
 * internode) Secret is exactly what verifies that cluster, a certificate any client may hold.
 */
function remoteClientSecrets(clusters: readonly ClusterTlsSecrets[], all: ReadonlyMap<string, { cluster: ClusterTlsSecrets; what: string }>): string[] {
  const errors: string[] = [];
  for (const cluster of clusters) {
    for (const [i, remote] of (cluster.remotes ?? []).entries()) {
      const secret = remote.tls?.clientCertificateSecret;
      if (secret === undefined) continue;
      const prop = `remoteClusters[${i}].tls.clientCertificateSecret`;
      const remedy = `issue this cluster a certificate for ${remote.name} in a Secret of its own, signed by the CA ${remote.name}'s frontend trusts for clients.`;
      const other = all.get(`${cluster.namespace}/${secret}`);
      if (other && other.cluster !== cluster && other.cluster.label !== cluster.label) {
        errors.push(`${cluster.label}: ${prop} is "${secret}", the ${other.what} Secret of ${other.cluster.label} in the same namespace; `
          + `expected a client certificate Secret of its own. This cluster's frontend, history and worker pods would hold that cluster's ${other.what} private key `
          + `and present its identity to ${remote.name}; ${remedy}`);
      } else if (secret === cluster.tls?.frontendSecret) {
        errors.push(`${cluster.label}: ${prop} is "${secret}", this cluster's own frontend Secret; expected a client certificate Secret of its own. `
          + `History and worker pods, which dial ${remote.name} too, would hold the frontend's private key; ${remedy}`);
      }
    }
  }
  return errors;
}
