import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IssuerKind } from './cert-manager-issuer';
import { ResolvedTls } from './tls';
import { ownValidation } from '../own-validation';

/*
 * ClusterTls.certManager names an issuer the library cannot see, unless the app makes it too: a
 * Certificate's issuerRef of kind Issuer finds an Issuer of the Certificate's namespace only, and
 * one of kind ClusterIssuer a ClusterIssuer only. An issuer of that name the app makes elsewhere (an
 * Issuer of another namespace, or of the other kind) proves nothing: the one the reference finds may
 * be made outside the app (another app, a Helm chart), so it is not refused. When the app makes the
 * one found, its kind of issuer is checked: an ACME one cannot prove a `.svc` name to a public CA (and writes no ca.crt), and a
 * selfSigned one makes each certificate its own ca.crt, so the frontends, which trust the CA in
 * the frontend's (or the internode) Secret, refuse the client certificates of the UI, the tools
 * and the Jobs.
 */

const CERT_MANAGER = 'cert-manager.io/';

/** Registers, on `cluster`, the check of the cert-manager issuers of the app against the cluster's issuer, once the app is complete. */
export function checkInAppIssuer(cluster: IConstruct, owner: string, tls: ResolvedTls | undefined, namespace: string): void {
  const issuer = tls?.issuer;
  if (!issuer || (issuer.group !== undefined && issuer.group !== 'cert-manager.io')) return;
  // A client's Certificate is one the issuer signs for client auth, beside the servers' and the system workers': the UI's, the tools', a Job's, a fleet's.
  // A CA it bootstraps (the selfSigned -> CA Certificate -> CA issuer pattern) and a serving certificate of another program are none.
  const servers = new Set([tls.internodeSecret, tls.frontendSecret, tls.systemWorkerSecret]);
  cluster.node.addValidation(ownValidation({
    validate: () => {
      const kind = issuer.kind ?? IssuerKind.ISSUER;
      // Only the issuer the reference finds: one of another kind, or an Issuer of another namespace, says
      // nothing of it, which may be made elsewhere (another app, a Helm chart, by hand).
      const target = cluster.node.root.node.findAll()
        .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === kind && c.apiVersion.startsWith(CERT_MANAGER))
        .map((c) => ({ object: c, json: c.toJson() }))
        .find(({ json }) => json.metadata?.name === issuer.name && (kind === IssuerKind.CLUSTER_ISSUER || (json.metadata?.namespace ?? 'default') === namespace));
      if (!target) return [];
      const spec = target.json.spec ?? {};
      const clientCertificates = cluster.node.root.node.findAll()
        .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Certificate' && c.apiVersion.startsWith(CERT_MANAGER))
        .map((c) => c.toJson())
        .filter((json) => json.spec?.issuerRef?.name === issuer.name && (json.spec.issuerRef.kind ?? IssuerKind.ISSUER) === kind
          && (kind === IssuerKind.CLUSTER_ISSUER || (json.metadata?.namespace ?? 'default') === namespace) && !servers.has(json.spec.secretName)
          && json.spec.isCA !== true && Array.isArray(json.spec.usages) && json.spec.usages.some((u: unknown) => u === 'client auth' || u === 'any'))
        .map((json) => json.metadata?.name as string);
      if (spec.acme !== undefined) {
        return [`${owner}: tls.issuer ${issuer.name} is an ACME ${target.object.kind} (${target.object.node.path}); expected a CA, Vault or other private CA issuer. `
          + 'A public ACME CA issues no certificate for a cluster-internal name (the frontend\'s and the internode .svc names), and writes no ca.crt, which every pod mounts: '
          + 'the Certificates never become ready. Give the cluster an issuer of a private CA (kind CA or Vault), and serve public names from an Ingress or load balancer certificate.'];
      }
      if (spec.selfSigned !== undefined && clientCertificates.length > 0) {
        return [`${owner}: tls.issuer ${issuer.name} is a selfSigned ${target.object.kind} (${target.object.node.path}); expected one CA that signs every certificate of the cluster, `
          + `since it signs client certificates (${clientCertificates.join(', ')}). A self-signed certificate is its own ca.crt, so the frontend, which trusts the CA in its own `
          + 'Secret (the internal frontend: in the internode Secret), refuses each of them, as do the frontends the fleets dial. Make a CA issuer (spec.ca with a CA certificate the selfSigned issuer signs) and name it.'];
      }
      return [];
    },
  }));
}
