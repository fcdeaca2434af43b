import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeValidatingAdmissionPolicy, KubeValidatingAdmissionPolicyBinding } from '../../imports/k8s';
import { propError, plainProps } from '../validation';
import { DEFAULT_CONTROLLER_USERNAMES, guardWorkloads, knownReleaseCel, OWNER_KINDS, pinnedEnvCel, WORKLOAD_RELEASE, workloadImagesCel, workloadOfClusterCel, workloadVariables } from './workload-guard';
import { BREAK_GLASS_ANNOTATION, breakGlassCel, celString } from './guard-cel';
import { RECORD_VARIABLES, recordExpression, recordMessageExpression } from './release-record';

export { BREAK_GLASS_ANNOTATION } from './guard-cel';

/** How the admission policies guard a cluster's pinned values. */
export interface PinnedValuesProtection {
  /**
   * Groups (as the API server authenticates them) whose members may break glass: delete the pinned
   * ConfigMap, or step a Deployment or the release the pinned ConfigMap records out of order, once
   * the object is annotated for it. Anyone else is denied even with the annotation.
   * @default - anyone allowed to change the object, once the annotation is set
   */
  readonly breakGlassGroups?: string[];
  /**
   * The usernames (as the API server authenticates them) under which the cluster's controllers
   * create the objects of their kind: a Deployment's ReplicaSets, a ReplicaSet's pods, a CronJob's
   * Jobs. Such an object, with a controller reference to its owner, passes the release and image
   * rules as its owner did; the same object from anyone else is held to them, since anyone may
   * write an owner reference. A kind given here replaces its default; give the names your
   * distribution runs kube-controller-manager under when they differ.
   * @default - each kind's defaults (see ControllerUsernames)
   */
  readonly controllerUsernames?: ControllerUsernames;
}

/**
 * By owner kind, the usernames its controller creates the objects it owns under. Each defaults to
 * `system:kube-controller-manager` (the controller manager's own kubeconfig user, as kubeadm and
 * most distributions write it) and the controller's ServiceAccount in kube-system (its identity
 * with `--use-service-account-credentials`).
 */
export interface ControllerUsernames {
  /** Creates Deployments' ReplicaSets. @default - ['system:kube-controller-manager', 'system:serviceaccount:kube-system:deployment-controller'] */
  readonly deployment?: string[];
  /** Creates ReplicaSets' pods. @default - ['system:kube-controller-manager', 'system:serviceaccount:kube-system:replicaset-controller'] */
  readonly replicaSet?: string[];
  /** Creates StatefulSets' pods. @default - ['system:kube-controller-manager', 'system:serviceaccount:kube-system:statefulset-controller'] */
  readonly statefulSet?: string[];
  /** Creates DaemonSets' pods. @default - ['system:kube-controller-manager', 'system:serviceaccount:kube-system:daemon-set-controller'] */
  readonly daemonSet?: string[];
  /** Creates Jobs' pods. @default - ['system:kube-controller-manager', 'system:serviceaccount:kube-system:job-controller'] */
  readonly job?: string[];
  /** Creates CronJobs' Jobs. @default - ['system:kube-controller-manager', 'system:serviceaccount:kube-system:cronjob-controller'] */
  readonly cronJob?: string[];
}

export interface PinnedValuesGuardProps extends PinnedValuesProtection {
  /** Namespace of the pinned ConfigMap. */
  readonly namespace: string;
  /** Name of the pinned ConfigMap. */
  readonly configMapName: string;
  /** Labels of the policies and bindings. */
  readonly labels: Record<string, string>;
  /** Labels of the cluster's pods, whose pinned env, release and images the second policy guards (a Deployment's, a Pod's, ...). */
  readonly deploymentSelector: Record<string, string>;

  /** The env vars the servers read pinned values from, and the pinned ConfigMap key of each. */
  readonly pinnedEnv: Record<string, string>;

  /**
   * The cluster's server config ConfigMap. With `serverConfigFile` and `pinnedConfigLines`, a
   * third policy keeps its file reading each pinned value from its env var.
   * @default - the server config ConfigMap is not guarded
   */
  readonly serverConfigMapName?: string;
  /** The server config's key in that ConfigMap. @default - the server config ConfigMap is not guarded */
  readonly serverConfigFile?: string;
  /** By pinned key, the line of the server config (trimmed) that reads it from its env var. @default - the server config ConfigMap is not guarded */
  readonly pinnedConfigLines?: Record<string, string>;
}

/**
 * ValidatingAdmissionPolicies around the pinned values (history shard count, failover increment,
 * cluster name) and the cluster's release. The pinned ConfigMap is immutable, so `kubectl apply`
 * cannot change a value; these close the remaining ways around it, and around one-minor upgrades:
 * - deleting and recreating the ConfigMap (which `kubectl apply --force` does): denied unless it
 *   carries `temporal.io/break-glass: "true"`, and, when `breakGlassGroups` is set, the request
 *   comes from a member of one of them;
 * - a workload of the cluster (a Deployment, Pod, ReplicaSet, StatefulSet, DaemonSet, Job or
 *   CronJob whose pods carry its labels or use its ConfigMaps; lib/security/workload-guard.ts)
 *   whose container sets a pinned env var other than from the pinned ConfigMap (a literal,
 *   another ConfigMap): denied on create and update;
 * - an update of a Deployment of the cluster to a release more than one minor ahead of the one it
 *   runs, or to an earlier minor, or that drops the release label. The lock refuses such a step
 *   at synth, but it records the last synth, not what the cluster runs: two synths between
 *   applies, a stale `dist/` or another lock file would skip a minor unseen. The rule is the same
 *   text for every release (a policy that changed with the release would race the Deployments it
 *   guards in one apply); break-glass on the Deployment, naming the tag of an image it runs once
 *   changed, lets an operator through;
 * - the same for a Deployment created (after `kubectl delete deployment`, `kubectl apply --force`,
 *   Argo CD's Replace, a delete of every Deployment in the namespace), against the cluster's release
 *   record: the pinned ConfigMap's `app.kubernetes.io/version` label, which the workload policy
 *   reads as its param (a binding's paramRef; `parameterNotFoundAction: Deny`); the same rules for
 *   the cluster's other workloads, those its controllers create aside. An update of that
 *   label is held to the same step (one minor up at most, never down), break-glass on the
 *   ConfigMap naming the release it records once changed; see lib/security/release-record.ts.
 * Needs Kubernetes 1.30 or newer (admissionregistration.k8s.io/v1).
 */
export class PinnedValuesGuard extends Construct {
  /** CEL run on DELETE without break-glass groups: the request is allowed only when this is true. */
  public static readonly EXPRESSION = PinnedValuesGuard.deleteExpression([]);

  /** The CEL run on DELETE of the pinned ConfigMap, for the given break-glass groups. */
  public static deleteExpression(groups: readonly string[]): string {
    return breakGlassCel('oldObject', groups);
  }

  /**
   * Which objects the workload policy holds (its variable `isClusters`, written on `object` alone):
   * the object's pods (a Deployment's pod template, a Pod, a CronJob's job template's pod template,
   * ...) carry every label of `selector`, or use one of `configMaps` (the cluster's pinned and server
   * config ConfigMaps), which kustomize's commonLabels, rewriting the instance in pod templates and
   * selectors, leaves alone.
   */
  public static workloadExpression(selector: Record<string, string>, configMaps: readonly string[]): string {
    return workloadOfClusterCel(selector, configMaps);
  }

  /**
   * The env rule, on CREATE and UPDATE of the cluster's workloads (pinnedEnvCel). `containers`:
   * where the object keeps them (the workload policy reads any kind's pods, at `variables.envContainers`, init containers included).
   */
  public static envExpression(configMapName: string, pinnedEnv: Record<string, string>, containers = 'object.spec.template.spec.containers'): string {
    return pinnedEnvCel(configMapName, pinnedEnv, containers);
  }

  /** The CEL variables of the record rule: the pinned ConfigMap's release label before and after the update. */
  public static readonly RECORD_VARIABLES = [...RECORD_VARIABLES];

  /**
   * The record rule, on UPDATE of the pinned ConfigMap, for the given break-glass groups: its
   * release label (the cluster's release record) moves one minor up at most and never down;
   * break-glass names the release it records once changed.
   */
  public static recordExpression(groups: readonly string[]): string {
    return recordExpression(groups);
  }

  /**
   * The CEL variables of the workload policy, for the given break-glass groups, in the order the
   * API server evaluates them (a variable reads only those before it): the pods, whether the new
   * and the old pods carry `selector`'s labels and whether they use one of `configMaps` (the cluster's
   * pinned and server config ConfigMaps), each tested once for both, whether
   * the object is the cluster's (its pods carry `selector`'s labels or use those ConfigMaps: every
   * rule lets any other object through) and the old object was (an update that leaves the containers
   * alone passes as before only then), the releases,
   * the exemptions (an object created with a controller reference by the controller of its owner's
   * kind, one of `controllerUsernames` by kind, passes as its owner did), the ephemeral containers,
   * the images, `breakGlass` (the object is annotated for break-glass naming the tag
   * or digest of an image it runs, by a member of `groups` when given), which both the release and
   * the image rule test, and `breakGlassHint`, the end of both rules' messages: how to override
   * them on purpose, and `subject`, the start of every rule's message (the object's kind and name,
   * of the Temporal cluster `cluster`, as `namespace/name`). Each is written once in the policy
   * instead of once per rule.
   */
  public static workloadVariables(groups: readonly string[], controllerUsernames: Record<string, readonly string[]> = DEFAULT_CONTROLLER_USERNAMES,
    configMaps: readonly string[] = [], selector: Record<string, string> = {}, cluster = ''): { name: string; expression: string }[] {
    return workloadVariables(groups, controllerUsernames, configMaps, selector, cluster).map((v) => ({ ...v }));
  }

  /**
   * The image rule, on CREATE and UPDATE of the cluster's workloads: every release a container
   * image's tag or path names, read as the synth check reads it (RELEASE_IN_TAG, in any case: `1.30.9`,
   * `v1.30-patched`, `myorg.1.30.9`, `patched-1.30.9.2`, `1_30_9`, `v1-30-9`, `server-1.30.9:fips`), is of the minor of the object's release
   * label. The release rule reads the label only, so `kubectl set image ... temporal=temporalio/server:1.32.2`
   * on a Deployment labelled 1.30.9 would skip a minor with the label unchanged. Past the tag's start,
   * a version of another major (`debian-12.5`, `ubuntu-22.04.3`) is another program's, as are tctl's and the Temporal CLI's in an official admin-tools tag
   * (`1.32.2-tctl-1.18.4-cli-1.4.1`). `find` and `findAll` are Kubernetes' regex library. The UI,
   * whose image is another product's release, is left out (a Deployment by its selector, which
   * cannot change) while its pods use none of the cluster's pinned and server config ConfigMaps
   * (the variable `usesConfigMaps`: a server needs them and the UI never reads them, and anyone writes
   * a new pod's labels), and so is break-glass. It reads the policy's variables (workloadVariables).
   */
  public static imageExpression(): string {
    return workloadImagesCel();
  }

  /**
   * The known-release rule, on CREATE and UPDATE of the cluster's workloads (knownReleaseCel): an
   * update that changes what runs steps from a release the object had as a workload of the cluster
   * (the variable `wasClusters`), and a Deployment's pods
   * are labelled its release. It reads the policy's variables (workloadVariables).
   */
  public static knownReleaseExpression(): string {
    return knownReleaseCel();
  }

  /**
   * The CEL run on CREATE and UPDATE of the server config ConfigMap: of its file's lines (trimmed),
   * the only one that sets each pinned key is the one that reads it from its env var (`lines`). The
   * pinned ConfigMap and the env guard hold the env var in place, but the mutable config could stop
   * reading it: a `numHistoryShards: 4` pasted from a Temporal sample config (or a `kubectl edit`)
   * would start the next pods on another shard count, unseen by both. The lines are the same for
   * every cluster and release; a library change to one of them must keep the old one valid for an
   * apply, or the ConfigMap would meet the old policy first and be refused until the next apply.
   */
  public static configExpression(file: string, lines: Record<string, string>): string {
    // Every line that sets the key, but for a comment, is the one line that reads it from env: a key
    // in single or double quotes, a space or tab before the colon, or flow style (`persistence: {numHistoryShards: 4}`)
    // sets it as well as the block style of a sample config does.
    const rules = Object.keys(lines).sort().map((k) => `lines.filter(l, l.matches(${celString(pinnedKeyPattern(k))})) `
      + `== [${celString(lines[k])}]`);
    return `has(object.data) && ${celString(file)} in object.data && [object.data[${celString(file)}].split('\\n').map(l, l.trim()).filter(l, !l.startsWith('#'))].all(lines, ${rules.join(' && ')})`;
  }

  /**
   * The release rule, on CREATE and UPDATE of the cluster's workloads: one minor up at most, never
   * down, from the release the object runs (a Deployment's own label, any other kind's pods') or,
   * for a new one, the release the cluster's record holds, break-glass aside; the objects the
   * cluster's controllers create from an admitted owner, and updates that change nothing that runs,
   * aside (not a Deployment's). It reads the policy's variables (workloadVariables).
   */
  public static releaseExpression(): string {
    return WORKLOAD_RELEASE;
  }

  public readonly policyName: string;
  /**
   * The policy that holds the cluster's workloads (Deployments, Pods, ReplicaSets, StatefulSets,
   * DaemonSets, Jobs, CronJobs) to the env, release and image rules. Its name is the one the
   * Deployment policy had, so an apply replaces that in place.
   */
  public readonly envPolicyName: string;
  /** The policy that guards the server config ConfigMap, when there is one. */
  public readonly configPolicyName?: string;

  constructor(scope: Construct, id: string, props: PinnedValuesGuardProps) {
    super(scope, id);
    props = plainProps(`PinnedValuesGuard '${id}'`, props, 'PinnedValuesGuardProps');
    // A single group as text was spread into its characters, each one a group.
    if (props.breakGlassGroups !== undefined && !Array.isArray(props.breakGlassGroups)) {
      throw propError(`protectPinnedValues of ConfigMap ${props.configMapName}`, 'breakGlassGroups', props.breakGlassGroups, 'a list of group names',
        'Give a list, even of one group: breakGlassGroups: [\'platform-admins\'].');
    }
    const groups = [...(props.breakGlassGroups ?? [])];
    groups.forEach((g, i) => {
      // Any text: the expressions hold each group as an escaped CEL string (celString).
      if (typeof g !== 'string' || g.length === 0) {
        throw propError(`protectPinnedValues of ConfigMap ${props.configMapName}`, `breakGlassGroups[${i}]`, g, 'a group name, as the API server authenticates it');
      }
    });
    if (props.breakGlassGroups !== undefined && groups.length === 0) {
      throw propError(`protectPinnedValues of ConfigMap ${props.configMapName}`, 'breakGlassGroups', [], 'at least one group, or no breakGlassGroups at all',
        'An empty list would let nobody break glass; leave it unset to let the annotation alone decide.');
    }
    const controllers = controllerUsernames(props);
    const what = '(history shard count, cluster name, failover increment)';
    // Cluster-scoped names: the namespace keeps two clusters of the same name apart.
    this.policyName = `${props.namespace}-${props.configMapName}-guard`;
    this.envPolicyName = `${props.namespace}-${props.configMapName}-env-guard`;
    const { serverConfigMapName: configName, serverConfigFile: configFile, pinnedConfigLines: configLines } = props;
    const config = configName !== undefined && configFile !== undefined && configLines !== undefined
      ? { name: configName, file: configFile, lines: configLines, policyName: `${props.namespace}-${props.configMapName}-config-guard` } : undefined;
    this.configPolicyName = config?.policyName;
    const deletePolicy = new KubeValidatingAdmissionPolicy(this, 'Resource', {
      metadata: { name: this.policyName, labels: props.labels },
      spec: {
        failurePolicy: 'Fail',
        // The name in a match condition, not in resourceNames: a delete of the collection (one DELETE of
        // /configmaps, as the namespace controller and client-go's DeleteCollection send it) is admitted
        // item by item without a request name, which resourceNames never matches: it deleted the
        // ConfigMap without break-glass. On UPDATE the record rule guards its release label.
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE', 'DELETE'], resources: ['configmaps'] }],
        },
        matchConditions: [{ name: 'pinned-configmap', expression: `oldObject.metadata.name == ${celString(props.configMapName)}` }],
        validations: [{
          expression: `request.operation == 'UPDATE' || ${PinnedValuesGuard.deleteExpression(groups)}`,
          message: `${props.namespace}/${props.configMapName} pins values a Temporal cluster can never change ${what}. Deleting it is how they `
            + `would change. Annotate it ${BREAK_GLASS_ANNOTATION}="true" first${groups.length ? `, as a member of ${groups.join(' or ')},` : ''} `
            + 'if you are retiring the cluster and its databases.',
          reason: 'Forbidden',
        }, {
          expression: PinnedValuesGuard.recordExpression(groups),
          messageExpression: recordMessageExpression(props.configMapName, `${props.namespace}/${props.deploymentSelector['app.kubernetes.io/instance']}`, groups),
          reason: 'Forbidden',
        }],
        variables: RECORD_VARIABLES.map((v) => ({ ...v })),
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
    // The ConfigMaps only this cluster's server pods use: a pod that does is the cluster's, whatever its labels.
    const clusterConfigMaps = [props.configMapName, ...(configName !== undefined ? [configName] : [])];
    // Every workload whose pods would carry the cluster's labels, Deployments too (lib/security/workload-guard.ts).
    const workloads = guardWorkloads(this, { policyName: this.envPolicyName, namespace: props.namespace, configMapName: props.configMapName, labels: props.labels,
      selector: props.deploymentSelector, groups, controllers, configMaps: clusterConfigMaps, pinnedEnv: props.pinnedEnv });
    // All are cluster-scoped; cdk8s gives every object its chart's namespace, which the API
    // server would drop, leaving the output different from what is stored.
    [deletePolicy, deleteBinding, ...workloads, ...(config ? this.guardServerConfig(props, config, what) : [])].forEach(withoutNamespace);
  }

  /** The policy and binding that keep the server config reading the pinned values from env, when the props name it. */
  private guardServerConfig(props: PinnedValuesGuardProps, { name, file, lines, policyName }: GuardedServerConfig, what: string): ApiObject[] {
    const policy = new KubeValidatingAdmissionPolicy(this, 'ConfigPolicy', {
      metadata: { name: policyName, labels: props.labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }],
        },
        matchConditions: [{ name: 'server-config', expression: `object.metadata.name == ${celString(name)}` }],
        validations: [{
          expression: PinnedValuesGuard.configExpression(file, lines),
          message: `The servers of ${props.namespace}/${props.deploymentSelector['app.kubernetes.io/instance']} read the values a Temporal cluster can never change ${what} `
            + `from ConfigMap ${props.configMapName} only: ${file} of ConfigMap ${name} must set each once, from its env var, as cdk8s-temporal writes it.`,
          reason: 'Forbidden',
        }],
      },
    });
    const binding = new KubeValidatingAdmissionPolicyBinding(this, 'ConfigBinding', {
      metadata: { name: policyName, labels: props.labels },
      spec: { policyName, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } } } },
    });
    return [policy, binding];
  }
}

/** The controller usernames by owner kind: the defaults, with the kinds `controllerUsernames` names replaced, once checked. */
function controllerUsernames(props: PinnedValuesGuardProps): Record<string, string[]> {
  const owner = `protectPinnedValues of ConfigMap ${props.configMapName}`;
  const given = props.controllerUsernames as Record<string, unknown> | undefined;
  if (given === undefined) return DEFAULT_CONTROLLER_USERNAMES;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw propError(owner, 'controllerUsernames', given, 'an object of username lists by owner kind, such as { replicaSet: [...] }');
  }
  const byKind: Record<string, string[]> = { ...DEFAULT_CONTROLLER_USERNAMES };
  for (const kind of OWNER_KINDS) {
    const prop = `${kind[0].toLowerCase()}${kind.slice(1)}`;
    const users = given[prop];
    if (users === undefined) continue;
    // An empty list would hold the kind's controller to the rules at every create (its pods denied);
    // a name with spaces around it never equals the authenticated one.
    if (!Array.isArray(users) || users.length === 0 || users.some((u) => typeof u !== 'string' || u.length === 0 || u.trim() !== u)) {
      throw propError(owner, `controllerUsernames.${prop}`, users, 'a list of at least one username, as the API server authenticates the controller, without spaces around it',
        `Leave ${prop} out for its default: ${DEFAULT_CONTROLLER_USERNAMES[kind].join(', ')}.`);
    }
    byKind[kind] = [...users];
  }
  return byKind;
}

/** The server config the third policy guards, once the props name all of it. */
interface GuardedServerConfig {
  readonly name: string;
  readonly file: string;
  readonly lines: NonNullable<PinnedValuesGuardProps['pinnedConfigLines']>;
  readonly policyName: string;
}

/**
 * An RE2 (and JavaScript) pattern for a server config line, trimmed, that sets the pinned `key`: the
 * key as a whole word, in quotes or not, then a colon, in block or flow style, after spaces or tabs
 * (the server's YAML reader, gopkg.in/yaml.v3, reads `numHistoryShards<TAB>: 4` as the key).
 */
export function pinnedKeyPattern(key: string): string {
  return `(^|[^A-Za-z0-9_])["']?${key}["']?[ \\t]*:`;
}

/** Removes the chart's namespace from a cluster-scoped object. */
export function withoutNamespace(obj: ApiObject): void {
  if (obj.metadata.namespace) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}
