import { ResolvedTls, TLS_DIRS } from './tls';
import { EnvVar } from '../../imports/k8s';
import { NO_VOLUMES, VolumeSet } from '../pod/volumes';
import { ServiceRole } from '../services/service-role';

/**
 * The Secrets behind a server role's TLS, each mounted as a folder so that rotated certificates
 * show up. Only the frontend reads the frontend's private key; the other roles get its CA alone.
 */
export function serverTlsVolumes(tls: ResolvedTls | undefined, role: ServiceRole): VolumeSet {
  if (!tls) return NO_VOLUMES;
  const caOnly = [{ key: 'ca.crt', path: 'ca.crt' }];
  const entries: Array<[string, string, string | undefined, typeof caOnly | undefined]> = [
    ['tls-internode', TLS_DIRS.internode, tls.internodeSecret, undefined],
    ['tls-frontend', TLS_DIRS.frontend, tls.frontendSecret, role === ServiceRole.FRONTEND ? undefined : caOnly],
    ['tls-system-worker', TLS_DIRS.systemWorker, tls.frontendSecret && tls.systemWorkerSecret !== tls.internodeSecret ? tls.systemWorkerSecret : undefined, undefined],
  ];
  const present = entries.filter(([, , secret]) => secret !== undefined) as Array<[string, string, string, typeof caOnly | undefined]>;
  return {
    volumes: present.map(([name, , secretName, items]) => ({ name, secret: { secretName, items } })),
    mounts: present.map(([name, mountPath]) => ({ name, mountPath, readOnly: true })),
  };
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
  /** The client's own certificate Secret. */
  readonly clientSecret?: string;
  /** Whether the client talks to the internal frontend, which serves internode TLS. */
  readonly internal: boolean;
  readonly address: string;
  /** The name the client verifies the frontend's certificate against. */
  readonly serverName: string;
}

/** Address, TLS env and certificate volumes for a client of a frontend. */
export function frontendClient(options: FrontendClientOptions): FrontendClient {
  const { tls, clientSecret, internal, address } = options;
  const serverCaSecret = internal ? tls?.internodeSecret : tls?.frontendSecret;
  if (!tls || !serverCaSecret || !clientSecret) return { address, env: [], volumes: [], mounts: [] };
  const caDir = internal ? TLS_DIRS.internode : TLS_DIRS.frontend;
  return {
    address,
    env: [
      { name: 'TEMPORAL_TLS', value: 'true' },
      { name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', value: `${TLS_DIRS.client}/tls.crt` },
      { name: 'TEMPORAL_TLS_CLIENT_KEY_PATH', value: `${TLS_DIRS.client}/tls.key` },
      { name: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', value: `${caDir}/ca.crt` },
      { name: 'TEMPORAL_TLS_SERVER_NAME', value: options.serverName },
    ],
    volumes: [
      { name: 'tls-client', secret: { secretName: clientSecret } },
      { name: 'tls-server-ca', secret: { secretName: serverCaSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ],
    mounts: [
      { name: 'tls-client', mountPath: TLS_DIRS.client, readOnly: true },
      { name: 'tls-server-ca', mountPath: caDir, readOnly: true },
    ],
  };
}
