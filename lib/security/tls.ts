import { Duration } from 'cdk8s';
import { CertificateSpecUsages } from '../../imports/cert-manager.io_certificates';
import { propError, requireDns1123Subdomain, requireNonEmpty } from '../validation';

/** Where each TLS Secret is mounted in the pods. */
export const TLS_DIRS = {
  internode: '/etc/temporal/tls/internode',
  frontend: '/etc/temporal/tls/frontend',
  systemWorker: '/etc/temporal/tls/system-worker',
  client: '/etc/temporal/tls/client',
};

/** Kind of a cert-manager issuer. */
export enum IssuerKind {
  ISSUER = 'Issuer',
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** A cert-manager issuer that signs the cluster's certificates. */
export interface CertManagerIssuer {
  readonly name: string;
  /** @default IssuerKind.ISSUER */
  readonly kind?: IssuerKind;
  /**
   * API group, for external issuers.
   * @default 'cert-manager.io'
   */
  readonly group?: string;
}

/** Settings shared by both ways of providing certificates. */
export interface TlsCommonOptions {
  /**
   * Whether the frontend requires client certificates (mutual TLS) from SDK clients and workers.
   * Internode traffic always requires them.
   * @default true
   */
  readonly requireClientAuth?: boolean;
  /**
   * How often the server re-reads the certificate files. Secrets mounted as folders follow
   * rotations, so a renewed certificate is picked up without a restart.
   * @default Duration.minutes(30)
   */
  readonly refreshInterval?: Duration;
}

/** Certificates in existing `kubernetes.io/tls` Secrets (keys `tls.crt`, `tls.key` and `ca.crt`). */
export interface TlsSecretsOptions extends TlsCommonOptions {
  /**
   * Internode certificate, used as both server and client certificate between the roles. It needs
   * no extended key usage, or both serverAuth and clientAuth, and a SAN equal to
   * `TemporalCluster.internodeServerName`.
   */
  readonly internode: string;
  /**
   * Frontend server certificate, with SANs for the names clients use.
   * @default - the frontend serves plaintext
   */
  readonly frontend?: string;
  /**
   * Client certificate of the worker role's system workers, trusted by the frontend.
   * @default - the internode certificate
   */
  readonly systemWorker?: string;
  /**
   * Client certificates for the web UI and the admin tools.
   * @default - the internode certificate
   */
  readonly clients?: { readonly ui?: string; readonly adminTools?: string };
}

/** Certificates issued by cert-manager. */
export interface TlsCertManagerOptions extends TlsCommonOptions {
  readonly issuer: CertManagerIssuer;
  /**
   * Also serve the frontend over TLS.
   * @default true
   */
  readonly frontend?: boolean;
  /**
   * Extra SANs for the frontend certificate, such as an ingress or load balancer name.
   * @default - the frontend Service's names only
   */
  readonly frontendDnsNames?: string[];
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

/** The Secret names behind each TLS role, once resolved for a cluster. */
export interface ResolvedTls {
  readonly internodeSecret: string;
  readonly frontendSecret?: string;
  readonly systemWorkerSecret: string;
  readonly uiSecret: string;
  readonly adminToolsSecret: string;
  readonly requireClientAuth: boolean;
  readonly refreshInterval: Duration;
  /** cert-manager Certificates to emit, when cert-manager issues them. */
  readonly certificates: ReadonlyArray<{ id: string; name: string; secretName: string; usages: CertificateSpecUsages[]; dnsNames?: string[]; commonName: string }>;
  readonly issuer?: CertManagerIssuer;
  readonly duration?: Duration;
  readonly renewBefore?: Duration;
}

/**
 * TLS for a cluster: mutual TLS between roles always, and for the frontend when asked. Build it
 * with `ClusterTls.fromSecrets` or `ClusterTls.certManager`.
 */
export class ClusterTls {
  public static fromSecrets(options: TlsSecretsOptions): ClusterTls {
    const owner = 'ClusterTls.fromSecrets';
    requireDns1123Subdomain(owner, 'internode', options.internode);
    for (const [prop, value] of [['frontend', options.frontend], ['systemWorker', options.systemWorker], ['clients.ui', options.clients?.ui],
      ['clients.adminTools', options.clients?.adminTools]] as const) {
      if (value !== undefined) requireDns1123Subdomain(owner, prop, value);
    }
    const shared = common(owner, options);
    return new ClusterTls(() => ({
      internodeSecret: options.internode,
      frontendSecret: options.frontend,
      systemWorkerSecret: options.systemWorker ?? options.internode,
      uiSecret: options.clients?.ui ?? options.internode,
      adminToolsSecret: options.clients?.adminTools ?? options.internode,
      ...shared,
      certificates: [],
    }));
  }

  public static certManager(options: TlsCertManagerOptions): ClusterTls {
    const owner = 'ClusterTls.certManager';
    requireNonEmpty(owner, 'issuer.name', options.issuer?.name);
    const kind = options.issuer.kind ?? IssuerKind.ISSUER;
    if (!Object.values(IssuerKind).includes(kind)) throw propError(owner, 'issuer.kind', kind, `one of ${Object.values(IssuerKind).join(', ')}`);
    const duration = options.duration ?? Duration.days(90);
    const renewBefore = options.renewBefore ?? Duration.days(30);
    if (renewBefore.toSeconds() >= duration.toSeconds()) {
      throw propError(owner, 'renewBefore', `${renewBefore.toHours()}h`, `less than duration (${duration.toHours()}h)`);
    }
    const frontend = options.frontend ?? true;
    const shared = common(owner, options);
    return new ClusterTls((cluster) => {
      const cert = (id: string, suffix: string, usages: CertificateSpecUsages[], dnsNames?: string[]) =>
        ({ id, name: `${cluster.name}-${suffix}`, secretName: `${cluster.name}-${suffix}-tls`, usages, dnsNames, commonName: `${cluster.name}-${suffix}` });
      const { DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH, CLIENT_AUTH } = CertificateSpecUsages;
      const server = [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH];
      const client = [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, CLIENT_AUTH];
      const certificates = [
        // The internode certificate is also each role's client certificate: both usages.
        cert('Internode', 'internode', [...server, CLIENT_AUTH], [cluster.internodeServerName]),
        ...(frontend ? [
          cert('Frontend', 'frontend', server, [...cluster.frontendDnsNames, ...(options.frontendDnsNames ?? [])]),
          cert('SystemWorker', 'system-worker', client),
        ] : []),
        cert('UiClient', 'ui-client', client),
        cert('AdminToolsClient', 'admin-tools-client', client),
      ];
      const secret = (id: string) => certificates.find((c) => c.id === id)?.secretName;
      return {
        internodeSecret: secret('Internode')!,
        frontendSecret: secret('Frontend'),
        systemWorkerSecret: secret('SystemWorker') ?? secret('Internode')!,
        uiSecret: secret('UiClient')!,
        adminToolsSecret: secret('AdminToolsClient')!,
        ...shared,
        certificates,
        issuer: { name: options.issuer.name, kind, group: options.issuer.group },
        duration,
        renewBefore,
      };
    });
  }

  private constructor(private readonly resolver: (cluster: { name: string; internodeServerName: string; frontendDnsNames: string[] }) => ResolvedTls) {}

  /** @internal */
  public _resolve(cluster: { name: string; internodeServerName: string; frontendDnsNames: string[] }): ResolvedTls {
    return this.resolver(cluster);
  }
}

function common(owner: string, options: TlsCommonOptions) {
  const refreshInterval = options.refreshInterval ?? Duration.minutes(30);
  if (refreshInterval.toSeconds() < 60) {
    throw propError(owner, 'refreshInterval', `${refreshInterval.toSeconds()}s`, 'at least 1 minute');
  }
  return { requireClientAuth: options.requireClientAuth ?? true, refreshInterval };
}
