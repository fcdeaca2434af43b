import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeValidatingAdmissionPolicy, KubeValidatingAdmissionPolicyBinding } from '../../imports/k8s';
import { propError, plainProps } from '../validation';

/** The annotation that lets an operator delete a cluster's pinned ConfigMap on purpose. */
export const BREAK_GLASS_ANNOTATION = 'temporal.io/break-glass';

/** How the admission policies guard a cluster's pinned values. */
export interface PinnedValuesProtection {
  /**
   * Groups (as the API server authenticates them) whose members may delete the pinned ConfigMap
   * once it is annotated for break-glass. Anyone else is denied even with the annotation.
   * @default - anyone allowed to delete ConfigMaps in the namespace, once the annotation is set
   */
  readonly breakGlassGroups?: string[];
}

export interface PinnedValuesGuardProps extends PinnedValuesProtection {
  /** Namespace of the pinned ConfigMap. */
  readonly namespace: string;
  /** Name of the pinned ConfigMap. */
  readonly configMapName: string;
  /** Labels of the policies and bindings. */
  readonly labels: Record<string, string>;
  /** Labels of the cluster's Deployments, whose pinned env the second policy guards. */
  readonly deploymentSelector: Record<string, string>;
  /** The env vars the servers read pinned values from, and the pinned ConfigMap key of each. */
  readonly pinnedEnv: Record<string, string>;
}

/**
 * Two ValidatingAdmissionPolicies around the pinned values (history shard count, failover
 * increment, cluster name). The pinned ConfigMap is immutable, so `kubectl apply` cannot change a
 * value; these close the two remaining ways around it:
 * - deleting and recreating the ConfigMap (which `kubectl apply --force` does): denied unless it
 *   carries `temporal.io/break-glass: "true"`, and, when `breakGlassGroups` is set, the request
 *   comes from a member of one of them;
 * - a Deployment of the cluster whose container sets a pinned env var other than from the pinned
 *   ConfigMap (a literal, another ConfigMap): denied on create and update.
 * Needs Kubernetes 1.30 or newer (admissionregistration.k8s.io/v1).
 */
export class PinnedValuesGuard extends Construct {
  /** CEL run on DELETE without break-glass groups: the request is allowed only when this is true. */
  public static readonly EXPRESSION = PinnedValuesGuard.deleteExpression([]);

  /** The CEL run on DELETE of the pinned ConfigMap, for the given break-glass groups. */
  public static deleteExpression(groups: readonly string[]): string {
    const annotated = `has(oldObject.metadata.annotations) && '${BREAK_GLASS_ANNOTATION}' in oldObject.metadata.annotations `
      + `&& oldObject.metadata.annotations['${BREAK_GLASS_ANNOTATION}'] == 'true'`;
    return groups.length === 0 ? annotated : `${annotated} && request.userInfo.groups.exists(g, g in ${celList(groups)})`;
  }

  /** The CEL run on CREATE and UPDATE of the cluster's Deployments. */
  public static envExpression(configMapName: string, pinnedEnv: Record<string, string>): string {
    const names = Object.keys(pinnedEnv).sort();
    const keys = `{${names.map((n) => `'${n}': '${pinnedEnv[n]}'`).join(', ')}}`;
    return `object.spec.template.spec.containers.all(c, !has(c.env) || c.env.all(e, !(e.name in ${celList(names)}) || `
      + `(has(e.valueFrom) && has(e.valueFrom.configMapKeyRef) && e.valueFrom.configMapKeyRef.name == '${configMapName}' `
      + `&& e.valueFrom.configMapKeyRef.key == ${keys}[e.name])))`;
  }

  public readonly policyName: string;
  public readonly envPolicyName: string;

  constructor(scope: Construct, id: string, props: PinnedValuesGuardProps) {
    super(scope, id);
    props = plainProps(`PinnedValuesGuard '${id}'`, props);
    const groups = [...(props.breakGlassGroups ?? [])];
    groups.forEach((g, i) => {
      if (typeof g !== 'string' || g.length === 0 || /['\\\n]/.test(g)) {
        throw propError(`protectPinnedValues of ConfigMap ${props.configMapName}`, `breakGlassGroups[${i}]`, g, 'a group name without quotes, backslashes or line breaks');
      }
    });
    if (props.breakGlassGroups !== undefined && groups.length === 0) {
      throw propError(`protectPinnedValues of ConfigMap ${props.configMapName}`, 'breakGlassGroups', [], 'at least one group, or no breakGlassGroups at all',
        'An empty list would let nobody break glass; leave it unset to let the annotation alone decide.');
    }
    const what = '(history shard count, cluster name, failover increment)';
    // Cluster-scoped names: the namespace keeps two clusters of the same name apart.
    this.policyName = `${props.namespace}-${props.configMapName}-guard`;
    this.envPolicyName = `${props.namespace}-${props.configMapName}-env-guard`;
    const deletePolicy = new KubeValidatingAdmissionPolicy(this, 'Resource', {
      metadata: { name: this.policyName, labels: props.labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['configmaps'], resourceNames: [props.configMapName] }],
        },
        validations: [{
          expression: PinnedValuesGuard.deleteExpression(groups),
          message: `${props.namespace}/${props.configMapName} pins values a Temporal cluster can never change ${what}. Deleting it is how they `
            + `would change. Annotate it ${BREAK_GLASS_ANNOTATION}="true" first${groups.length ? `, as a member of ${groups.join(' or ')},` : ''} `
            + 'if you are retiring the cluster and its databases.',
          reason: 'Forbidden',
        }],
      },
    });
    const deleteBinding = new KubeValidatingAdmissionPolicyBinding(this, 'Binding', {
      metadata: { name: this.policyName, labels: props.labels },
      spec: {
        policyName: this.policyName,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } } },
      },
    });
    const envPolicy = new KubeValidatingAdmissionPolicy(this, 'EnvPolicy', {
      metadata: { name: this.envPolicyName, labels: props.labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }],
        },
        validations: [{
          expression: PinnedValuesGuard.envExpression(props.configMapName, props.pinnedEnv),
          message: `The servers of ${props.namespace}/${props.deploymentSelector['app.kubernetes.io/instance']} read the values a Temporal cluster can never `
            + `change ${what} from ConfigMap ${props.configMapName} only; a Deployment that sets ${Object.keys(props.pinnedEnv).sort().join(', ')} `
            + 'any other way is refused.',
          reason: 'Forbidden',
        }],
      },
    });
    const envBinding = new KubeValidatingAdmissionPolicyBinding(this, 'EnvBinding', {
      metadata: { name: this.envPolicyName, labels: props.labels },
      spec: {
        policyName: this.envPolicyName,
        validationActions: ['Deny'],
        matchResources: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } },
          objectSelector: { matchLabels: props.deploymentSelector },
        },
      },
    });
    // All four are cluster-scoped; cdk8s gives every object its chart's namespace, which the API
    // server would drop, leaving the output different from what is stored.
    [deletePolicy, deleteBinding, envPolicy, envBinding].forEach(withoutNamespace);
  }
}

function celList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}

/** Removes the chart's namespace from a cluster-scoped object. */
export function withoutNamespace(obj: ApiObject): void {
  if (obj.metadata.namespace) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}
