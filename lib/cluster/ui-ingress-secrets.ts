import type { Persistence } from '../persistence/persistence';
import { SecretRef } from '../persistence/secret-ref';
import { type ResolvedTls, tlsSecretNames } from '../security/tls';

/**
 * The Secrets a cluster reads, by what they hold, none of which its UI's Ingress may serve as the
 * host's certificate: the Ingress controller, often shared and in another namespace, would load it.
 * The TLS Secrets (a private key it would serve to the Internet), and each store's credentials and
 * TLS files (user, password, schema credentials, CA, client certificate and key).
 */
export function uiForbiddenSecrets(tls: ResolvedTls | undefined, persistence: Persistence): Map<string, string> {
  const named = tlsSecretNames(tls);
  for (const { role, store } of persistence.stores) {
    const refs = [store.user, store.password, store.schemaCredentials?.user, store.schemaCredentials?.password, ...store.tlsFiles.map((file) => file.ref)];
    for (const ref of refs) if (ref instanceof SecretRef && !named.has(ref.secretName)) named.set(ref.secretName, `${role} store's credentials`);
  }
  return named;
}
