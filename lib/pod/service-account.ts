import { Construct } from 'constructs';
import { KubeServiceAccount } from '../../imports/k8s';
import { checkAnnotations, propError, requireDns1123Subdomain } from '../validation';

/** A pod's ServiceAccount: its own per kind of workload, so an identity given to one is not shared. */
export interface ServiceAccountOptions {
  /**
   * Annotations, for workload identity (EKS IRSA, GKE Workload Identity): the servers' to reach
   * S3 or GCS archival buckets or a cloud database, the Jobs' for a database with IAM authentication.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/**
 * A ServiceAccount whose token is never mounted: nothing the library runs talks to the Kubernetes
 * API, so a compromised pod gets no credentials for it.
 */
export function emitServiceAccount(scope: Construct, id: string, metadata: { name: string; namespace: string; labels: Record<string, string> },
  options: ServiceAccountOptions | undefined): KubeServiceAccount {
  return new KubeServiceAccount(scope, id, {
    metadata: { ...metadata, annotations: checkAnnotations(`ServiceAccount '${metadata.name}'`, 'serviceAccount.annotations', options?.annotations) },
    automountServiceAccountToken: false,
  });
}

/** `imagePullSecrets` of a pod spec: the Secrets' names as references, or nothing. */
export function pullSecretRefs(names: readonly string[]): Array<{ name: string }> | undefined {
  return names.length > 0 ? names.map((name) => ({ name })) : undefined;
}

/**
 * The names of `imagePullSecrets`, checked: Secret names, each once. The API server keys a pod's
 * imagePullSecrets by name, and server-side apply refuses a pod that lists one twice.
 */
export function checkPullSecrets(owner: string, names: readonly string[] | undefined): string[] {
  const checked = (names ?? []).map((name, i) => requireDns1123Subdomain(owner, `imagePullSecrets[${i}]`, name));
  checked.forEach((name, i) => {
    const first = checked.indexOf(name);
    if (first !== i) {
      throw propError(owner, `imagePullSecrets[${i}]`, name, `a Secret not listed already; imagePullSecrets[${first}] is "${name}" too`,
        'Kubernetes refuses a pod that lists a pull Secret twice; remove the repeat.');
    }
  });
  return checked;
}
