import type { ConnectionInputs, FleetClientCertificate, FleetConnection } from './fleet-connection';
import type { ExternalFrontend } from './worker-fleet-props';
import { roleName, uiName } from '../cluster/object-names';
import type { TemporalCluster } from '../cluster/temporal-cluster';
import { normalizeHost } from '../persistence/store-identity';
import { checkedOverride } from '../pod/images';
import { TemporalVersion } from '../versions';
import { requireNetworkPeers } from '../security/network-policies';
import type { TemporalService } from '../services/temporal-service';
import { optionalBoolean, propError, requireHost, requireNonEmpty, requirePort } from '../validation';

/*
 * A fleet's frontend outside its app (`frontend`): the address it dials, checked, and where its
 * egress rule points; and the check that such an address is not a frontend of a cluster of the app.
 */

/**
 * An external frontend address that is a Service of `cluster`, a cluster of the fleet's app, however
 * written (case, relative, fully qualified, the headless Service). A frontend's gRPC port: bound to
 * the cluster instead, the fleet gets its TLS, its client certificate and its NetworkPolicies; and
 * the internal frontend grants every caller cluster admin, past the authorizer. Any other Service or
 * port of the cluster (a history or matching Service, the frontend's HTTP port, the UI) answers no
 * SDK: the workers would never connect.
 */
export function frontendMisuses(address: string, namespace: string, cluster: TemporalCluster): string[] {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  const dns = { namespace, clusterDomain: cluster.clusterDomain };
  const dialed = new Set(normalizeHost(address.slice(0, at), dns));
  const isDialed = (name: string) => normalizeHost(`${name}.${cluster.namespace}.svc`, dns).some((n) => dialed.has(n));
  const ofCluster = `TemporalCluster '${cluster.namespace}/${cluster.name}' of this app`;
  const frontends: Array<[string, TemporalService | undefined]> = [['public frontend', cluster.frontend], ['internal frontend', cluster.internalFrontend]];
  for (const [what, svc] of frontends) {
    if (!svc || svc.ports.grpc !== port || ![roleName(cluster.name, svc.role), svc.headlessServiceName].some(isDialed)) continue;
    return [`frontend.address is ${address}, the ${what} of ${ofCluster}; expected cluster: that TemporalCluster instead. `
      + `Bound to it, the fleet gets its TLS, its client certificate and a way through its NetworkPolicies${svc === cluster.frontend ? ''
        : ', and the public frontend, where an authorizer checks its calls (the internal frontend grants every caller cluster admin)'}.`];
  }
  const services = [...cluster.services.flatMap((svc) => [roleName(cluster.name, svc.role), svc.headlessServiceName]), ...(cluster.ui ? [uiName(cluster.name)] : [])];
  const other = services.find(isDialed);
  if (!other) return [];
  return [`frontend.address is ${address}, Service ${other} of ${ofCluster}, where no frontend serves gRPC at port ${port}; expected cluster: that TemporalCluster, `
    + `whose frontend ${roleName(cluster.name, cluster.frontend.role)} the workers then dial at its gRPC port ${cluster.frontend.ports.grpc}.`];
}

/** The domains of Temporal Cloud's endpoints: namespace and regional under tmprl.cloud, regional under api.temporal.io. */
const CLOUD_DOMAIN = /\.(tmprl\.cloud|api\.temporal\.io)\.?$/i;

export function externalConnection(inputs: ConnectionInputs, frontend: ExternalFrontend): FleetConnection {
  const { owner } = inputs;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(String(frontend.address));
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) throw propError(owner, 'frontend.address', frontend.address, 'host:port of the frontend\'s gRPC endpoint');
  const tls = frontend.tls ?? false;
  // From plain JS the string 'false' is truthy: it would turn TLS on.
  if (typeof tls !== 'boolean') throw propError(owner, 'frontend.tls', tls, 'true or false');
  // Temporal Cloud serves TLS only. TEMPORAL_TLS=false (which the fleet always writes) overrides the
  // SDKs' own rule that an API key turns TLS on, so the key would cross the Internet in the clear.
  const cloud = CLOUD_DOMAIN.exec(match[1]);
  if (cloud && !tls) {
    throw propError(owner, 'frontend.tls', frontend.tls, `true: ${frontend.address} is a Temporal Cloud endpoint (*.${cloud[1].toLowerCase()}), which serves TLS only`,
      `Without it the workers${inputs.apiKey ? ' would send their API key in plain text and' : ''} could never connect. Set frontend.tls: true.`);
  }
  if (cloud) checkCloudNamespace(owner, frontend.address, match[1], cloud[1], inputs.temporalNamespace);
  // Through PrivateLink the address is the VPC endpoint's, and the TLS server name the Cloud endpoint that Cloud routes by.
  const sni = !cloud && tls && typeof frontend.serverName === 'string' ? CLOUD_DOMAIN.exec(frontend.serverName) : null;
  if (sni) checkCloudNamespace(owner, `${frontend.address} (frontend.serverName ${frontend.serverName})`, frontend.serverName!, sni[1], inputs.temporalNamespace);
  if (!tls) {
    for (const [prop, value] of [['clientCertificate', inputs.clientCertificate], ['serverCa', inputs.serverCa], ['frontend.serverName', frontend.serverName]] as const) {
      if (value !== undefined) throw propError(owner, prop, 'set', 'no value without frontend.tls', 'Set frontend.tls: true, or drop it.');
    }
    if (inputs.apiKey && !optionalBoolean(owner, 'frontend.allowPlaintextApiKey', frontend.allowPlaintextApiKey, false)) {
      throw propError(owner, 'apiKey', inputs.apiKey.secretName, `no API key over plaintext: frontend ${frontend.address} is dialled without TLS`,
        'The key is a bearer token, and anything that reads the traffic can replay it. Set frontend.tls: true, '
        + 'or frontend.allowPlaintextApiKey: true where a service mesh encrypts the traffic.');
    }
  }
  const cert = inputs.clientCertificate;
  if (cert?._certManager && !cert._certManager.issuer) {
    throw propError(owner, 'clientCertificate', 'FleetClientCertificate.certManager() without an issuer', 'an issuer',
      'An external frontend has no issuer to borrow; name the one whose CA the frontend trusts.');
  }
  if (frontend.peers !== undefined) {
    requireNetworkPeers(owner, 'frontend.peers', frontend.peers, 'Leave it unset to allow any address on the port.');
  }
  const host = match[1];
  return {
    address: frontend.address,
    port,
    podPort: podPortOf(owner, frontend, port, cloud?.[1]),
    tls,
    // A name the certificate can carry: with a port, scheme or space it matches no certificate and every handshake fails.
    serverName: tls ? (frontend.serverName !== undefined ? requireHost(owner, 'frontend.serverName', requireNonEmpty(owner, 'frontend.serverName', frontend.serverName), 'frontend.address') : host.replace(/^\[|\]$/g, '')) : undefined,
    clientSecret: clientSecretOf(inputs.fleetName, cert),
    certificate: cert?._certManager && { issuer: cert._certManager.issuer!, duration: cert._certManager.duration, renewBefore: cert._certManager.renewBefore },
    serverCa: inputs.serverCa,
    apiKey: inputs.apiKey,
    externalPeers: frontend.peers,
    // No cluster's image to borrow: the default release's admin tools, as a cluster of this library runs them.
    checkImage: checkedOverride(owner, 'frontend.namespaceCheckImage', frontend.namespaceCheckImage ?? DEFAULT_CHECK_IMAGE, undefined, false),
  };
}

/**
 * Temporal Cloud knows a namespace by its ID, `<name>.<account id>` (lowercase, the name from a
 * letter to a letter or digit), in every call: a name without its account, or `default`, fails every
 * poll and KEDA's every backlog read. A namespace endpoint (`<namespace id>.tmprl.cloud`) serves its
 * own namespace only; a regional endpoint (`<region>.<cloud>.api.temporal.io`, or
 * `<cloud>-<region>.region.tmprl.cloud`) serves every namespace of its region.
 */
function checkCloudNamespace(owner: string, address: string, host: string, domain: string, namespace: string | undefined): void {
  const labels = domain.toLowerCase() === 'tmprl.cloud' ? host.toLowerCase().replace(/\.?$/, '').split('.').slice(0, -2) : [];
  const endpointOf = labels.length === 2 && labels[1] !== 'region' ? labels.join('.') : undefined;
  if (endpointOf !== undefined && namespace !== endpointOf) {
    throw propError(owner, 'temporalNamespace', namespace, `${endpointOf}, the Namespace ID of Temporal Cloud namespace endpoint ${address}`,
      'A namespace endpoint (<namespace id>.tmprl.cloud) serves that namespace only, and Temporal Cloud refuses every call for another. '
      + 'Set temporalNamespace to the ID the endpoint names, or dial the endpoint of the namespace the workers poll.');
  }
  if (namespace === undefined || !/^[a-z][a-z0-9-]*[a-z0-9]\.[a-z0-9]+$/.test(namespace)) {
    throw propError(owner, 'temporalNamespace', namespace, `a Temporal Cloud Namespace ID (<name>.<account id>, lowercase, e.g. orders.a1b2c): ${address} is a Temporal Cloud endpoint`,
      'Temporal Cloud knows namespaces by their ID in every call: a name without the account ID, or default, fails every poll. Copy the ID from the namespace\'s page in the Cloud UI.');
  }
}

/** The check image of a fleet of an external frontend, unless `frontend.namespaceCheckImage` names another. */
export const DEFAULT_CHECK_IMAGE = `temporalio/admin-tools:${TemporalVersion.DEFAULT}`;

/**
 * The port the fleet's egress rule names. A Service (its cluster IP, or a LoadBalancer's address,
 * which kube-proxy translates too inside the cluster) hands a connection to a pod on its targetPort
 * before any NetworkPolicy sees it, so a rule on the Service's port would drop it. The fleet cannot
 * read another app's Service: `frontend.targetPort` says where the pods listen when the two differ.
 */
function podPortOf(owner: string, frontend: ExternalFrontend, port: number, cloud: string | undefined): number {
  if (frontend.targetPort === undefined) return port;
  const targetPort = requirePort(owner, 'frontend.targetPort', frontend.targetPort);
  if (cloud) {
    throw propError(owner, 'frontend.targetPort', frontend.targetPort, `no value: ${frontend.address} is a Temporal Cloud endpoint (*.${cloud.toLowerCase()}), `
      + 'outside the cluster, which no Service translates', `Drop it: the egress rule then names port ${port} of frontend.address.`);
  }
  return targetPort;
}

export function clientSecretOf(fleetName: string, cert: FleetClientCertificate | undefined): FleetConnection['clientSecret'] {
  if (!cert) return undefined;
  if (cert._secret) return { name: cert._secret.secretName, certKey: cert._secret.certKey, keyKey: cert._secret.keyKey };
  return { name: `${fleetName}-client-tls`, certKey: 'tls.crt', keyKey: 'tls.key' };
}
