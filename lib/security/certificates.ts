import { Construct } from 'constructs';
import { issuerRef } from './cert-manager-issuer';
import { checkInAppIssuer } from './in-app-issuer';
import { checkInAppTlsObjects } from './in-app-tls';
import { ResolvedTls } from './tls';
import {
  Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy,
} from '../../imports/cert-manager.io_certificates';
import { goDuration } from '../config/go-duration';

/** The cert-manager Certificates behind TLS, when cert-manager issues them. */
export function emitCertificates(scope: Construct & { readonly name: string; readonly internodeServerName: string; readonly frontendFqdn: string },
  tls: ResolvedTls | undefined, namespace: string, labels: Record<string, string>): Certificate[] {
  // Secrets named with fromSecrets may be filled by objects of the app: those are checked once it is complete.
  checkInAppTlsObjects(scope, `TemporalCluster '${scope.name}'`, tls, namespace, scope);
  // cert-manager's issuer may be made by the app too: a reference that finds it not is known then.
  checkInAppIssuer(scope, `TemporalCluster '${scope.name}'`, tls, namespace);
  if (!tls?.issuer) return [];
  return tls.certificates.map((cert) => new Certificate(scope, `Certificate${cert.id}`, {
    metadata: { name: cert.name, namespace, labels },
    spec: {
      secretName: cert.secretName,
      commonName: cert.commonName,
      dnsNames: cert.dnsNames,
      usages: cert.usages,
      duration: goDuration(tls.duration!),
      renewBefore: goDuration(tls.renewBefore!),
      privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
      issuerRef: issuerRef(tls.issuer!),
    },
  }));
}
