import { remoteClusterTlsDirs, ResolvedTls, TLS_DIRS, TlsClient } from './tls';
import type { ResolvedRemoteCluster } from '../cluster/cluster-metadata';
import { EnvVar } from '../../imports/k8s';
import { NO_VOLUMES, secretVolume, VolumeSet } from '../pod/volumes';
import { ServiceRole } from '../services/service-role';
import { builtByCluster } from '../cluster/built-by-cluster';

/*
 * Each mount names the keys it needs: a Secret given with fromSecrets may hold more than a
 * certificate (a keystore, its password, another key pair), and nothing else of it reaches a pod.
 */
const CA_ONLY = [{ key: 'ca.crt', path: 'ca.crt' }];
const KEY_PAIR = [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }];
const KEY_PAIR_AND_CA = [...CA_ONLY, ...KEY_PAIR];

/**
 * The Secrets behind a server role's TLS, each mounted as a folder so that rotated certificates
 * show up, and each only where the role reads it: every role its internode key; only the frontend
 * (and an internal frontend whose HTTP API is on, which the server wraps in the frontend's TLS) the
 * frontend key; every role the system workers' key when there is one (no internal frontend); CAs
 * where a role verifies a peer.
 */
export function serverTlsVolumes(tls: ResolvedTls | undefined, role: ServiceRole, internalFrontendHttp: boolean): VolumeSet {
  if (!tls) return NO_VOLUMES;
  const frontendKey = role === ServiceRole.FRONTEND || (role === ServiceRole.INTERNAL_FRONTEND && internalFrontendHttp);
  const separateSystemWorker = tls.systemWorkerSecret !== undefined && tls.systemWorkerSecret !== tls.internodeSecret;
  const entries: Array<{ name: string; dir: string; secret?: string; items: typeof CA_ONLY }> = [
    { name: 'tls-internode', dir: TLS_DIRS.internode, secret: tls.internodeSecret, items: KEY_PAIR_AND_CA },
    // Every role dials the frontend's CA through global.tls.frontend.client; only the frontend serves its key.
    { name: 'tls-frontend', dir: TLS_DIRS.frontend, secret: tls.frontendSecret, items: frontendKey ? KEY_PAIR_AND_CA : CA_ONLY },
    // Without an internal frontend every role dials the public frontend as the system worker
    // (common/resource/fx.go: getFrontendConnectionDetails), and the server loads that certificate
    // and key at start in every role: the e2e test saw the frontend refuse to start without them.
    // With an internal frontend there is no systemWorker section and no such Secret.
    // The frontend also trusts client certificates signed by its CA.
    { name: 'tls-system-worker', dir: TLS_DIRS.systemWorker, secret: separateSystemWorker ? tls.systemWorkerSecret : undefined, items: role === ServiceRole.FRONTEND ? KEY_PAIR_AND_CA : KEY_PAIR },
  ];
  const present = entries.filter((e) => e.secret !== undefined);
  return {
    volumes: present.map((e) => secretVolume(e.name, e.secret!, e.items)),
    mounts: present.map((e) => ({ name: e.name, mountPath: e.dir, readOnly: true })),
  };
}

/** The roles that dial remote clusters' frontends: registration and namespace replication (frontends), the replication stream (history), replication tasks (worker). */
const DIALS_REMOTE_CLUSTERS = new Set([ServiceRole.FRONTEND, ServiceRole.INTERNAL_FRONTEND, ServiceRole.HISTORY, ServiceRole.WORKER]);

/** Each remote's CA, and the certificate presented to it, in the roles that dial it: only `ca.crt`, `tls.crt` and `tls.key` of those Secrets. */
export function remoteClusterTlsVolumes(remotes: ResolvedRemoteCluster[], role: ServiceRole): VolumeSet {
  if (!DIALS_REMOTE_CLUSTERS.has(role)) return NO_VOLUMES;
  const volumes: VolumeSet['volumes'] = [];
  const mounts: VolumeSet['mounts'] = [];
  remotes.forEach((remote, i) => {
    if (!remote.tls) return;
    const dirs = remoteClusterTlsDirs(remote.name);
    volumes.push(secretVolume(`tls-remote-${i}-ca`, remote.tls.caSecret, CA_ONLY));
    mounts.push({ name: `tls-remote-${i}-ca`, mountPath: dirs.ca, readOnly: true });
    if (remote.tls.clientCertificateSecret) {
      volumes.push(secretVolume(`tls-remote-${i}-client`, remote.tls.clientCertificateSecret, KEY_PAIR));
      mounts.push({ name: `tls-remote-${i}-client`, mountPath: dirs.client, readOnly: true });
    }
  });
  return { volumes, mounts };
}

/** How a client pod (the UI, the admin tools, a Job) reaches a frontend. */
export interface FrontendClient extends VolumeSet {
  /** `host:port` of the frontend's gRPC endpoint. */
  readonly address: string;
  /** TLS settings, in the Temporal CLI's env names; empty without TLS. */
  readonly env: EnvVar[];
}

export interface FrontendClientOptions {
  readonly tls?: ResolvedTls;
  /** Which client this is; its certificate comes from `tls.clientSecrets`. */
  readonly client: TlsClient;
  /** Whether the client talks to the internal frontend, which serves internode TLS. */
  readonly internal: boolean;
  readonly address: string;
  /** The name the client verifies the frontend's certificate against. */
  readonly serverName: string;
}

/**
 * Address, TLS env and certificate volumes for a client of a frontend, marked as built by the
 * cluster (the client and its env): the UI, the admin tools and the namespace Job it goes to are
 * refused without one, since built on their own they would reach any frontend (an internal one,
 * cluster admin to every caller) with nothing checked.
 */
export function frontendClient(options: FrontendClientOptions): FrontendClient {
  const client = unmarkedClient(options);
  return builtByCluster({ ...client, env: builtByCluster(client.env) });
}

function unmarkedClient(options: FrontendClientOptions): FrontendClient {
  const { tls, internal, address } = options;
  const serverCaSecret = internal ? tls?.internodeSecret : tls?.frontendSecret;
  if (!tls || !serverCaSecret) return { address, env: [], volumes: [], mounts: [] };
  const clientSecret = tls.clientSecrets[options.client];
  const caDir = internal ? TLS_DIRS.internode : TLS_DIRS.frontend;
  return {
    address,
    env: [
      { name: 'TEMPORAL_TLS', value: 'true' },
      ...(clientSecret ? [
        { name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', value: `${TLS_DIRS.client}/tls.crt` },
        { name: 'TEMPORAL_TLS_CLIENT_KEY_PATH', value: `${TLS_DIRS.client}/tls.key` },
      ] : []),
      { name: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', value: `${caDir}/ca.crt` },
      { name: 'TEMPORAL_TLS_SERVER_NAME', value: options.serverName },
    ],
    volumes: [
      // The CA of the frontend comes from the server's Secret; of its own Secret the client needs only the key pair.
      ...(clientSecret ? [secretVolume('tls-client', clientSecret, KEY_PAIR)] : []),
      secretVolume('tls-server-ca', serverCaSecret, CA_ONLY),
    ],
    mounts: [
      ...(clientSecret ? [{ name: 'tls-client', mountPath: TLS_DIRS.client, readOnly: true }] : []),
      { name: 'tls-server-ca', mountPath: caDir, readOnly: true },
    ],
  };
}
