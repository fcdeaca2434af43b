import { Construct } from 'constructs';
import { KubeServiceAccount } from '../../imports/k8s';
import { checkAnnotations } from '../validation';

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
