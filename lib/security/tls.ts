import { Duration } from 'cdk8s';
import { CertificateSpecUsages } from '../../imports/cert-manager.io_certificates';
import { certificateName } from '../cluster/object-names';
import { goDuration } from '../config/go-duration';
import { CertManagerIssuer, certManagerLifetime, checkIssuer } from './cert-manager-issuer';
import { isIpv4, optionalBoolean, plainProps, propError, requireDns1123Subdomain, requireDnsName, requireDurationMillis } from '../validation';

/** Where each TLS Secret is mounted in the pods. */
export const TLS_DIRS = {
  internode: '/etc/temporal/tls/internode',
  frontend: '/etc/temporal/tls/frontend',
  systemWorker: '/etc/temporal/tls/system-worker',
  client: '/etc/temporal/tls/client',
  remoteClusters: '/etc/temporal/tls/remote-clusters',
};

/** Where a remote cluster's CA and the certificate presented to it are mounted in the server pods that dial it. */
export function remoteClusterTlsDirs(remoteName: string): { ca: string; client: string } {
  return { ca: `${TLS_DIRS.remoteClusters}/${remoteName}/ca`, client: `${TLS_DIRS.remoteClusters}/${remoteName}/client` };
}

/** How often the server re-reads certificate files unless told otherwise. */
export const DEFAULT_TLS_REFRESH_INTERVAL = Duration.minutes(30);

/** Settings shared by both ways of providing certificates. */
export interface TlsCommonOptions {
  /**
   * Whether the frontend requires client certificates (mutual TLS) from SDK clients and workers.
   * Internode traffic always requires them. Refused when the frontend serves no TLS.
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

/**
 * The pods that talk to a frontend as clients. Each gets a certificate of its own when the frontend
 * it talks to requires one, and none of them ever mounts a server's private key.
 */
export enum TlsClient {
  /** The web UI, a client of the public frontend. */
  UI = 'ui',
  /** The admin-tools pod: the internal frontend when an authorizer guards the public one, else the public frontend. */
  ADMIN_TOOLS = 'adminTools',
  /** The namespace Job: the same frontend as the admin tools. */
  NAMESPACE_JOB = 'namespaceJob',
}

/** Client certificate Secrets (`kubernetes.io/tls`: `tls.crt`, `tls.key`, `ca.crt`), one per client. */
export interface TlsClientSecrets {
  /**
   * The web UI's client certificate, signed by the CA in the frontend Secret's `ca.crt`.
   * @default - none; required when the cluster runs a UI and the frontend requires client certificates
   */
  readonly ui?: string;
  /**
   * The admin tools' client certificate. Signed by the CA in the internode Secret's `ca.crt` when
   * they talk to the internal frontend (with `authorization`), else by the frontend's CA.
   * @default - none; required when the cluster runs admin tools and their frontend requires client certificates
   */
  readonly adminTools?: string;
  /**
   * The client certificate of the namespace Job and of the remote-cluster registration Job, signed like the admin tools'.
   * @default - none; required when the cluster creates namespaces or registers remote clusters and their frontend requires client certificates
   */
  readonly namespaceJob?: string;
}

/** Certificates in existing `kubernetes.io/tls` Secrets (keys `tls.crt`, `tls.key` and `ca.crt`). */
export interface TlsSecretsOptions extends TlsCommonOptions {
  /**
   * Internode certificate, used as both server and client certificate between the roles. It needs
   * no extended key usage, or both serverAuth and clientAuth, and a SAN equal to
   * `TemporalCluster.internodeServerName`. Only the server pods mount it.
   */
  readonly internode: string;
  /**
   * Frontend server certificate, with SANs for the names clients use. One of them must be
   * `TemporalCluster.frontendFqdn` (`<name>-frontend.<namespace>.svc.<clusterDomain>`): the system
   * workers, the UI and the tools dial and verify that name, and fail their handshake without it.
   * @default - the frontend serves plaintext
   */
  readonly frontend?: string;
  /**
   * Client certificate of the system workers, trusted by the frontend. Used only with frontend TLS
   * and no internal frontend, and refused beside one (the system workers then use internode TLS, and
   * the frontend no longer trusts this CA for clients). Every role dials the
   * public frontend with it and the server loads it at start, so every server pod mounts it: never
   * the frontend's Secret, whose key would then be in every server pod.
   * @default - the internode certificate
   */
  readonly systemWorker?: string;
  /**
   * Client certificates of the UI, the admin tools and the namespace Job. Never a server's Secret,
   * nor one for a client whose frontend asks for none (`requireClientAuth: false`); under
   * `authorization` the UI's is not the tools' or the Job's, which the internode CA signs.
   * @default - none: a client whose frontend requires client certificates is a synth error
   */
  readonly clients?: TlsClientSecrets;
}

/** Certificates issued by cert-manager. */
export interface TlsCertManagerOptions extends TlsCommonOptions {
  /**
   * Signs every certificate of the cluster with one CA, which it writes to each Secret's `ca.crt`:
   * a CA, Vault or external CA issuer. Each server and client trusts its peers through that file, so
   * a `selfSigned` issuer (each certificate its own `ca.crt`) leaves the frontends trusting no client
   * certificate of the UI, the tools or a fleet, and an ACME issuer can prove no `.svc` name.
   */
  readonly issuer: CertManagerIssuer;
  /**
   * Also serve the frontend over TLS.
   * @default true
   */
  readonly frontend?: boolean;
  /**
   * Extra SANs for the frontend certificate, such as an ingress or load balancer name. DNS names
   * only: clients that dial an IP address check IP SANs, which these are not.
   * @default - the frontend Service's names only
   */
  readonly frontendDnsNames?: string[];
  /**
   * Certificate lifetime.
   * @default Duration.days(90)
   */
  readonly duration?: Duration;
  /**
   * Renew this long before expiry: at least `refreshInterval` plus 2 minutes (the kubelet's delay
   * in updating a mounted Secret), since the servers present the certificate they read last until
   * they read the files again.
   * @default Duration.days(30)
   */
  readonly renewBefore?: Duration;
}

/** What a cluster tells its TLS about itself when it resolves it. */
export interface TlsClusterContext {
  readonly name: string;
  readonly internodeServerName: string;
  readonly frontendDnsNames: string[];
  /** Whether the cluster runs an internal frontend (the system workers then use internode TLS). */
  readonly internalFrontend: boolean;
  /**
   * For each client pod the cluster runs, whether it talks to the internal frontend (internode
   * TLS) rather than the public one.
   */
  readonly clients: ReadonlyArray<{ readonly client: TlsClient; readonly internal: boolean }>;
}

/** A cert-manager Certificate the cluster emits. */
export interface IssuedCertificate {
  readonly id: string;
  readonly name: string;
  readonly secretName: string;
  readonly usages: CertificateSpecUsages[];
  readonly dnsNames?: string[];
  readonly commonName: string;
}

/** The Secret names behind each TLS role, once resolved for a cluster. */
export interface ResolvedTls {
  readonly internodeSecret: string;
  readonly frontendSecret?: string;
  /**
   * The system workers' client certificate towards the frontend, when they use one: with frontend
   * TLS and no internal frontend.
   */
  readonly systemWorkerSecret?: string;
  /** The client certificate of each client pod whose frontend requires one. */
  readonly clientSecrets: Readonly<Partial<Record<TlsClient, string>>>;
  readonly requireClientAuth: boolean;
  readonly refreshInterval: Duration;
  /** cert-manager Certificates to emit, when cert-manager issues them. */
  readonly certificates: readonly IssuedCertificate[];
  readonly issuer?: CertManagerIssuer;
  readonly duration?: Duration;
  readonly renewBefore?: Duration;
}

/** The cluster's TLS Secrets, each named by what it holds: none may reach a pod or object that is not its reader. */
export function tlsSecretNames(tls: ResolvedTls | undefined): Map<string, string> {
  const named = new Map<string, string>();
  if (!tls) return named;
  const add = (secret: string | undefined, what: string) => {
    if (secret && !named.has(secret)) named.set(secret, what);
  };
  add(tls.internodeSecret, 'internode');
  add(tls.frontendSecret, 'frontend');
  add(tls.systemWorkerSecret, 'system-worker');
  add(tls.clientSecrets[TlsClient.UI], 'UI client');
  add(tls.clientSecrets[TlsClient.ADMIN_TOOLS], 'admin-tools client');
  add(tls.clientSecrets[TlsClient.NAMESPACE_JOB], 'namespace Job client');
  return named;
}

/** Whether `client` must present a certificate: the internal frontend always asks, the public one when it serves mutual TLS. */
export function clientNeedsCertificate(tls: { frontendSecret?: string; requireClientAuth: boolean }, internal: boolean): boolean {
  return internal || (tls.frontendSecret !== undefined && tls.requireClientAuth);
}

const CLIENT_SECRET_SUFFIX: Record<TlsClient, string> = {
  [TlsClient.UI]: 'ui-client',
  [TlsClient.ADMIN_TOOLS]: 'admin-tools-client',
  [TlsClient.NAMESPACE_JOB]: 'namespace-job-client',
};

/**
 * TLS for a cluster: mutual TLS between roles always, and for the frontend when asked. Build it
 * with `ClusterTls.fromSecrets` or `ClusterTls.certManager`.
 */
export class ClusterTls {
  public static fromSecrets(options: TlsSecretsOptions): ClusterTls {
    const owner = 'ClusterTls.fromSecrets';
    requireOptionsObject(owner, 'options', options, '{ internode: \'<Secret name>\' }');
    options = plainProps(owner, options, 'TlsSecretsOptions', 'options');
    requireDns1123Subdomain(owner, 'internode', options.internode);
    for (const [prop, value] of [['frontend', options.frontend], ['systemWorker', options.systemWorker]] as const) {
      if (value !== undefined) requireDns1123Subdomain(owner, prop, value);
    }
    if (options.frontend === undefined) {
      for (const [prop, value] of [['systemWorker', options.systemWorker], ['requireClientAuth', options.requireClientAuth]] as const) {
        if (value !== undefined) {
          throw propError(owner, prop, value, 'no value without frontend, the public frontend\'s certificate',
            `${prop} belongs to the public frontend's TLS; without frontend that frontend serves plaintext. Name its Secret (frontend: '<Secret name>') or leave ${prop} out.`);
        }
      }
    }
    if (options.frontend !== undefined && options.systemWorker === options.frontend) {
      // Every server pod mounts the system workers' Secret, key included (the server loads it at start in every role).
      throw propError(owner, 'systemWorker', options.systemWorker, 'a Secret other than the frontend\'s',
        'Every server pod mounts the system workers\' certificate and key, so the frontend\'s private key would be in history, matching and worker too. '
        + 'Leave systemWorker out (the system workers then present the internode certificate, which every server pod holds anyway) or give them a client certificate of their own.');
    }
    if (options.clients !== undefined) {
      requireOptionsObject(owner, 'clients', options.clients, `an object keyed by ${Object.values(TlsClient).join(', ')}`);
      // A misspelt client would be ignored, and its pod left without the certificate meant for it.
      const unknown = Object.keys(options.clients).find((key) => !(Object.values(TlsClient) as string[]).includes(key));
      if (unknown !== undefined) throw propError(owner, `clients.${unknown}`, (options.clients as Record<string, unknown>)[unknown], `a client the library runs: ${Object.values(TlsClient).join(', ')}`);
    }
    const serverSecrets = new Map<string, string>([[options.internode, 'internode']]);
    if (options.frontend !== undefined) serverSecrets.set(options.frontend, 'frontend');
    if (options.systemWorker !== undefined && !serverSecrets.has(options.systemWorker)) serverSecrets.set(options.systemWorker, 'systemWorker');
    for (const client of Object.values(TlsClient)) {
      const secret = options.clients?.[client];
      if (secret === undefined) continue;
      requireDns1123Subdomain(owner, `clients.${client}`, secret);
      const server = serverSecrets.get(secret);
      if (server) {
        throw propError(owner, `clients.${client}`, secret, `a client certificate Secret of its own, not the ${server} Secret`,
          'A client pod that mounts a server\'s Secret holds that server\'s private key and can impersonate it.');
      }
    }
    const shared = common(owner, options);
    return new ClusterTls((cluster) => {
      const at = `TemporalCluster '${cluster.name}'`;
      if (cluster.internalFrontend && options.systemWorker !== undefined) {
        // The frontend trusts the system workers' CA for clients only while they dial it: SDK clients signed by it would be refused.
        throw propError(at, 'tls.systemWorker', options.systemWorker, 'no value while the cluster runs an internal frontend',
          'The system workers reach the internal frontend with the internode certificate, so nothing presents this one, and the public frontend no longer trusts its CA: '
          + 'clients signed by it are refused. Leave systemWorker out, and sign clients with the CA in the frontend Secret\'s ca.crt.');
      }
      const clientSecrets: Partial<Record<TlsClient, string>> = {};
      for (const { client, internal } of cluster.clients) {
        if (!internal && options.frontend === undefined && options.clients?.[client] !== undefined) {
          // A client certificate for the public frontend says TLS was meant there; without frontend it serves plaintext and the Secret goes unused.
          throw propError(at, `tls.clients.${client}`, options.clients[client], 'no value while the public frontend, which this client talks to, serves plaintext',
            'Name the frontend\'s Secret (tls frontend) for TLS there, or leave the client certificate out.');
        }
        const secret = options.clients?.[client];
        if (!clientNeedsCertificate({ frontendSecret: options.frontend, requireClientAuth: shared.requireClientAuth }, internal)) {
          // The client would present nothing, and the frontend admits clients without a certificate: the Secret says mutual TLS was meant.
          if (secret !== undefined && options.frontend !== undefined) {
            throw propError(at, `tls.clients.${client}`, secret, 'no value while the public frontend, which this client talks to, requires no client certificate (requireClientAuth: false)',
              'The pod would present no certificate, and the frontend admits every client without one. Leave requireClientAuth out (true) for mutual TLS there, or leave the client certificate out.');
          }
          continue;
        }
        if (secret === undefined) {
          const signer = internal ? `the internode Secret's ca.crt (${options.internode})` : `the frontend Secret's ca.crt (${options.frontend})`;
          throw propError(at, `tls.clients.${client}`, undefined,
            `the name of a kubernetes.io/tls Secret with the ${client} client certificate: its frontend requires client certificates`,
            `Sign it with the CA in ${signer}; the library never gives a client pod a server's Secret.`);
        }
        clientSecrets[client] = secret;
      }
      // Under an authorizer the tools dial the internal frontend (internode CA) and the UI the public one (frontend CA): no one certificate is meant for both.
      for (const { client } of cluster.clients.filter((c) => !c.internal && clientSecrets[c.client] !== undefined)) {
        const tools = cluster.clients.find((other) => other.internal && clientSecrets[other.client] === clientSecrets[client]);
        if (!tools) continue;
        throw propError(at, `tls.clients.${client}`, clientSecrets[client], `a Secret of its own, not the one of clients.${tools.client}, which talks to the internal frontend`,
          `This client's frontend checks client certificates against the frontend Secret's CA (${options.frontend}), the internal frontend against the internode CA (${options.internode}): `
          + 'one certificate passes both only if both CAs are one, and then a pod outside the tools holds a certificate the internal frontend takes as cluster admin. '
          + 'Give this client a certificate signed by the CA in the frontend Secret\'s ca.crt.');
      }
      return {
        internodeSecret: options.internode,
        frontendSecret: options.frontend,
        systemWorkerSecret: options.frontend !== undefined && !cluster.internalFrontend ? options.systemWorker ?? options.internode : undefined,
        clientSecrets,
        ...shared,
        certificates: [],
      };
    });
  }

  public static certManager(options: TlsCertManagerOptions): ClusterTls {
    const owner = 'ClusterTls.certManager';
    requireOptionsObject(owner, 'options', options, '{ issuer: { name: \'<issuer>\' } }');
    options = plainProps(owner, options, 'TlsCertManagerOptions', 'options');
    if (options.frontendDnsNames !== undefined && !Array.isArray(options.frontendDnsNames)) {
      throw propError(owner, 'frontendDnsNames', options.frontendDnsNames, 'a list of DNS names, such as ["temporal.example.com"]');
    }
    const issuer = checkIssuer(owner, options.issuer);
    (options.frontendDnsNames ?? []).forEach((n, i) => {
      requireDnsName(owner, `frontendDnsNames[${i}]`, n, true);
      // A client that dials an address checks the certificate's IP SANs only, never its DNS names.
      if (isIpv4(n)) {
        throw propError(owner, `frontendDnsNames[${i}]`, n, 'a DNS name, not an IP address',
          'As a DNS SAN an address verifies for no client: one that dials it checks IP SANs only. Reach the frontend by a DNS name, or use ClusterTls.fromSecrets with a certificate that has the IP SAN.');
      }
    });
    const { duration, renewBefore } = certManagerLifetime(owner, options);
    const frontend = optionalBoolean(owner, 'frontend', options.frontend, true);
    if (!frontend) {
      for (const [prop, value] of [['frontendDnsNames', options.frontendDnsNames], ['requireClientAuth', options.requireClientAuth]] as const) {
        if (value !== undefined) {
          throw propError(owner, prop, value, 'no value while frontend is false',
            `${prop} belongs to the public frontend's TLS, which frontend: false turns off (that frontend serves plaintext). Set frontend: true or leave ${prop} out.`);
        }
      }
    }
    const shared = common(owner, options);
    // The server presents the certificate it read last until its next refresh, which follows the kubelet's update of the volume.
    const latestSeconds = shared.refreshInterval.toMilliseconds() / 1000 + SECRET_VOLUME_DELAY_SECONDS;
    if (renewBefore.toSeconds() < latestSeconds) {
      throw propError(owner, 'renewBefore', goDuration(renewBefore), `at least refreshInterval (${goDuration(shared.refreshInterval)}) plus ${goDuration(Duration.seconds(SECRET_VOLUME_DELAY_SECONDS))}: ${goDuration(Duration.seconds(latestSeconds))}`,
        'The server reads its certificate files again only every refreshInterval, after the kubelet has updated the mounted Secret: with a later renewal the '
        + 'roles present the old certificate after it expired, and internode TLS fails until they re-read it. Renew earlier, or lower refreshInterval.');
    }
    return new ClusterTls((cluster) => {
      const cert = (id: string, suffix: string, usages: CertificateSpecUsages[], dnsNames?: string[]): IssuedCertificate =>
        ({ id, name: certificateName(cluster.name, suffix), secretName: `${certificateName(cluster.name, suffix)}-tls`, usages, dnsNames, commonName: certificateName(cluster.name, suffix) });
      const { DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH, CLIENT_AUTH } = CertificateSpecUsages;
      const server = [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH];
      const client = [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, CLIENT_AUTH];
      const frontendTls = { frontendSecret: frontend ? 'issued' : undefined, requireClientAuth: shared.requireClientAuth };
      const clients = cluster.clients.filter(({ internal }) => clientNeedsCertificate(frontendTls, internal));
      const certificates = [
        // The internode certificate is also each role's client certificate: both usages.
        cert('Internode', 'internode', [...server, CLIENT_AUTH], [cluster.internodeServerName]),
        ...(frontend ? [cert('Frontend', 'frontend', server, [...cluster.frontendDnsNames, ...(options.frontendDnsNames ?? [])])] : []),
        ...(frontend && !cluster.internalFrontend ? [cert('SystemWorker', 'system-worker', client)] : []),
        ...clients.map(({ client: c }) => cert(`${c[0].toUpperCase()}${c.slice(1)}Client`, CLIENT_SECRET_SUFFIX[c], client)),
      ];
      const secret = (id: string) => certificates.find((c) => c.id === id)?.secretName;
      return {
        internodeSecret: secret('Internode')!,
        frontendSecret: secret('Frontend'),
        systemWorkerSecret: secret('SystemWorker'),
        clientSecrets: Object.fromEntries(clients.map(({ client: c }) => [c, `${cluster.name}-${CLIENT_SECRET_SUFFIX[c]}-tls`])),
        ...shared,
        certificates,
        issuer,
        duration,
        renewBefore,
      };
    });
  }

  private constructor(private readonly resolver: (cluster: TlsClusterContext) => ResolvedTls) {}

  /** @internal */
  public _resolve(cluster: TlsClusterContext): ResolvedTls {
    return this.resolver(cluster);
  }
}

/** How long after a Secret changes the kubelet may take to update its volume in a pod: its sync period (1 min) and its cache's delay. */
const SECRET_VOLUME_DELAY_SECONDS = 120;

function requireOptionsObject(owner: string, prop: string, value: unknown, expected: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw propError(owner, prop, value, expected);
}

function common(owner: string, options: TlsCommonOptions) {
  const refreshInterval = options.refreshInterval ?? DEFAULT_TLS_REFRESH_INTERVAL;
  if (requireDurationMillis(owner, 'refreshInterval', refreshInterval, 0) < 60_000) {
    throw propError(owner, 'refreshInterval', `${refreshInterval.toMilliseconds({ integral: false }) / 1000}s`, 'at least 1 minute');
  }
  return { requireClientAuth: optionalBoolean(owner, 'requireClientAuth', options.requireClientAuth, true), refreshInterval };
}
