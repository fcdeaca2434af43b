import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeValidatingAdmissionPolicy, KubeValidatingAdmissionPolicyBinding } from '../../imports/k8s';

/** The annotation that lets an operator delete a cluster's pinned ConfigMap on purpose. */
export const BREAK_GLASS_ANNOTATION = 'temporal.io/break-glass';

export interface PinnedValuesGuardProps {
  /** Namespace of the pinned ConfigMap. */
  readonly namespace: string;
  /** Name of the pinned ConfigMap. */
  readonly configMapName: string;
  /** Labels of the policy and binding. */
  readonly labels: Record<string, string>;
}

/**
 * Denies DELETE of a cluster's pinned ConfigMap unless it carries `temporal.io/break-glass: "true"`.
 * The ConfigMap is immutable, so `kubectl apply` cannot change a pinned value; this closes the
 * remaining way around it, deleting and recreating the ConfigMap (which `kubectl apply --force`
 * does). Needs Kubernetes 1.30 or newer (admissionregistration.k8s.io/v1).
 */
export class PinnedValuesGuard extends Construct {
  /** CEL run on DELETE: the request is allowed only when this is true. */
  public static readonly EXPRESSION = `has(oldObject.metadata.annotations) && '${BREAK_GLASS_ANNOTATION}' in oldObject.metadata.annotations `
    + `&& oldObject.metadata.annotations['${BREAK_GLASS_ANNOTATION}'] == 'true'`;

  public readonly policyName: string;

  constructor(scope: Construct, id: string, props: PinnedValuesGuardProps) {
    super(scope, id);
    // Cluster-scoped names: the namespace keeps two clusters of the same name apart.
    this.policyName = `${props.namespace}-${props.configMapName}-guard`;
    const policy = new KubeValidatingAdmissionPolicy(this, 'Resource', {
      metadata: { name: this.policyName, labels: props.labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['DELETE'],
            resources: ['configmaps'],
            resourceNames: [props.configMapName],
          }],
        },
        validations: [{
          expression: PinnedValuesGuard.EXPRESSION,
          message: `${props.namespace}/${props.configMapName} pins values a Temporal cluster can never change (history shard count, `
            + `cluster name, failover increment). Deleting it is how they would change. Annotate it ${BREAK_GLASS_ANNOTATION}="true" `
            + 'first if you are retiring the cluster and its databases.',
          reason: 'Forbidden',
        }],
      },
    });
    const binding = new KubeValidatingAdmissionPolicyBinding(this, 'Binding', {
      metadata: { name: this.policyName, labels: props.labels },
      spec: {
        policyName: this.policyName,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } } },
      },
    });
    // Both are cluster-scoped; cdk8s gives every object its chart's namespace, which the API
    // server would drop, leaving the output different from what is stored.
    [policy, binding].forEach(withoutNamespace);
  }
}

/** Removes the chart's namespace from a cluster-scoped object. */
export function withoutNamespace(obj: ApiObject): void {
  if (obj.metadata.namespace) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}
