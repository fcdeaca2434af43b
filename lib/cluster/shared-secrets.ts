import { type ResolvedTls, tlsSecretNames } from '../security/tls';

/** What a cluster contributes to the check of TLS Secrets between the clusters of one app. */
export interface ClusterTlsSecrets {
  readonly label: string;
  readonly namespace: string;
  readonly tls?: ResolvedTls;
  /** The Secret its UI's Ingress serves. */
  readonly uiIngressSecret?: string;
}

/**
 * Client pods of one cluster (its UI, admin tools, namespace Job) that mount a server Secret of
 * another cluster of the same namespace, and a UI Ingress that serves any TLS Secret of another. Each cluster refuses its own server Secrets as client
 * Secrets (ClusterTls.fromSecrets), but two clusters side by side each look fine alone: cluster b's
 * UI given `a-internode` holds cluster a's internode key, which a's internal frontend takes for one
 * of its servers (cluster admin) and which serves as a's servers to every peer.
 */
export function sharedServerSecrets(clusters: readonly ClusterTlsSecrets[]): string[] {
  const servers = new Map<string, { cluster: ClusterTlsSecrets; what: string }>();
  for (const cluster of clusters) {
    const tls = cluster.tls;
    if (!tls) continue;
    for (const [secret, what] of [[tls.internodeSecret, 'internode'], [tls.frontendSecret, 'frontend'], [tls.systemWorkerSecret, 'system-worker']] as const) {
      const key = `${cluster.namespace}/${secret}`;
      if (secret !== undefined && !servers.has(key)) servers.set(key, { cluster, what });
    }
  }
  const errors: string[] = [];
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
  for (const cluster of clusters) {
    const secret = cluster.uiIngressSecret;
    const other = secret === undefined ? undefined : all.get(`${cluster.namespace}/${secret}`);
    if (!other || other.cluster === cluster || other.cluster.label === cluster.label) continue;
    errors.push(`${cluster.label}: ui.ingress.tlsSecretName is "${secret}", the ${other.what} Secret of ${other.cluster.label} in the same namespace; `
      + `expected a certificate Secret for the UI's host. The Ingress controller would hold that cluster's ${other.what} private key; `
      + 'issue a certificate for the host in a Secret of its own.');
  }
  return errors;
}
