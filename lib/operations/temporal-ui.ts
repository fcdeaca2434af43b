import { Duration } from 'cdk8s';
import type { ContainerResources } from 'cdk8s-plus-27';
import { isBuiltByCluster, outsideCluster } from '../cluster/built-by-cluster';
import { Construct } from 'constructs';
import { uiName } from '../cluster/object-names';
import { EnvVar, IntOrString, KubeDeployment, KubeIngress, KubePodDisruptionBudget, KubeService, Quantity, Volume, VolumeMount } from '../../imports/k8s';
import { DEFAULT_UI_VERSION, libraryPullPolicy } from '../pod/images';
import { checkIpFamily, IpFamily, serviceIpFamilies } from '../pod/ip-family';
import { namespaceCheckContainer } from '../pod/namespace-check';
import { checkedPlacement, PodPlacement } from '../pod/placement';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from '../pod/security-context';
import { emitServiceAccount, pullSecretRefs } from '../pod/service-account';
import { NetworkPeer } from '../security/network-policies';
import { FrontendClient } from '../security/tls-mounts';
import { SecretRef } from '../persistence/secret-ref';
import { UNHEALTHY_POD_EVICTION } from '../services/availability';
import { containerResources } from '../services/container-resources';
import { kubeletLiteralEnv, optionalBoolean, propError, requireDurationSeconds, requireInt32, requireNonEmpty, plainProps } from '../validation';
import { checkIngress, LEGACY_CLASS } from './ui-ingress';
import { ingressForbiddenSecrets, oidcEnv, urlPort } from './ui-oidc';
import { checkUiReadsEnv } from './ui-release';
import { requireUiTemplateText, uiTemplateTextProblem } from './ui-template-text';

/** Slack after the preStop sleep before the kubelet's SIGKILL; the UI exits at once on SIGTERM. */
const EXIT_SLACK_SECONDS = 15;

/** The web UI's default image. */
export const DEFAULT_UI_IMAGE = `temporalio/ui:${DEFAULT_UI_VERSION}`;

/** OIDC login for the web UI. */
export interface UiOidcOptions {
  /** The identity provider's issuer URL, `https://`. */
  readonly providerUrl: string;
  /**
   * Accept an `http://` providerUrl. Over plain HTTP the browser's login at the provider and the
   * client secret the UI presents to it cross the network readable; only for a provider reached
   * inside a network you trust.
   * @default false
   */
  readonly allowPlaintextProvider?: boolean;
  readonly clientId: string;
  /** The client secret, from a Secret. */
  readonly clientSecret: SecretRef;
  /**
   * The UI's callback URL, `https://<host>/auth/sso/callback`: on the Ingress host when there is an
   * Ingress, at the host's root (the UI is served there: no path prefix); `http://` only on
   * localhost, for a port-forward.
   */
  readonly callbackUrl: string;
  /**
   * Scopes to request.
   * @default ['openid', 'profile', 'email']
   */
  readonly scopes?: string[];
  /**
   * Send the frontend the user's ID token as the bearer token of the UI's calls, in place of the
   * access token (`TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER`, read by UI 2.39.0 and later): for a
   * provider whose access tokens the frontend's authorizer cannot verify (opaque ones, or JWTs
   * for another audience) while its ID tokens are JWTs signed by the key sets it reads. Off, the
   * UI sends the access token. Refused with an `image` that names an older UI release, which
   * would ignore it.
   * @default false
   */
  readonly useIdTokenAsBearer?: boolean;
}

/** An Ingress in front of the UI. */
export interface UiIngressOptions {
  readonly host: string;
  /**
   * IngressClass.
   * @default - the cluster's default class
   */
  readonly className?: string;
  /**
   * A `kubernetes.io/tls` Secret for the host.
   * @default - no TLS on the Ingress
   */
  readonly tlsSecretName?: string;
  /**
   * Annotations, for the controller or cert-manager; a `kubernetes.io/ingress.class` one must name `className`'s class.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * Accept an Ingress without `tlsSecretName`, which is refused otherwise, since OIDC sessions and
   * everything the UI shows would cross the network in the clear. Set it when TLS ends in front of
   * the Ingress, or when the controller serves the host with a certificate the Ingress does not
   * name (an AWS load balancer's `alb.ingress.kubernetes.io/certificate-arn` annotation, GKE
   * managed certificates, ingress-nginx's default certificate).
   * @default false
   */
  readonly allowPlaintext?: boolean;
}

/**
 * The web UI, as a cluster prop; `nodeSelector`, `tolerations`, `affinity` and `priorityClassName`
 * (in place of the cluster's) place its pods.
 */
export interface UiOptions extends PodPlacement {
  /** @default 2 */
  readonly replicas?: number;
  /**
   * The UI's image, pinned to a tag other than `latest`, or to a digest.
   * @default - `<images.repository>/ui:2.52.0` (DEFAULT_UI_IMAGE with the default repository)
   */
  readonly image?: string;
  /**
   * The UI release `image` is built from (`2.52.0`), for a reference that does not name it: a
   * digest alone, or an in-house build whose tag is a version of its own. Settings that only newer
   * UI releases read are checked against it. Beside the official `temporalio/ui` image's tag, and
   * without `image` (the library's default), it must name the image's own release.
   * @default - the release the tag of an image named `ui` names; none otherwise (settings unchecked)
   */
  readonly release?: string;
  /** @default - 100m CPU and 128Mi requested, 500m and 256Mi limits */
  readonly resources?: ContainerResources;
  /**
   * Login through an OpenID Connect provider. Required with `authorization` (without a token the
   * UI can read nothing) and with an `ingress`, unless `allowAnonymous` says otherwise.
   * @default - no login
   */
  readonly oidc?: UiOidcOptions;
  /**
   * Run the UI without `oidc` although that is unsafe or useless: behind an Ingress, anyone who
   * reaches the host uses it; under `authorization`, the frontend answers PERMISSION_DENIED to its
   * calls, so it shows nothing.
   * @default false
   */
  readonly allowAnonymous?: boolean;
  /** @default - no Ingress; reach the Service with a port-forward */
  readonly ingress?: UiIngressOptions;
  /**
   * Who may reach the UI's port (the Ingress controller, a VPN range). An empty list admits nobody
   * (kubectl port-forward still reaches the UI), and is refused with `ingress`.
   * @default [NetworkPeer.anyNamespace()]
   */
  readonly allowFrom?: NetworkPeer[];
  /**
   * How long a stopping UI pod keeps serving before it gets SIGTERM (a `preStop` sleep), while
   * kube-proxy and the Ingress controller, which learn of its endpoint's removal only later, stop
   * sending it requests; the UI exits at once on SIGTERM. Whole seconds, at most 600;
   * `Duration.seconds(0)` stops it at once. The pod's grace period covers it.
   * @default Duration.seconds(10)
   */
  readonly drainDuration?: Duration;
}

export interface TemporalUiProps extends UiOptions {
  readonly clusterName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** `host:port` of the frontend gRPC endpoint. */
  readonly frontendAddress: string;
  /** Whether an authorizer guards the frontend the UI talks to. */
  readonly authorizationEnabled: boolean;
  /** TLS to the frontend: env and the volumes holding the client certificate and CA. */
  readonly client: FrontendClient;
  /**
   * The cluster's TLS Secrets and its stores' Secrets, by what they hold; the Ingress must not serve one of them.
   * @default - none
   */
  readonly clusterSecrets?: ReadonlyMap<string, string>;
  readonly imagePullSecrets: readonly string[];
  /**
   * The image of the init container that stops the pod when it runs in another namespace than
   * `namespace` (a kustomize `namespace:` over the output), with a POSIX `sh`: the cluster's
   * admin-tools image, which its nodes already pull for the servers' schema waits.
   */
  readonly namespaceCheckImage: string;
  /**
   * The Temporal namespace the UI opens on.
   * @default - the UI's own default, `default`
   */
  readonly defaultNamespace?: string;
  /**
   * The pod network's IP family, which the UI's Service follows (the UI listens on every family).
   * @default IpFamily.IPV4
   */
  readonly ipFamily?: IpFamily;
}

/**
 * @internal
 * The namespace the UI of a cluster that creates `namespaces` opens on: the UI opens on `default`,
 * which such a cluster may not have (the landing page then shows only "not found" or, under
 * authorization, permission errors), so the first one listed when none is named `default`.
 */
export function uiDefaultNamespace(namespaces: readonly string[] | undefined): string | undefined {
  // Only a name the UI's config template reads back as written (not `123` or `true`).
  return namespaces && !namespaces.includes('default') ? namespaces.find((n) => uiTemplateTextProblem(n) === undefined) : undefined;
}

/**
 * The Temporal web UI: a Deployment, a Service, a PodDisruptionBudget and optionally an Ingress.
 * Built by `TemporalCluster` (`ui`), which chooses the frontend it talks to: one built outside it is refused.
 */
export class TemporalUi extends Construct {
  /** The port the UI serves HTTP on, in the pod and on its Service. */
  public static readonly PORT = 8080;

  public readonly name: string;
  public readonly replicas: number;
  public readonly image: string;
  public readonly selectorLabels: Record<string, string>;
  /** `http://<service>.<namespace>.svc:8080`. */
  public readonly url: string;
  public readonly resource: KubeDeployment;
  /** Ports the UI dials besides the frontend: its identity provider's, with OIDC. */
  public readonly egressPorts: number[];
  /** The Secret whose certificate the Ingress serves, when the UI has an Ingress with TLS. */
  public readonly ingressTlsSecretName?: string;
  /** The host and IngressClass the Ingress routes, when the UI has one. */
  public readonly ingressRoute?: { readonly host: string; readonly className?: string };
  /** Where the identity provider sends logins, with OIDC. */
  public readonly callbackUrl?: string;

  constructor(scope: Construct, id: string, props: TemporalUiProps) {
    super(scope, id);
    props = plainProps(`TemporalUi '${id}'`, props, 'TemporalUiProps');
    const owner = `ui of TemporalCluster '${props.clusterName}'`;
    this.name = uiName(props.clusterName);
    this.replicas = requireInt32(owner, 'replicas', props.replicas ?? 2, 0);
    const drainSeconds = requireDurationSeconds(owner, 'drainDuration', props.drainDuration ?? Duration.seconds(10), 0, 600);
    this.image = props.image ?? DEFAULT_UI_IMAGE;
    this.url = `http://${this.name}.${props.namespace}.svc:${TemporalUi.PORT}`;
    this.selectorLabels = { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': props.clusterName, 'app.kubernetes.io/component': 'ui' };
    const labels = { ...props.labels, 'app.kubernetes.io/component': 'ui' };
    const metadata = { name: this.name, namespace: props.namespace, labels };
    checkExposure(owner, props);
    const placement = checkedPlacement(owner, '', props);
    const ipFamily = checkIpFamily(owner, 'ipFamily', props.ipFamily);
    if (props.ingress) checkIngress(owner, props.ingress, ingressForbiddenSecrets(props.clusterSecrets, props.oidc));
    this.ingressTlsSecretName = props.ingress?.tlsSecretName;
    // The legacy class annotation chooses the controller as className does (empty, it names none), for the host checks between clusters.
    this.ingressRoute = props.ingress && { host: props.ingress.host, className: props.ingress.className ?? (props.ingress.annotations?.[LEGACY_CLASS] || undefined) };

    // The UI reads its settings from env (config/docker.yaml in the image renders them).
    const env: EnvVar[] = [
      { name: 'TEMPORAL_ADDRESS', value: props.frontendAddress },
      { name: 'TEMPORAL_UI_PORT', value: String(TemporalUi.PORT) },
      ...(props.defaultNamespace !== undefined ? [{ name: 'TEMPORAL_DEFAULT_NAMESPACE', value: requireUiTemplateText(owner, 'defaultNamespace', requireNonEmpty(owner, 'defaultNamespace', props.defaultNamespace)) }] : []),
      ...props.client.env.map((e) => ({ name: UI_TLS_ENV[e.name] ?? e.name, value: e.value })).filter((e) => e.name.startsWith('TEMPORAL_TLS_')),
      ...(props.client.env.length ? [{ name: 'TEMPORAL_TLS_ENABLE_HOST_VERIFICATION', value: 'true' }] : []),
      ...oidcEnv(owner, props.oidc, props.ingress),
    ];
    checkUiReadsEnv(owner, this.image, env, props.release);
    if (!isBuiltByCluster(props.client)) throw outsideCluster(owner, 'client', 'the UI');
    this.egressPorts = props.oidc ? [urlPort(new URL(props.oidc.providerUrl))] : [];
    this.callbackUrl = props.oidc?.callbackUrl;
    const volumes: Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } }, ...props.client.volumes];
    const mounts: VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }, ...props.client.mounts];

    // Its own ServiceAccount, so that an identity given to the servers is not the tools' or the UI's.
    emitServiceAccount(this, 'ServiceAccount', { name: this.name, namespace: props.namespace, labels }, undefined);
    this.resource = new KubeDeployment(this, 'Resource', {
      metadata,
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: this.selectorLabels },
        // RollingUpdate, the API's default type (the stored object carries it either way).
        strategy: { rollingUpdate: { maxSurge: IntOrString.fromNumber(1), maxUnavailable: IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: { ...labels, ...this.selectorLabels } },
          spec: {
            serviceAccountName: this.name,
            imagePullSecrets: pullSecretRefs(props.imagePullSecrets),
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: POD_SECURITY_CONTEXT,
            // Counted per ReplicaSet, as the roles' spread is (TopologySpread.constraints).
            topologySpreadConstraints: [{
              maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: this.selectorLabels }, matchLabelKeys: ['pod-template-hash'],
            }],
            ...placement,
            // The API server refuses a sleep longer than the grace period; 30 s is the API's default.
            terminationGracePeriodSeconds: Math.max(30, drainSeconds + EXIT_SLACK_SECONDS),
            initContainers: [namespaceCheckContainer(props.namespace, this.name, props.namespaceCheckImage)],
            containers: [{
              name: 'ui',
              image: this.image,
              imagePullPolicy: libraryPullPolicy(this.image),
              env: kubeletLiteralEnv(env),
              ports: [{ name: 'http', containerPort: TemporalUi.PORT }],
              // Every 10 s: the API's default, which the stored object carries.
              readinessProbe: { httpGet: { path: '/healthz', port: IntOrString.fromString('http') } },
              // Liveness only asks whether the process still accepts connections, so a slow frontend never restarts the UI.
              livenessProbe: { tcpSocket: { port: IntOrString.fromString('http') }, periodSeconds: 20, failureThreshold: 6 },
              resources: uiResources(owner, props.resources),
              // The kubelet's own sleep (Kubernetes 1.30 and later), since the UI image may have no sleep binary; a sleep of 0 s is refused before 1.33.
              lifecycle: drainSeconds > 0 ? { preStop: { sleep: { seconds: drainSeconds } } } : undefined,
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMounts: mounts,
            }],
            volumes,
          },
        },
      },
    });
    new KubeService(this, 'Service', {
      metadata,
      spec: { type: 'ClusterIP', ...serviceIpFamilies(ipFamily, false), selector: this.selectorLabels, ports: [{ name: 'http', port: TemporalUi.PORT, targetPort: IntOrString.fromString('http'), appProtocol: 'http' }] },
    });
    if (this.replicas > 1) {
      new KubePodDisruptionBudget(this, 'DisruptionBudget', { metadata, spec: { selector: { matchLabels: this.selectorLabels }, maxUnavailable: IntOrString.fromNumber(1), ...UNHEALTHY_POD_EVICTION } });
    }
    if (props.ingress) {
      const ingress = props.ingress;
      new KubeIngress(this, 'Ingress', {
        metadata: { ...metadata, annotations: ingress.annotations },
        spec: {
          ingressClassName: ingress.className,
          tls: ingress.tlsSecretName ? [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] : undefined,
          rules: [{ host: ingress.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: this.name, port: { name: 'http' } } } }] } }],
        },
      });
    }
  }
}

/** Refuses a UI that anyone could use, or that could read nothing, unless the props say so on purpose. */
function checkExposure(owner: string, props: TemporalUiProps): void {
  const allowAnonymous = optionalBoolean(owner, 'allowAnonymous', props.allowAnonymous, false);
  const allowPlaintext = props.ingress && optionalBoolean(owner, 'ingress.allowPlaintext', props.ingress.allowPlaintext, false);
  if (!props.oidc && !allowAnonymous) {
    if (props.authorizationEnabled) {
      throw propError(owner, 'oidc', undefined, 'an OIDC login while authorization is on',
        'Without a user\'s token the frontend answers PERMISSION_DENIED to every call of the UI. Set ui.allowAnonymous: true if the UI is meant to show nothing.');
    }
    if (props.ingress) {
      throw propError(owner, 'oidc', undefined, 'an OIDC login for a UI behind an Ingress',
        'Anyone who reaches the host could use the UI, and through it the cluster. Set ui.allowAnonymous: true to expose it without login on purpose.');
    }
  }
  if (props.ingress && Array.isArray(props.allowFrom) && props.allowFrom.length === 0) {
    throw propError(owner, 'allowFrom', [], 'the peers that include the Ingress controller\'s pods, since ingress publishes the UI',
      'An empty list admits nobody to the UI\'s port, so the controller behind ui.ingress could never reach it and the host would answer with errors. Name the controller\'s namespace '
      + '(NetworkPeer.namespace("ingress-nginx")), or drop ingress and reach the UI with kubectl port-forward, which connects inside the pod.');
  }
  if (props.ingress && props.ingress.tlsSecretName === undefined && !allowPlaintext) {
    throw propError(owner, 'ingress.tlsSecretName', undefined, 'a kubernetes.io/tls Secret for the host',
      'Without it the UI and its login travel in the clear. Set ingress.allowPlaintext: true if TLS ends in front of the Ingress, '
      + 'or if the controller serves the host with a certificate the Ingress does not name (an AWS load balancer\'s '
      + 'alb.ingress.kubernetes.io/certificate-arn, GKE managed certificates, ingress-nginx\'s default certificate).');
  }
}

/** The UI names its TLS settings differently from the Temporal CLI. */
const UI_TLS_ENV: Record<string, string> = {
  TEMPORAL_TLS_CLIENT_CERT_PATH: 'TEMPORAL_TLS_CERT',
  TEMPORAL_TLS_CLIENT_KEY_PATH: 'TEMPORAL_TLS_KEY',
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'TEMPORAL_TLS_CA',
  TEMPORAL_TLS_SERVER_NAME: 'TEMPORAL_TLS_SERVER_NAME',
};

function uiResources(owner: string, resources: ContainerResources | undefined) {
  // The UI's ephemeral storage is fixed: it writes nothing but its logs and /tmp.
  return containerResources(owner, { cpu: '100m', cpuLimit: '500m', memory: '128Mi', memoryLimit: '256Mi', storage: '32Mi', storageLimit: '256Mi' },
    resources ? { cpu: resources.cpu, memory: resources.memory } : undefined);
}
