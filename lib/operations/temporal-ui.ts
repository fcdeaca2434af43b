import type { ContainerResources } from 'cdk8s-plus-27';
import { isBuiltByCluster, outsideCluster } from '../cluster/built-by-cluster';
import { Construct } from 'constructs';
import { uiName } from '../cluster/object-names';
import { EnvVar, IntOrString, KubeDeployment, KubeIngress, KubePodDisruptionBudget, KubeService, Quantity, Volume, VolumeMount } from '../../imports/k8s';
import { DEFAULT_UI_VERSION, libraryPullPolicy } from '../pod/images';
import { checkIpFamily, IpFamily, serviceIpFamilies } from '../pod/ip-family';
import { checkedPlacement, PodPlacement } from '../pod/placement';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from '../pod/security-context';
import { emitServiceAccount, pullSecretRefs } from '../pod/service-account';
import { NetworkPeer } from '../security/network-policies';
import { FrontendClient } from '../security/tls-mounts';
import { SecretRef } from '../persistence/secret-ref';
import { requireSecretRef } from '../persistence/secret-ref-checks';
import { containerResources } from '../services/container-resources';
import {
  checkAnnotations, isIpv4, kubeletLiteralEnv, optionalBoolean, propError, requireDns1123Subdomain, requireDnsName, requireInt32, requireNonEmpty, requireUrl, plainProps,
} from '../validation';
import { requireUiTemplateText, uiTemplateTextProblem } from './ui-template-text';

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
   * Ingress (a proxy in front may add a path prefix); `http://` only on localhost, for a port-forward.
   */
  readonly callbackUrl: string;
  /**
   * Scopes to request.
   * @default ['openid', 'profile', 'email']
   */
  readonly scopes?: string[];
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
   * Annotations, for the controller or cert-manager.
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
   * Who may reach the UI's port (the Ingress controller, a VPN range).
   * @default [NetworkPeer.anyNamespace()]
   */
  readonly allowFrom?: NetworkPeer[];
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
   * The cluster's TLS Secrets, by what they hold; the Ingress must not serve one of them.
   * @default - none
   */
  readonly clusterSecrets?: ReadonlyMap<string, string>;
  readonly imagePullSecrets: readonly string[];
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
 * authorization, permission errors), so the first one it creates when none is named `default`.
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

  constructor(scope: Construct, id: string, props: TemporalUiProps) {
    super(scope, id);
    props = plainProps(`TemporalUi '${id}'`, props, 'TemporalUiProps');
    const owner = `ui of TemporalCluster '${props.clusterName}'`;
    this.name = uiName(props.clusterName);
    this.replicas = requireInt32(owner, 'replicas', props.replicas ?? 2, 0);
    this.image = props.image ?? DEFAULT_UI_IMAGE;
    this.url = `http://${this.name}.${props.namespace}.svc:${TemporalUi.PORT}`;
    this.selectorLabels = { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': props.clusterName, 'app.kubernetes.io/component': 'ui' };
    const labels = { ...props.labels, 'app.kubernetes.io/component': 'ui' };
    const metadata = { name: this.name, namespace: props.namespace, labels };
    checkExposure(owner, props);
    const placement = checkedPlacement(owner, '', props);
    const ipFamily = checkIpFamily(owner, 'ipFamily', props.ipFamily);
    if (props.ingress) checkIngress(owner, props.ingress, props.clusterSecrets);
    this.ingressTlsSecretName = props.ingress?.tlsSecretName;

    // The UI reads its settings from env (config/docker.yaml in the image renders them).
    const env: EnvVar[] = [
      { name: 'TEMPORAL_ADDRESS', value: props.frontendAddress },
      { name: 'TEMPORAL_UI_PORT', value: String(TemporalUi.PORT) },
      ...(props.defaultNamespace !== undefined ? [{ name: 'TEMPORAL_DEFAULT_NAMESPACE', value: requireUiTemplateText(owner, 'defaultNamespace', requireNonEmpty(owner, 'defaultNamespace', props.defaultNamespace)) }] : []),
      ...props.client.env.map((e) => ({ name: UI_TLS_ENV[e.name] ?? e.name, value: e.value })).filter((e) => e.name.startsWith('TEMPORAL_TLS_')),
      ...(props.client.env.length ? [{ name: 'TEMPORAL_TLS_ENABLE_HOST_VERIFICATION', value: 'true' }] : []),
      ...oidcEnv(owner, props.oidc, props.ingress),
    ];
    if (!isBuiltByCluster(props.client)) throw outsideCluster(owner, 'client', 'the UI');
    this.egressPorts = props.oidc ? [urlPort(new URL(props.oidc.providerUrl))] : [];
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
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: this.selectorLabels } }],
            ...placement,
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
      new KubePodDisruptionBudget(this, 'DisruptionBudget', { metadata, spec: { selector: { matchLabels: this.selectorLabels }, maxUnavailable: IntOrString.fromNumber(1) } });
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

function urlPort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
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
  if (props.ingress && props.ingress.tlsSecretName === undefined && !allowPlaintext) {
    throw propError(owner, 'ingress.tlsSecretName', undefined, 'a kubernetes.io/tls Secret for the host',
      'Without it the UI and its login travel in the clear. Set ingress.allowPlaintext: true if TLS ends in front of the Ingress, '
      + 'or if the controller serves the host with a certificate the Ingress does not name (an AWS load balancer\'s '
      + 'alb.ingress.kubernetes.io/certificate-arn, GKE managed certificates, ingress-nginx\'s default certificate).');
  }
}

function checkIngress(owner: string, ingress: UiIngressOptions, clusterSecrets: ReadonlyMap<string, string> | undefined): void {
  requireDnsName(owner, 'ingress.host', ingress.host, true);
  // Dotted decimals pass as DNS labels, but an Ingress rule matches the Host header by name: the API server refuses an address.
  if (isIpv4(ingress.host)) {
    throw propError(owner, 'ingress.host', ingress.host, 'a DNS name, not an IP address',
      'An Ingress routes by host name; give the name clients use (such as "temporal-ui.example.com"), or reach the UI Service without an Ingress.');
  }
  if (ingress.className !== undefined) requireDns1123Subdomain(owner, 'ingress.className', ingress.className);
  checkAnnotations(owner, 'ingress.annotations', ingress.annotations);
  if (ingress.tlsSecretName !== undefined) requireDns1123Subdomain(owner, 'ingress.tlsSecretName', ingress.tlsSecretName);
  const clusterSecret = ingress.tlsSecretName === undefined ? undefined : clusterSecrets?.get(ingress.tlsSecretName);
  if (clusterSecret !== undefined) {
    // The Ingress controller, often shared and in another namespace, would read its key and serve its certificate to the Internet.
    throw propError(owner, 'ingress.tlsSecretName', ingress.tlsSecretName, `a certificate Secret for the host, not the cluster's ${clusterSecret} Secret`,
      `The Ingress controller would hold the ${clusterSecret} private key; issue a certificate for ${ingress.host} in a Secret of its own.`);
  }
}

/** The UI names its TLS settings differently from the Temporal CLI. */
const UI_TLS_ENV: Record<string, string> = {
  TEMPORAL_TLS_CLIENT_CERT_PATH: 'TEMPORAL_TLS_CERT',
  TEMPORAL_TLS_CLIENT_KEY_PATH: 'TEMPORAL_TLS_KEY',
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'TEMPORAL_TLS_CA',
  TEMPORAL_TLS_SERVER_NAME: 'TEMPORAL_TLS_SERVER_NAME',
};

/** Where the UI receives the provider's answer (temporalio/ui AUTHENTICATION.md). */
const CALLBACK_PATH = '/auth/sso/callback';

function oidcEnv(owner: string, oidc: UiOidcOptions | undefined, ingress: UiIngressOptions | undefined): EnvVar[] {
  if (!oidc) return [];
  if (typeof oidc !== 'object') throw propError(owner, 'oidc', oidc, 'an object: { providerUrl, clientId, clientSecret, callbackUrl }');
  const provider = requireUrl(owner, 'oidc.providerUrl', oidc.providerUrl);
  if (provider.protocol !== 'https:' && !optionalBoolean(owner, 'oidc.allowPlaintextProvider', oidc.allowPlaintextProvider, false)) {
    throw propError(owner, 'oidc.providerUrl', oidc.providerUrl, 'an https:// issuer URL',
      'Over plain HTTP the browser\'s login at the provider and the client secret the UI presents to it cross the network readable. Set oidc.allowPlaintextProvider: true for a provider reached only inside a network you trust.');
  }
  // The UI fetches <providerUrl>/.well-known/openid-configuration and wants that document's issuer to be providerUrl as written (go-oidc NewProvider).
  // The text, not the parsed URL's search and hash: a bare "?" or "#" parses to empty ones.
  if (/\/\.well-known\//i.test(provider.pathname) || /[?#]/.test(oidc.providerUrl)) {
    throw propError(owner, 'oidc.providerUrl', oidc.providerUrl, 'the issuer URL, without /.well-known/..., a query or a fragment, such as "https://idp.example.com/realms/temporal"',
      'The UI appends /.well-known/openid-configuration to it and checks that the document\'s issuer equals it: give the "issuer" that document names, or the UI cannot log anyone in.');
  }
  checkCallbackUrl(owner, oidc.callbackUrl, ingress);
  requireNonEmpty(owner, 'oidc.clientId', oidc.clientId);
  for (const prop of ['providerUrl', 'clientId', 'callbackUrl'] as const) requireUiTemplateText(owner, `oidc.${prop}`, oidc[prop]);
  requireSecretRef(owner, 'oidc.clientSecret', oidc.clientSecret, 'The client secret stays in a Secret; written into the props it would end up in the YAML.');
  return [
    { name: 'TEMPORAL_AUTH_ENABLED', value: 'true' },
    { name: 'TEMPORAL_AUTH_TYPE', value: 'oidc' },
    { name: 'TEMPORAL_AUTH_PROVIDER_URL', value: oidc.providerUrl },
    { name: 'TEMPORAL_AUTH_CLIENT_ID', value: oidc.clientId },
    { name: 'TEMPORAL_AUTH_CLIENT_SECRET', valueFrom: oidc.clientSecret._toEnvSource() },
    { name: 'TEMPORAL_AUTH_CALLBACK_URL', value: oidc.callbackUrl },
    { name: 'TEMPORAL_AUTH_SCOPES', value: oidcScopes(owner, oidc.scopes).join(',') },
  ];
}

/**
 * The provider sends the browser, with the login code, to the callback URL: it must be the UI's
 * callback path, on a host that reaches this UI, over TLS. A wrong host or path fails only at the
 * first login, after the deploy.
 */
function checkCallbackUrl(owner: string, value: string, ingress: UiIngressOptions | undefined): void {
  const url = requireUrl(owner, 'oidc.callbackUrl', value);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
  const example = `https://${ingress?.host.replace(/^\*\./, 'ui.') ?? url.host}${CALLBACK_PATH}`;
  if (url.protocol !== 'https:' && !loopback) {
    throw propError(owner, 'oidc.callbackUrl', value, 'an https:// URL (http:// only on localhost, for a port-forward)',
      `The login code would travel in the clear to the UI, and whoever reads it logs in. Use ${example}.`);
  }
  if (!url.pathname.endsWith(CALLBACK_PATH) || /[?#]/.test(value)) {
    throw propError(owner, 'oidc.callbackUrl', value, `a URL whose path ends in ${CALLBACK_PATH}, where the UI receives the login`, `Such as ${example}.`);
  }
  if (ingress && typeof ingress.host === 'string' && !hostMatches(ingress.host.toLowerCase(), host)) {
    throw propError(owner, 'oidc.callbackUrl', value, `a URL on the Ingress host ${ingress.host}`,
      `The provider would send the browser to ${url.host}, which this UI's Ingress does not serve; use ${example}.`);
  }
}

/**
 * The UI sends the scopes joined by commas: a scope with a comma or a space would become two, an
 * empty list asks for none, and without `openid` the provider returns no ID token, so every login
 * fails.
 */
function oidcScopes(owner: string, scopes: string[] | undefined): string[] {
  if (scopes === undefined) return ['openid', 'profile', 'email'];
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || !/^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw propError(owner, 'oidc.scopes', scopes, 'a list of OAuth scopes: printable ASCII without spaces, commas, quotes or backslashes');
  }
  scopes.forEach((scope, i) => requireUiTemplateText(owner, `oidc.scopes[${i}]`, scope));
  if (!scopes.includes('openid')) {
    throw propError(owner, 'oidc.scopes', scopes, 'a list that includes "openid"', 'Without it the provider returns no ID token and every login fails.');
  }
  return scopes;
}

/** Whether an Ingress host rule (`*.example.com` matches one label) serves `host`. */
function hostMatches(rule: string, host: string): boolean {
  if (!rule.startsWith('*.')) return rule === host;
  const suffix = rule.slice(1);
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length;
}

function uiResources(owner: string, resources: ContainerResources | undefined) {
  // The UI's ephemeral storage is fixed: it writes nothing but its logs and /tmp.
  return containerResources(owner, { cpu: '100m', cpuLimit: '500m', memory: '128Mi', memoryLimit: '256Mi', storage: '32Mi', storageLimit: '256Mi' },
    resources ? { cpu: resources.cpu, memory: resources.memory } : undefined);
}
