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

/**
 * Where a workload given an existing ServiceAccount by name (`sa`, an object of the app as written)
 * would run as one the library emits for another workload: that ServiceAccount's workload identity
 * (a cloud role for the database or the archival buckets) and pull secrets would be the workload's
 * too, which one ServiceAccount per kind of workload is there to prevent.
 */
export function borrowedServiceAccount(owner: string, serviceAccountName: string, sa: any, path: string): string[] {
  if (sa?.metadata?.name !== serviceAccountName || sa.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'cdk8s-temporal') return [];
  return [`${owner}: serviceAccountName is ${JSON.stringify(serviceAccountName)}, the ServiceAccount of ${path}; expected a ServiceAccount made for the workers. `
    + 'Its workload identity annotations (a cloud role for the database or the archival buckets) and pull secrets would be the workers\' too. '
    + 'Leave serviceAccountName unset for one of the fleet\'s own, or name a ServiceAccount of your own.'];
}
