import { createHash } from 'crypto';
import { Duration } from 'cdk8s';
import { goDuration } from '../config/go-duration';
import type { NetworkPolicyEgressRule } from '../../imports/k8s';
import { egressRule, NetworkPeer } from '../security/network-policies';
import { checkedOverride } from '../pod/images';
import { checkPullSecrets, plainProps, propError, requireDurationSeconds } from '../validation';
import type { FleetConnection } from './fleet-connection';

/**
 * The kubectl image of the restart Job: Kubernetes' own build, shell-free, with the binary at
 * `/bin/kubectl`. Pinned; `kubectl rollout restart` talks to API servers of any supported version.
 */
export const DEFAULT_KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.37.1';

/**
 * Slack subtracted from `renewBefore` before the restart interval is sized: the kubelet's refresh of
 * the renewed Secret in the pods (about a minute), a CronJob started late (up to its 15-minute
 * starting deadline), the Job's retries and the rollout itself.
 */
export const ROTATION_MARGIN_SECONDS = 3600;

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Intervals a cron schedule keeps exactly (or at most, for days of the month): hours that divide a day, and 1 to 28 days. */
const HOURLY = [1, 2, 3, 4, 6, 8, 12];
const MAX_DAYS = 28;
/** The longest interval the default picks: weekly restarts, however long the certificate lives. */
const DEFAULT_MAX_EVERY_SECONDS = 7 * DAY;

/** How a fleet's pods come to present a renewed client certificate. */
export enum CertificateRotationKind {
  /** A CronJob of the fleet restarts the Deployment on a schedule. */
  RESTART_PODS = 'RestartPods',
  /** stakater Reloader restarts the Deployment when the certificate's Secret changes. */
  RELOADER = 'Reloader',
  /** The workers' own program reloads the certificate files; nothing is emitted. */
  PROCESS_RELOADS = 'ProcessReloads',
}

/** Where the restart Job may connect: the Kubernetes API server. */
export interface ApiServerAccess {
  /**
   * The API server's addresses as the pod network sees them: the endpoints of the `kubernetes`
   * Service (`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`), not
   * its cluster IP, which a NetworkPolicy never sees.
   * @default - any address, on `ports` only
   */
  readonly peers?: NetworkPeer[];
  /**
   * The API server's ports on those endpoints.
   * @default [443, 6443]
   */
  readonly ports?: number[];
}

/** A scheduled rolling restart of the fleet. */
export interface RestartPodsOptions {
  /**
   * Time between restarts: whole hours that divide a day (1, 2, 3, 4, 6, 8, 12), or 1 to 28 whole
   * days (weekly on one weekday for 7; for other numbers of days, on those days of the month, so
   * the last run of a month may come sooner). With a cert-manager certificate at most half of
   * `renewBefore` less an hour, so one missed run still leaves the pods replaced before the
   * certificate they loaded expires.
   * @default - with a cert-manager certificate, the longest of these up to 7 days that fits its
   * `renewBefore`; required with `FleetClientCertificate.fromSecret()`, whose lifetime the library does not know
   */
  readonly every?: Duration;
  /**
   * The kubectl image, for a mirror or a digest. A tag other than `latest`, or a digest, is required.
   * @default 'registry.k8s.io/kubectl:v1.37.1'
   */
  readonly image?: string;
  /**
   * Secrets for pulling `image` (never the fleet's, which are for the workers' registry).
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Where the Job's NetworkPolicy (emitted with the fleet's own) lets it connect.
   * @default - any address on ports 443 and 6443
   */
  readonly apiServer?: ApiServerAccess;
}

/** The checked options of `CertificateRotation.restartPods()`. */
export interface RestartPodsSettings {
  /** Seconds between restarts, when given. */
  readonly everySeconds?: number;
  readonly image: string;
  readonly imagePullSecrets: string[];
  /** The restart Job's egress rule: the API server's ports, at its peers when given. */
  readonly apiServerRule: NetworkPolicyEgressRule;
}

/**
 * How a fleet's long-running pods pick up a renewed client certificate. The SDKs' environment
 * configuration reads the certificate files once, when the client connects (Go
 * `envconfig` `tls.LoadX509KeyPair`, TypeScript `loadClientConnectConfig`, Python
 * `load_client_connect_config`, Java `ClientConfigProfile`): cert-manager renews the Secret and the
 * kubelet updates the files, but a worker keeps presenting the certificate it started with, and the
 * frontend refuses it once it expires.
 */
export class CertificateRotation {
  /**
   * Restart the fleet on a schedule, by a CronJob of its own: `kubectl rollout restart`, which sets
   * the `kubectl.kubernetes.io/restartedAt` annotation of the pod template, with a ServiceAccount
   * that may `get` and `patch` that one Deployment and nothing else. The Deployment's rolling update
   * replaces the pods (maxUnavailable 0), each stopping within its shutdown grace time.
   */
  public static restartPods(options: RestartPodsOptions = {}): CertificateRotation {
    const owner = 'CertificateRotation.restartPods';
    options = plainProps(owner, options, 'RestartPodsOptions', 'options');
    const everySeconds = options.every === undefined ? undefined : checkEvery(owner, 'every', options.every);
    // Pinned like every image override (a tag other than latest, or a well-formed digest); no release to match.
    const image = checkedOverride(owner, 'image', options.image ?? DEFAULT_KUBECTL_IMAGE, undefined, false);
    const access = options.apiServer ?? {};
    const apiServerRule = egressRule(owner, 'apiServer', { peers: access.peers, ports: access.ports ?? [443, 6443] });
    return new CertificateRotation(CertificateRotationKind.RESTART_PODS, {
      everySeconds,
      image,
      imagePullSecrets: checkPullSecrets(owner, options.imagePullSecrets) ?? [],
      apiServerRule,
    });
  }

  /**
   * Annotate the Deployment for stakater Reloader (`secret.reloader.stakater.com/reload`), which
   * restarts it whenever the certificate's Secret changes. Needs Reloader running in the cluster;
   * under a GitOps tool that reverts changes to the pod template, run it with `--reload-strategy=annotations`.
   */
  public static reloader(): CertificateRotation {
    return new CertificateRotation(CertificateRotationKind.RELOADER);
  }

  /**
   * The workers' program reloads the certificate files itself (e.g. Go with a
   * `tls.Config.GetClientCertificate` that rereads them), so nothing restarts the pods.
   */
  public static processReloads(): CertificateRotation {
    return new CertificateRotation(CertificateRotationKind.PROCESS_RELOADS);
  }

  private constructor(
    public readonly kind: CertificateRotationKind,
    /** @internal */ public readonly _restart?: RestartPodsSettings,
  ) {}
}

/** What the fleet does about its certificate's renewal, resolved against its connection. */
export interface ResolvedRotation {
  readonly kind: CertificateRotationKind;
  /** The client certificate's Secret. */
  readonly secretName: string;
  /** With `restartPods()`: its settings, the interval and the cron schedule that keeps it. */
  readonly restart?: RestartPodsSettings & { readonly everySeconds: number; readonly schedule: string };
}

/**
 * The rotation of a fleet's client certificate: `restartPods()` by default when cert-manager issues
 * it, none for a certificate from a Secret unless given, and refused where there is none to rotate.
 */
export function resolveRotation(owner: string, fleet: { name: string; namespace: string }, rotation: CertificateRotation | undefined, connection: FleetConnection): ResolvedRotation | undefined {
  const prop = 'certificateRotation';
  if (rotation !== undefined && !(rotation instanceof CertificateRotation)) {
    throw propError(owner, prop, rotation, 'a CertificateRotation (CertificateRotation.restartPods(), .reloader() or .processReloads())');
  }
  const secretName = connection.tls ? connection.clientSecret?.name : undefined;
  if (secretName === undefined) {
    if (rotation === undefined) return undefined;
    throw propError(owner, prop, `CertificateRotation (${rotation.kind})`, 'no value: the fleet presents no client certificate',
      'There is nothing to rotate; drop it, or give the fleet a client certificate (clientCertificate) on a TLS connection.');
  }
  const chosen = rotation ?? (connection.certificate ? CertificateRotation.restartPods() : undefined);
  if (chosen === undefined) return undefined;
  if (chosen.kind !== CertificateRotationKind.RESTART_PODS) return { kind: chosen.kind, secretName };
  const settings = chosen._restart!;
  const lifetime = connection.certificate;
  let everySeconds = settings.everySeconds;
  if (lifetime) {
    const renewSeconds = requireDurationSeconds(owner, 'clientCertificate renewBefore', lifetime.renewBefore);
    const maxEvery = Math.floor((renewSeconds - ROTATION_MARGIN_SECONDS) / 2);
    const why = `the pods must be replaced within renewBefore (${goDuration(lifetime.renewBefore)}) of the renewal, when the certificate they loaded expires; `
      + 'twice the interval plus an hour (the Secret\'s refresh in the pods, a late or failed run, the rollout) must fit in it';
    if (everySeconds === undefined) {
      everySeconds = candidates().find((s) => s <= Math.min(maxEvery, DEFAULT_MAX_EVERY_SECONDS));
      if (everySeconds === undefined) {
        throw propError(owner, 'clientCertificate', `FleetClientCertificate.certManager({ renewBefore: '${goDuration(lifetime.renewBefore)}' })`,
          `a renewBefore of at least 3h, so the default CertificateRotation.restartPods() can restart the pods hourly: ${why}`,
          'Raise renewBefore, or give certificateRotation: CertificateRotation.reloader() (restarts on renewal) or .processReloads() if the program rereads the files.');
      }
    } else if (everySeconds > maxEvery) {
      throw propError(owner, `${prop} every`, goDuration(Duration.seconds(everySeconds)), `at most ${maxEvery > 0 ? goDuration(Duration.seconds(maxEvery)) : 'nothing'}: ${why}`,
        'Restart more often (a shorter every), or give the certificate a longer renewBefore.');
    }
  } else if (everySeconds === undefined) {
    throw propError(owner, prop, 'CertificateRotation.restartPods() without every', `an interval (every): the certificate comes from Secret ${secretName}, whose lifetime the library does not know`,
      'Give every shorter than half the time your issuer renews the certificate before it expires, or use CertificateRotation.reloader().');
  }
  return { kind: chosen.kind, secretName, restart: { ...settings, everySeconds, schedule: cronSchedule(everySeconds, `${fleet.namespace}/${fleet.name}`) } };
}

/** Every interval a schedule can keep, longest first. */
function candidates(): number[] {
  return [...Array.from({ length: MAX_DAYS }, (_, i) => (MAX_DAYS - i) * DAY), ...[...HOURLY].reverse().map((h) => h * HOUR)];
}

function checkEvery(owner: string, prop: string, every: Duration): number {
  const seconds = requireDurationSeconds(owner, prop, every, 1);
  if (!candidates().includes(seconds)) {
    throw propError(owner, prop, goDuration(every), `whole hours that divide a day (${HOURLY.join(', ')}h), or 1 to ${MAX_DAYS} whole days`,
      'A cron schedule keeps no other interval; pick the next shorter one.');
  }
  return seconds;
}

/**
 * A cron schedule (UTC) that runs at most `everySeconds` apart. Minute, hour and weekday come from
 * a hash of the fleet, so fleets of one cluster do not all restart at the same moment.
 */
export function cronSchedule(everySeconds: number, key: string): string {
  const hash = createHash('sha256').update(key).digest();
  const minute = hash[0] % 60;
  const hour = hash[1] % 24;
  if (everySeconds < DAY) {
    const hours = everySeconds / HOUR;
    return `${minute} ${hours === 1 ? '*' : `*/${hours}`} * * *`;
  }
  const days = everySeconds / DAY;
  if (days === 1) return `${minute} ${hour} * * *`;
  if (days === 7) return `${minute} ${hour} * * ${hash[2] % 7}`;
  // Days 1, 1+d, 1+2d... of each month: the gap from the last of a month to the 1st is at most d.
  return `${minute} ${hour} */${days} * *`;
}
