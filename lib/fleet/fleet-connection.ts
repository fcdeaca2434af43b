import { Duration } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { otherLibraryCopy } from '../cdk8s-copies';
import { remoteClientSecretNames } from '../cluster/shared-secrets';
import { TemporalCluster } from '../cluster/temporal-cluster';
import { EnvVar } from '../../imports/k8s';
import { secretVolume, VolumeSet } from '../pod/volumes';
import { SecretRef } from '../persistence/secret-ref';
import { requireSecretRef } from '../persistence/secret-ref-checks';
import { NetworkPeer } from '../security/network-policies';
import { certManagerLifetime, CertManagerIssuer, checkIssuer, IssuerKind } from '../security/cert-manager-issuer';
import { TLS_DIRS, tlsSecretNames } from '../security/tls';
import { checkOptionsObject, plainProps, propError, requireDns1123Subdomain } from '../validation';
import { clientSecretOf, externalConnection } from './external-frontend';
import type { ExternalFrontend } from './worker-fleet-props';

/** Where the frontend's CA is mounted in a worker pod. */
export const SERVER_CA_DIR = '/etc/temporal/tls/server-ca';

/** A certificate cert-manager issues for the fleet alone. */
export interface FleetCertManagerOptions {
  /**
   * The issuer. An `Issuer` must live in the fleet's namespace.
   * @default - the bound cluster's issuer, when its TLS is `ClusterTls.certManager`
   */
  readonly issuer?: CertManagerIssuer;
  /**
   * Certificate lifetime.
   * @default Duration.days(90)
   */
  readonly duration?: Duration;
  /**
   * Renew this long before expiry.
   * @default Duration.days(30)
   */
  readonly renewBefore?: Duration;
}

/** The keys of a Secret that holds a client certificate. */
export interface ClientCertificateKeys {
  /** @default 'tls.crt' */
  readonly cert?: string;
  /** @default 'tls.key' */
  readonly key?: string;
}

/**
 * The fleet's own client certificate: its identity at the frontend. Never one of the servers'
 * certificates, whose keys also open the internode ports.
 */
export class FleetClientCertificate {
  /**
   * A cert-manager Certificate for the fleet, in a Secret named `<fleet>-client-tls`, with the common
   * name `<fleet>.<namespace>`: at most 64 characters, which cert-manager requires. Its ECDSA key is
   * PKCS#8-encoded, which every SDK reads (Java's env config no other).
   */
  public static certManager(options: FleetCertManagerOptions = {}): FleetClientCertificate {
    const owner = 'FleetClientCertificate.certManager';
    options = plainProps(owner, options, 'FleetCertManagerOptions', 'options');
    // The limits of cert-manager's webhook, as for the cluster's certificates: a Certificate it
    // refuses is never issued, and the fleet's pods wait for its Secret forever.
    const issuer = options.issuer === undefined ? undefined : checkIssuer(owner, options.issuer);
    const { duration, renewBefore } = certManagerLifetime(owner, options);
    return new FleetClientCertificate({ issuer, duration, renewBefore });
  }

  /**
   * A certificate already in a Secret of the fleet's namespace (`kubernetes.io/tls` keys by default).
   * For workers in Java the key must be PKCS#8 (`BEGIN PRIVATE KEY`): its env config reads no other.
   */
  public static fromSecret(secretName: string, keys: ClientCertificateKeys = {}): FleetClientCertificate {
    const owner = 'FleetClientCertificate.fromSecret';
    requireDns1123Subdomain(owner, 'secretName', secretName);
    keys = plainProps(owner, keys, 'ClientCertificateKeys', 'keys');
    const certKey = secretKey(owner, 'keys.cert', keys.cert ?? 'tls.crt');
    const keyKey = secretKey(owner, 'keys.key', keys.key ?? 'tls.key');
    if (certKey === keyKey) throw propError(owner, 'keys.key', keyKey, `a key other than keys.cert ("${certKey}")`, 'The certificate and its private key are two entries of the Secret.');
    return new FleetClientCertificate(undefined, { secretName, certKey, keyKey });
  }

  private constructor(
    /** @internal */ public readonly _certManager?: { issuer?: CertManagerIssuer; duration: Duration; renewBefore: Duration },
    /** @internal */ public readonly _secret?: { secretName: string; certKey: string; keyKey: string },
  ) {}
}

function secretKey(owner: string, prop: string, key: string): string {
  if (typeof key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(key)) {
    throw propError(owner, prop, key, 'a Secret data key: letters, digits, \'-\', \'_\' and \'.\'');
  }
  return key;
}

/** How the fleet reaches its frontend, resolved once. */
export interface FleetConnection {
  /** `host:port` the workers dial (`TEMPORAL_ADDRESS`). */
  readonly address: string;
  /** The port of `address`: a Service's port when it names one. */
  readonly port: number;
  /**
   * The port the frontend's pods listen on, which the egress rule names: a NetworkPolicy sees a
   * connection to a Service after kube-proxy has translated it to a pod and its targetPort.
   */
  readonly podPort: number;
  readonly tls: boolean;
  /** The name the frontend's certificate is verified against, with TLS. */
  readonly serverName?: string;
  /** The client certificate's Secret and keys. */
  readonly clientSecret?: { readonly name: string; readonly certKey: string; readonly keyKey: string };
  /** The Certificate to emit, when cert-manager issues the client certificate. */
  readonly certificate?: { readonly issuer: CertManagerIssuer; readonly duration: Duration; readonly renewBefore: Duration };
  readonly serverCa?: SecretRef;
  readonly apiKey?: SecretRef;
  /** The bound cluster, when the fleet connects to one of this app. */
  readonly cluster?: TemporalCluster;
  /** Where the egress rule to an external frontend points. */
  readonly externalPeers?: NetworkPeer[];
  /** The image of the pods' namespace check: the cluster's admin tools, or `frontend.namespaceCheckImage`. */
  readonly checkImage: string;
}

export interface ConnectionInputs {
  readonly owner: string;
  readonly fleetName: string;
  readonly namespace: string;
  /** The root of the fleet's app. */
  readonly scopeRoot: IConstruct;
  readonly cluster?: TemporalCluster;
  readonly frontend?: ExternalFrontend;
  readonly clientCertificate?: FleetClientCertificate;
  readonly serverCa?: SecretRef;
  readonly apiKey?: SecretRef;
  /** The Temporal namespace the workers poll, checked: a Temporal Cloud endpoint takes namespace IDs only. */
  readonly temporalNamespace?: string;
}

/**
 * The Secret names a cluster's servers (and its own clients) use, which a fleet must never share:
 * its TLS Secrets, and the certificates it presents to its remote clusters (its servers replicate
 * with that key; a CA Secret holds no key and is not among them).
 */
export function clusterSecrets(cluster: TemporalCluster): Map<string, string> {
  const secrets = tlsSecretNames(cluster.tls);
  for (const [secret, what] of remoteClientSecretNames(cluster.remoteClusters)) if (!secrets.has(secret)) secrets.set(secret, what);
  return secrets;
}

/** Resolves where and how the fleet connects, refusing every combination that could not work. */
export function resolveConnection(inputs: ConnectionInputs): FleetConnection {
  const { owner } = inputs;
  if (inputs.clientCertificate !== undefined && !(inputs.clientCertificate instanceof FleetClientCertificate)) {
    throw propError(owner, 'clientCertificate', inputs.clientCertificate, 'a FleetClientCertificate (FleetClientCertificate.certManager() or .fromSecret())');
  }
  for (const [prop, ref] of [['serverCa', inputs.serverCa], ['apiKey', inputs.apiKey]] as const) {
    if (ref !== undefined) requireSecretRef(owner, prop, ref);
  }
  // From plain JS or JSON config, null is not "unset": it would reach a TypeError that names no prop.
  if (inputs.cluster === null) throw propError(owner, 'cluster', null, 'a TemporalCluster of this app', 'Leave it unset to use frontend.');
  checkOptionsObject(owner, 'frontend', inputs.frontend, { expected: 'an options object ({ address: \'host:port\' })', remedy: 'Leave it unset to use cluster.', refuseNull: true });
  if ((inputs.cluster === undefined) === (inputs.frontend === undefined)) {
    throw propError(owner, inputs.cluster ? 'frontend' : 'cluster', inputs.cluster ? inputs.frontend : undefined,
      inputs.cluster ? 'no value when cluster is set' : 'a TemporalCluster, or frontend with the address of one outside this app',
      'A fleet connects to exactly one frontend.');
  }
  return inputs.cluster ? clusterConnection(inputs, inputs.cluster) : externalConnection(inputs, inputs.frontend!);
}

function clusterConnection(inputs: ConnectionInputs, cluster: TemporalCluster): FleetConnection {
  const { owner } = inputs;
  if (!(cluster instanceof TemporalCluster)) throw propError(owner, 'cluster', '(not a TemporalCluster)', 'a TemporalCluster of this app', otherLibraryCopy(cluster).trim() || undefined);
  if (Node.of(cluster).root !== inputs.scopeRoot) {
    throw propError(owner, 'cluster', Node.of(cluster).path, 'a TemporalCluster of the same app',
      'For a cluster synthesized by another app, use frontend: { address } instead.');
  }
  const sameNamespace = cluster.namespace === inputs.namespace;
  const tls = cluster.tls;
  const frontendTls = Boolean(tls?.frontendSecret);
  // The frontend Service's gRPC port, and the container port its targetPort ('grpc') names.
  const port = cluster.frontend.ports.grpc;
  const podPort = cluster.frontend.ports.grpc;
  if (!frontendTls) {
    if (inputs.clientCertificate) {
      throw propError(owner, 'clientCertificate', 'set', `no value: the frontend of TemporalCluster '${cluster.name}' serves plaintext`,
        'A client certificate would never be presented; turn on the cluster\'s frontend TLS or drop it.');
    }
    if (inputs.serverCa) throw propError(owner, 'serverCa', inputs.serverCa.secretName, `no value: the frontend of TemporalCluster '${cluster.name}' serves plaintext`);
    // Under an authorizer the cluster's authorization.allowPlaintextTokens has said the traffic is encrypted another way.
    if (inputs.apiKey && !cluster.authorizationEnabled) {
      throw propError(owner, 'apiKey', inputs.apiKey.secretName, `no value: the frontend of TemporalCluster '${cluster.name}' serves plaintext and has no authorizer`,
        'The key would cross the network in clear text and be checked by nothing; drop it, or give the cluster TLS and authorization.');
    }
    return { address: cluster.frontend.grpcAddress, port, podPort, tls: false, apiKey: inputs.apiKey, cluster, checkImage: cluster.adminToolsImage };
  }
  const cert = inputs.clientCertificate
    ?? (tls!.requireClientAuth && tls!.issuer ? FleetClientCertificate.certManager() : undefined);
  if (!cert && tls!.requireClientAuth) {
    throw propError(owner, 'clientCertificate', undefined, `the fleet's own certificate: the frontend of TemporalCluster '${cluster.name}' requires client certificates`,
      'Give clientCertificate: FleetClientCertificate.fromSecret(\'<a Secret signed by the frontend\'s CA>\'), or use ClusterTls.certManager so the fleet gets one from its issuer.');
  }
  const certManager = cert?._certManager;
  let issuer = certManager?.issuer;
  if (certManager && !issuer) {
    if (!tls!.issuer) {
      throw propError(owner, 'clientCertificate', 'FleetClientCertificate.certManager() without an issuer', 'an issuer',
        `TemporalCluster '${cluster.name}' takes its certificates from Secrets, so there is no issuer to borrow; name one.`);
    }
    if (!sameNamespace && tls!.issuer.kind === IssuerKind.ISSUER) {
      throw propError(owner, 'clientCertificate', 'FleetClientCertificate.certManager() without an issuer',
        `an issuer: the cluster's Issuer '${tls!.issuer.name}' lives in namespace ${cluster.namespace}, and a Certificate in ${inputs.namespace} cannot use it`,
        'Use a ClusterIssuer for the cluster, or name an Issuer of the fleet\'s namespace that signs with the same CA.');
    }
    issuer = tls!.issuer;
  }
  const clientSecret = clientSecretOf(inputs.fleetName, cert);
  let serverCa = inputs.serverCa;
  if (!serverCa) {
    if (sameNamespace) serverCa = SecretRef.of(tls!.frontendSecret!, 'ca.crt');
    else if (clientSecret && certManager) serverCa = SecretRef.of(clientSecret.name, 'ca.crt');
    else {
      throw propError(owner, 'serverCa', undefined, `the CA of the frontend of TemporalCluster '${cluster.name}', in a Secret of namespace ${inputs.namespace}`,
        `The cluster's frontend Secret lives in namespace ${cluster.namespace}, which the fleet's pods cannot mount.`);
    }
  }
  const connection: FleetConnection = {
    address: cluster.frontend.grpcAddress,
    port,
    podPort,
    tls: true,
    serverName: cluster.frontendFqdn,
    clientSecret,
    certificate: certManager && { issuer: issuer!, duration: certManager.duration, renewBefore: certManager.renewBefore },
    serverCa,
    apiKey: inputs.apiKey,
    cluster,
    checkImage: cluster.adminToolsImage,
  };
  if (sameNamespace) {
    const misuse = serverSecretUses(connection, cluster);
    if (misuse.length > 0) throw new Error(`${owner}: ${misuse[0]}`);
  }
  return connection;
}

/**
 * A fleet that runs pods (or is autoscaled) on a cluster with a role a poll goes through stopped:
 * the frontend takes the poll, matching holds the queue, history records the task's start and
 * completion. Every poll, and every backlog read of KEDA, would fail until the role runs again.
 */
export function checkClusterRuns(owner: string, cluster: TemporalCluster | undefined, runsPods: boolean): void {
  if (!cluster || !runsPods) return;
  const stopped = [cluster.frontend, cluster.matching, cluster.history].find((role) => role.maxReplicas === 0);
  if (stopped) {
    throw propError(owner, 'cluster', `TemporalCluster '${cluster.name}'`, `a cluster whose ${stopped.role} runs: it has replicas 0`,
      `Every poll of the fleet's workers (and KEDA's backlog reads) would fail while it is stopped. Give the cluster's ${stopped.role} replicas, or set the fleet's replicas: 0 (without autoscaling) until the cluster runs again.`);
  }
}

/**
 * Where the fleet would read one of `cluster`'s own Secrets (in the same namespace) beyond the
 * frontend's CA: its client certificate, another key of a server Secret, an API key kept there.
 */
export function serverSecretUses(connection: FleetConnection, cluster: TemporalCluster): string[] {
  const secrets = clusterSecrets(cluster);
  const errors: string[] = [];
  const of = (secret: string) => `the ${secrets.get(secret)} Secret ${secret} of TemporalCluster '${cluster.namespace}/${cluster.name}'`;
  const { clientSecret, serverCa, apiKey } = connection;
  if (clientSecret && secrets.has(clientSecret.name) && connection.certificate) {
    // The Secret is the one the library names after the fleet: the fleet's name is what to change.
    const fleetName = clientSecret.name.slice(0, -'-client-tls'.length);
    errors.push(`name is ${JSON.stringify(fleetName)}; expected a name whose cert-manager client Secret (<name>-client-tls) is not ${of(clientSecret.name)}. `
      + 'Two Certificates would write that Secret, and the fleet and the cluster\'s client would take each other\'s certificate; give the fleet another name.');
  } else if (clientSecret && secrets.has(clientSecret.name)) {
    errors.push(`clientCertificate is ${JSON.stringify(clientSecret.name)}, ${of(clientSecret.name)}; expected a Secret of the fleet's own. `
      + (secrets.get(clientSecret.name)!.startsWith('remoteClusters[') ? 'The cluster\'s servers replicate with that key: its holder can call the remote\'s frontend as the cluster. '
        : 'A server\'s key also opens the internode ports and lets its holder act as the cluster. ') + 'Issue the fleet a client certificate from the frontend\'s CA.');
  }
  if (serverCa && secrets.has(serverCa.secretName) && serverCa.key !== 'ca.crt') {
    errors.push(`serverCa is key ${JSON.stringify(serverCa.key)} of ${of(serverCa.secretName)}; expected its "ca.crt" only. `
      + 'Any other key of a server Secret is the server\'s certificate or private key.');
  }
  if (apiKey && secrets.has(apiKey.secretName)) {
    errors.push(`apiKey is key ${JSON.stringify(apiKey.key)} of ${of(apiKey.secretName)}; expected a Secret that holds the fleet's API key.`);
  }
  return errors;
}

/**
 * Where the fleet would read the client certificate cert-manager issues for another fleet of its
 * namespace (`secret`, the Secret that fleet's pods mount): as its own client certificate, it
 * calls the frontend as that fleet, with that fleet's permissions under an authorizer; as an API key
 * or any key but the CA, it holds that fleet's certificate or private key. Its `ca.crt` is the CA alone.
 */
export function otherFleetSecretUses(owner: string, connection: FleetConnection, secret: string, path: string): string[] {
  const theirs = `Secret ${secret}, the client certificate cert-manager issues for WorkerFleet ${path}`;
  const uses = referencedSecretKeys(connection).filter((r) => r.secret === secret && !(r.what === 'serverCa' && r.key === 'ca.crt'));
  if (uses.length === 0) return [];
  // A certificate and its key from one Secret are one mistake.
  if (uses.some((r) => r.what.startsWith('clientCertificate'))) {
    return [`${owner}: clientCertificate is ${theirs}; expected a client certificate of the fleet's own. Its holder calls the frontend as that fleet, with that fleet's permissions; give this fleet its own (FleetClientCertificate.certManager() issues one).`];
  }
  return uses.map((r) => `${owner}: ${r.what} is key ${JSON.stringify(r.key)} of ${theirs}; expected ${r.what === 'serverCa' ? 'its "ca.crt" only' : 'a Secret that holds the fleet\'s API key'}. `
    + 'Its other keys are that fleet\'s certificate and private key, whose holder calls the frontend as that fleet.');
}

/**
 * Where a fleet given an existing ServiceAccount by name (`sa`, an object of the app as written)
 * would run as one the library emits for another workload: that ServiceAccount's workload identity
 * (a cloud role for the database or the archival buckets) and pull secrets would be the workers'
 * too, which one ServiceAccount per kind of workload is there to prevent.
 */
export function borrowedServiceAccount(owner: string, serviceAccountName: string, sa: any, path: string): string[] {
  if (sa?.metadata?.name !== serviceAccountName || sa.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'cdk8s-temporal') return [];
  return [`${owner}: serviceAccountName is ${JSON.stringify(serviceAccountName)}, the ServiceAccount of ${path}; expected a ServiceAccount made for the workers. `
    + 'Its workload identity annotations (a cloud role for the database or the archival buckets) and pull secrets would be the workers\' too. '
    + 'Leave serviceAccountName unset for one of the fleet\'s own, or name a ServiceAccount of your own.'];
}

/** The SDKs' standard connection variables (Temporal's environment configuration), and nothing else. */
export function connectionEnv(connection: FleetConnection, temporalNamespace: string): EnvVar[] {
  const env: EnvVar[] = [
    { name: 'TEMPORAL_ADDRESS', value: connection.address },
    { name: 'TEMPORAL_NAMESPACE', value: temporalNamespace },
    // Always explicit and lower-case: the TypeScript SDK reads only '1' or 'true' as on, and the
    // env config turns TLS on by itself when an API key or a CA is set.
    { name: 'TEMPORAL_TLS', value: connection.tls ? 'true' : 'false' },
  ];
  if (connection.tls) {
    if (connection.clientSecret) {
      env.push({ name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', value: `${TLS_DIRS.client}/tls.crt` });
      env.push({ name: 'TEMPORAL_TLS_CLIENT_KEY_PATH', value: `${TLS_DIRS.client}/tls.key` });
    }
    if (connection.serverCa) env.push({ name: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', value: `${SERVER_CA_DIR}/ca.crt` });
    if (connection.serverName) env.push({ name: 'TEMPORAL_TLS_SERVER_NAME', value: connection.serverName });
  }
  if (connection.apiKey) env.push({ name: 'TEMPORAL_API_KEY', valueFrom: connection.apiKey._toEnvSource() });
  return env;
}

/**
 * The client certificate and the frontend's CA as folders, each key projected to the file name
 * the env names, so a Secret that lacks a key keeps the pod from starting instead of failing TLS.
 */
export function connectionVolumes(connection: FleetConnection): VolumeSet {
  const volumes: VolumeSet['volumes'] = [];
  const mounts: VolumeSet['mounts'] = [];
  if (connection.tls && connection.clientSecret) {
    const { name, certKey, keyKey } = connection.clientSecret;
    volumes.push(secretVolume('tls-client', name, [{ key: certKey, path: 'tls.crt' }, { key: keyKey, path: 'tls.key' }]));
    mounts.push({ name: 'tls-client', mountPath: TLS_DIRS.client, readOnly: true });
  }
  if (connection.tls && connection.serverCa) {
    volumes.push(secretVolume('tls-server-ca', connection.serverCa.secretName, [{ key: connection.serverCa.key, path: 'ca.crt' }]));
    mounts.push({ name: 'tls-server-ca', mountPath: SERVER_CA_DIR, readOnly: true });
  }
  return { volumes, mounts };
}

/** Every Secret key the fleet's pods and KEDA read, for the check against Secrets of the app. */
export function referencedSecretKeys(connection: FleetConnection): Array<{ secret: string; key: string; what: string }> {
  const refs: Array<{ secret: string; key: string; what: string }> = [];
  if (connection.tls && connection.clientSecret && !connection.certificate) {
    refs.push({ secret: connection.clientSecret.name, key: connection.clientSecret.certKey, what: 'clientCertificate (certificate)' });
    refs.push({ secret: connection.clientSecret.name, key: connection.clientSecret.keyKey, what: 'clientCertificate (private key)' });
  }
  if (connection.tls && connection.serverCa) refs.push({ secret: connection.serverCa.secretName, key: connection.serverCa.key, what: 'serverCa' });
  if (connection.apiKey) refs.push({ secret: connection.apiKey.secretName, key: connection.apiKey.key, what: 'apiKey' });
  return refs;
}
