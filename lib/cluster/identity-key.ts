/* Which object of the Kubernetes cluster a manifest is, by what it writes: imports nothing, so the output check and the registry both read it. */

/*
 * Kinds the API server keeps outside namespaces: one name each in the whole Kubernetes cluster, so
 * clusters in two namespaces collide on them too (the pinned-values policies are named
 * <namespace>-<name>-pinned-guard: namespace a-b with name c and namespace a with name b-c).
 */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ClusterIssuer', 'PriorityClass', 'StorageClass',
  'CustomResourceDefinition', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/** Which object of the Kubernetes cluster a manifest is: its API group, kind, namespace (unless cluster-scoped) and name (cluster-registry's objectKey). */
export function identityKey({ apiVersion, kind, namespace, name }: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : 'core';
  return `${kind}.${group} ${CLUSTER_SCOPED.has(kind) ? '' : `${namespace ?? 'default'}/`}${name}`;
}
