import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeValidatingAdmissionPolicy, KubeValidatingAdmissionPolicyBinding } from '../../imports/k8s';
import { imageNamesCel, namesOnlyMinorCel } from './image-release-cel';
import { BREAK_GLASS_HINT_VARIABLE, BREAK_GLASS_VARIABLE, breakGlassHintCel, celList, celString, podBreakGlassCel, RELEASE_LABEL } from './guard-cel';
import { RECORD_PARAM_KIND, recordParamRef, releaseStepCel } from './release-record';

/*
 * The cluster's workloads. A pod joins the cluster by its labels, whatever made it: a Deployment,
 * a bare Pod, a ReplicaSet, StatefulSet, DaemonSet, Job or CronJob whose pods carry the cluster's
 * app.kubernetes.io/instance and name (a copy of a server pod to debug, a StatefulSet written from
 * a Helm chart's values) with TEMPORAL_NUM_HISTORY_SHARDS=4 joined the ring on another shard count,
 * and one labelled two minors ahead ran that release beside the cluster's. One policy holds them
 * all to the same rules: the pinned env, the release step from the record, images that name the
 * labelled minor; one policy instead of one for Deployments and one for the rest, so that each
 * piece of CEL is written once. A Deployment keeps what is its own: its release is its own
 * label (the one the manifests' version writes), the UI's is known by its selector (which cannot
 * change), and it has no exemption. The pods the cluster's own controllers create (a Deployment's
 * ReplicaSets and their pods, a Job's pods) pass as their owner did: their owner was held to the
 * same rules, and break-glass on the owner, which they do not carry, must not stop them.
 */

/**
 * The kinds whose pods the policy guards: one rule, whose groups and resources match as every pair
 * of them (a pair that names no resource, apps/jobs, matches nothing), shorter than one per group.
 * And a pod's ephemeral containers (`kubectl debug`), which an UPDATE of their own subresource adds.
 */
export const GUARDED_WORKLOADS = { apiGroups: ['', 'apps', 'batch'], resources: ['deployments', 'pods', 'pods/ephemeralcontainers', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] };

/**
 * CEL: `target`'s pod (its metadata and spec), whichever kind it is: the Pod itself, a CronJob's
 * job template's pod template, any other kind's pod template. `dyn` because one expression serves
 * every kind, each with its own schema: the type checker would find no `template` in a Pod.
 */
export const podCel = (target: string) => `(request.kind.kind == 'Pod' ? dyn(${target}) : request.kind.kind == 'CronJob' `
  + `? dyn(${target}).spec.jobTemplate.spec.template : dyn(${target}).spec.template)`;

/**
 * CEL: the containers of the pod spec `spec` that run a program of the image: its containers and
 * init containers. An init container is no less a process of the pod: one that runs the server
 * (or, with `restartPolicy: Always`, a sidecar that does) joins the ring with its own env, so each
 * rule that reads containers reads both.
 */
export const podContainersCel = (spec: string) => `${spec}.containers + (has(${spec}.initContainers) ? ${spec}.initContainers : [])`;

/**
 * CEL: the pod spec `spec` mounts one of `configMaps` (the cluster's server config, its pinned
 * ConfigMap) or reads an env var from one. Such a pod is the cluster's whatever its labels say:
 * kustomize's `commonLabels` (or `labels` with `includeTemplates`) rewrites app.kubernetes.io/instance
 * in pod templates and selectors alike, and a match on the labels alone then turned every rule off,
 * while ConfigMap references, which no label transformer touches, still name the cluster's.
 */
export function readsClusterConfigMapsCel(spec: string, configMaps: readonly string[]): string {
  // The names are written once, as the list `configMaps`, which each of the four tests reads.
  const names = 'configMaps';
  // A projected volume and envFrom use a ConfigMap as well: a pod that mounted the server config
  // through one, under labels of its own, was no pod of the cluster's and set a literal shard count.
  return `[${celList(configMaps)}].all(${names}, (has(${spec}.volumes) && ${spec}.volumes.exists(v, (has(v.configMap) && v.configMap.name in ${names}) || (has(v.projected) && has(v.projected.sources) `
    + `&& v.projected.sources.exists(s, has(s.configMap) && s.configMap.name in ${names})))) || (${podContainersCel(spec)}).exists(c, `
    + `${envFromConfigMapsCel('c', names)} || (has(c.envFrom) && c.envFrom.exists(f, has(f.configMapRef) && f.configMapRef.name in ${names}))))`;
}

/**
 * The test of the policy's `isClusters` on `object` alone: its pods carry every label of `selector`,
 * or use the cluster's `configMaps` (readsClusterConfigMapsCel). The policy reads its variables
 * instead: as a match condition this wrote podCel out again, since the API server refuses a policy
 * whose match condition reads `variables` (compilation failed: undeclared reference to
 * 'variables'; tried on 1.37).
 */
export function workloadOfClusterCel(selector: Record<string, string>, configMaps: readonly string[]): string {
  return `[${podCel('object')}].all(t, ${carriesLabelsCel('t', selector)} || ${readsClusterConfigMapsCel('t.spec', configMaps)})`;
}

/** CEL: container `c` takes an env var from one of the ConfigMaps of the CEL list `names`. */
const envFromConfigMapsCel = (c: string, names: string) =>
  `(has(${c}.env) && ${c}.env.exists(e, has(e.valueFrom) && has(e.valueFrom.configMapKeyRef) && e.valueFrom.configMapKeyRef.name in ${names}))`;

/**
 * CEL: the pod `t` carries every label of `selector`. The selector is written as a map, `s`, so
 * that each key is written once rather than for the test that it is there and for its value.
 */
const carriesLabelsCel = (t: string, selector: Record<string, string>) => `(has(${t}.metadata) && has(${t}.metadata.labels) && `
  + `[{${Object.keys(selector).sort().map((k) => `${celString(k)}: ${celString(selector[k])}`).join(', ')}}].all(s, s.all(k, k in ${t}.metadata.labels && ${t}.metadata.labels[k] == s[k])))`;

/**
 * The env rule's CEL: every container at `containers` that sets a pinned env var takes it from the
 * pinned ConfigMap `configMapName`, at its key in `pinnedEnv`. A container with `envFrom` (a
 * ConfigMap or Secret of env vars) must also list every pinned name in `env`, which wins over
 * `envFrom`: with the `env` entries deleted, a ConfigMap holding TEMPORAL_NUM_HISTORY_SHARDS would
 * set the shard count while no `env` entry names it.
 */
export function pinnedEnvCel(configMapName: string, pinnedEnv: Record<string, string>, containers: string): string {
  const names = Object.keys(pinnedEnv).sort();
  // The pinned env vars and their keys are written once, as the map `p`: `in` and `all` read its keys.
  const keys = `{${names.map((n) => `'${n}': '${pinnedEnv[n]}'`).join(', ')}}`;
  return `[${keys}].all(p, ${containers}.all(c, (!has(c.env) || c.env.all(e, !(e.name in p) || `
    + `(has(e.valueFrom) && has(e.valueFrom.configMapKeyRef) && e.valueFrom.configMapKeyRef.name == '${configMapName}' `
    + `&& e.valueFrom.configMapKeyRef.key == p[e.name]))) `
    + `&& (!has(c.envFrom) || size(c.envFrom) == 0 || p.all(n, has(c.env) && c.env.exists(e, e.name == n)))))`;
}

/** The username kube-controller-manager runs its controllers under without `--use-service-account-credentials` (its kubeconfig's, as kubeadm and most distributions write it). */
export const CONTROLLER_MANAGER_USERNAME = 'system:kube-controller-manager';

/**
 * By guarded kind, the controller that creates the objects it owns (a Deployment's ReplicaSets, a
 * ReplicaSet's pods, a CronJob's Jobs, ...): the client names kube-controller-manager gives them
 * (cmd/kube-controller-manager/app/apps.go, batch.go: `NewClient("daemon-set-controller")`, ...),
 * each a ServiceAccount of kube-system with `--use-service-account-credentials`.
 */
const CONTROLLER_SERVICE_ACCOUNTS: Record<string, string> = {
  Deployment: 'deployment-controller', ReplicaSet: 'replicaset-controller', StatefulSet: 'statefulset-controller',
  DaemonSet: 'daemon-set-controller', Job: 'job-controller', CronJob: 'cronjob-controller',
};

/** The guarded kinds that own the pods (and ReplicaSets, Jobs) of the cluster's own workloads. */
export const OWNER_KINDS = Object.keys(CONTROLLER_SERVICE_ACCOUNTS);

/** By owner kind, the usernames its controller creates objects under: kube-controller-manager's own, or its ServiceAccount's. Frozen: its CEL, which every cluster without controllerUsernames writes, is built once (DEFAULT_OWNER_CONTROLLER_CEL). */
export const DEFAULT_CONTROLLER_USERNAMES: Record<string, string[]> = Object.freeze(Object.fromEntries(OWNER_KINDS.map((k) => [k,
  Object.freeze([CONTROLLER_MANAGER_USERNAME, `system:serviceaccount:kube-system:${CONTROLLER_SERVICE_ACCOUNTS[k]}`]) as string[]])));

/**
 * CEL: the request comes from the controller of owner kind `r.kind` (`controllers`, by kind). A
 * username every kind lists is written once, as a list; the rest as a map by kind.
 */
export function fromOwnerControllerCel(controllers: Record<string, readonly string[]>): string {
  const kinds = Object.keys(controllers).sort();
  const common = [...new Set(kinds.flatMap((k) => controllers[k]))].filter((u) => kinds.every((k) => controllers[k].includes(u))).sort();
  const own = kinds.map((k) => [k, controllers[k].filter((u) => !common.includes(u))] as const).filter(([, users]) => users.length > 0);
  const tests = [
    ...(common.length ? [`request.userInfo.username in ${celList(common)}`] : []),
    ...(own.length ? [`[{${own.map(([k, users]) => `${celString(k)}: ${celList(users)}`).join(', ')}}].exists(m, r.kind in m && request.userInfo.username in m[r.kind])`] : []),
  ];
  return `r.kind in ${celList(kinds)} && (${tests.join(' || ')})`;
}
const DEFAULT_OWNER_CONTROLLER_CEL = fromOwnerControllerCel(DEFAULT_CONTROLLER_USERNAMES);

/** The workload policy's variable that starts each rule's message: the object's kind and name, and the cluster's `namespace/name`. */
export const SUBJECT_VARIABLE = 'subject';

/**
 * The CEL variables of the workload policy, for the given break-glass groups, in the order the API
 * server evaluates them (a variable reads only those before it). `pods`: the object's pod and, on an
 * UPDATE, the old object's (podCel, written once for both), `pod`/`oldPod` each; `containers`: their containers and init containers (podContainersCel), which every
 * rule reads (an init container that ran the server with a literal shard count, or two minors
 * ahead, passed them all when they read `containers` alone). `deployment`: the object is a Deployment, whose release label is its own
 * (`released`/`oldReleased`: what carries the label, a Deployment or the pods of any other kind)
 * and which is never `asBefore`. `fromRelease`: the release it ran or, where it says none (a
 * CREATE, an object without the label), the record's (`params`, the pinned ConfigMap;
 * lib/security/release-record.ts); `toRelease`: the release it says; each split at the dots, or
 * an empty list. `podRelease`: the release label of its pods, split likewise. Each is read from
 * `releases`, which splits each label once (the object's or its pods', its pods', the old one's,
 * the record's): the record's only where the old object says none, as a split label is never empty. Each of `pods` is tested once for `selector`'s labels (`labelled`) and for one of
 * `configMaps` (`usesConfigMaps`). `isClusters`: its pods carry those labels or use those
 * ConfigMaps, a workload of the cluster, which every rule holds and lets any other object through;
 * `wasClusters`: an UPDATE of an object whose old pods did. `asBefore`: not a
 * Deployment, and it changes nothing of what runs (an UPDATE of an object that was the cluster's,
 * with the same containers and release: a scale, a finalizer the Job controller or the garbage
 * collector removes), or it is created, with a controller reference to an owner of a guarded kind,
 * by that kind's controller (`controllers`, by the request's username: anyone may write an owner
 * reference, naming one of the cluster's ReplicaSets or Jobs), from its owner's template (held to
 * the rules as its owner). `ephemeral`: the pod's ephemeral containers (`kubectl debug`, added by
 * an UPDATE of the pods/ephemeralcontainers subresource, which leaves `containers` alone);
 * `envContainers`: those the env rule checks, the ephemeral ones and, unless they are as they
 * were, the others. `imageTags`: the tag of each container's image (after the last ':' of its last
 * path component, before any digest), init containers' aside: their tags do not change with a
 * `kubectl set image` of the server, so break-glass left behind naming the old release matched
 * the admin-tools init container's and let a later skip through; `imageNames` (imageNamesCel); `imageNamesRun`: those the
 * image rule checks, the containers' unless `asBefore`, and an init container's (unless `asBefore`)
 * or ephemeral container's when its repository is one a container runs (the server's at another
 * minor; a busybox to debug with, a database proxy sidecar or the admin-tools schema wait names a
 * release of its own) or it reads env from one of `configMaps` (a server's pinned values: a sidecar
 * of another repository, `myorg/temporal:1.34.0`, ran the server two minors ahead). `breakGlass`: the
 * object is annotated for break-glass naming the tag or digest of an image it runs, by a member of
 * `groups` when given; `breakGlassHint`, the end of the release and image rules' messages: how to
 * override them on purpose. `subject`, the start of every rule's message: the object's kind and
 * name, of the Temporal cluster `cluster` (`namespace/name`), written once instead of in each message.
 */
export const workloadVariables = (groups: readonly string[], controllers: Record<string, readonly string[]> = DEFAULT_CONTROLLER_USERNAMES, configMaps: readonly string[] = [],
  selector: Record<string, string> = {}, cluster = '') => [
  // Where each kind keeps its pods, written once for the object and the old one.
  { name: 'pods', expression: `(oldObject == null ? [object] : [object, oldObject]).map(o, ${podCel('o')})` },
  { name: 'pod', expression: 'variables.pods[0]' },
  { name: 'oldPod', expression: 'oldObject == null ? null : variables.pods[1]' },
  { name: 'usesConfigMaps', expression: `variables.pods.map(t, ${readsClusterConfigMapsCel('t.spec', configMaps)})` },
  { name: 'labelled', expression: `variables.pods.map(t, ${Object.keys(selector).length === 0 ? 'false' : carriesLabelsCel('t', selector)})` },
  { name: 'isClusters', expression: 'variables.labelled[0] || variables.usesConfigMaps[0]' },
  { name: 'wasClusters', expression: 'oldObject != null && (variables.labelled[1] || variables.usesConfigMaps[1])' },
  { name: 'containers', expression: podContainersCel('variables.pod.spec') },
  { name: 'deployment', expression: "request.kind.kind == 'Deployment'" },
  { name: 'released', expression: 'variables.deployment ? dyn(object) : variables.pod' },
  { name: 'oldReleased', expression: 'oldObject == null ? null : variables.deployment ? dyn(oldObject) : variables.oldPod' },
  // Each release label read once: the object's (or its pods'), its pods', the old object's, the record's.
  { name: 'releases', expression: `[variables.released, variables.pod, variables.oldReleased, params].map(x, x != null && ${release('x')} : [])` },
  { name: 'fromRelease', expression: 'size(variables.releases[2]) > 0 ? variables.releases[2] : variables.releases[3]' },
  { name: 'toRelease', expression: 'variables.releases[0]' },
  { name: 'podRelease', expression: 'variables.releases[1]' },
  { name: 'sameContainers', expression: `!variables.deployment && variables.wasClusters && variables.containers == ${podContainersCel('variables.oldPod.spec')}` },
  { name: 'asBefore', expression: 'oldObject == null ? !variables.deployment && has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(r, '
    + `has(r.controller) && r.controller && ${controllers === DEFAULT_CONTROLLER_USERNAMES ? DEFAULT_OWNER_CONTROLLER_CEL : fromOwnerControllerCel(controllers)}) : variables.sameContainers && variables.toRelease == variables.fromRelease` },
  { name: 'ephemeral', expression: 'has(variables.pod.spec.ephemeralContainers) ? variables.pod.spec.ephemeralContainers : []' },
  { name: 'envContainers', expression: '(variables.sameContainers ? [] : variables.containers) + variables.ephemeral' },
  { name: 'imageTags', expression: "variables.pod.spec.containers.map(c, c.image.split('@')[0]).map(r, r.substring(r.lastIndexOf('/') + 1))"
    + ".filter(n, n.contains(':')).map(n, n.substring(n.lastIndexOf(':') + 1))" },
  { name: 'imageNames', expression: imageNamesCel('variables.pod.spec.containers') },
  // Each init or ephemeral container's name is read once, '' marking one the rule does not read: an empty name names no
  // release, so leaving one out changes no decision.
  { name: 'imageNamesRun', expression: '(variables.asBefore ? [] : variables.imageNames) + ((variables.asBefore || !has(variables.pod.spec.initContainers) ? [] : variables.pod.spec.initContainers) '
    + `+ variables.ephemeral).map(c, ${imageNamesCel('[c]')}.map(n, ${envFromConfigMapsCel('c', celList(configMaps))} `
    + "|| variables.imageNames.exists(m, m.split(':')[0] == n.split(':')[0]) ? n : '')[0]).filter(n, n != '')" },
  { name: BREAK_GLASS_VARIABLE, expression: podBreakGlassCel(groups) },
  { name: BREAK_GLASS_HINT_VARIABLE, expression: breakGlassHintCel(groups) },
  // Last, as no other variable reads it: the start of every rule's message, written once.
  { name: SUBJECT_VARIABLE, expression: `request.kind.kind + ' ' + object.metadata.name + ' of Temporal cluster${cluster ? ` ${celString(cluster).slice(1, -1)}` : ''}'` },
];

/** CEL: `target`'s release label split at the dots, when its metadata has one (a CronJob's pod template may have none). */
const release = (target: string) => `has(${target}.metadata) && has(${target}.metadata.labels) && '${RELEASE_LABEL}' in ${target}.metadata.labels `
  + `? ${target}.metadata.labels['${RELEASE_LABEL}'].split('.')`;

/**
 * The release rule: one minor up at most, never down, from the release the object runs or, for a
 * new one, the release the cluster's record holds, break-glass aside; unless the object runs what
 * it ran or its owner was held to it (`asBefore`).
 */
export const WORKLOAD_RELEASE = `variables.asBefore || ${releaseStepCel(`variables.${BREAK_GLASS_VARIABLE}`)}`;

/**
 * The image rule: every release a container image's tag or path names, read as the synth check
 * reads it (namesOnlyMinorCel), is of the minor of the release label. The release rule reads the
 * label only, so `kubectl set image ... temporal=temporalio/server:1.32.2` on a Deployment labelled
 * 1.30.9 would skip a minor with the label unchanged. The UI, whose image is another product's
 * release, is left out: a Deployment by its selector, which cannot change, any other kind by its
 * pods' labels; and so is break-glass. Whoever creates a pod or a Deployment writes its labels and
 * selector, so the UI's are known by them only while its pods use none of the cluster's
 * `configMaps` (readsClusterConfigMapsCel), which the UI never reads and a server cannot start
 * without: a new Deployment or bare Pod labelled as the UI's ran the server two minors ahead.
 */
export function workloadImagesCel(): string {
  // The Deployment's selector labels or the pod's labels, tested once for the UI's component.
  return 'size(variables.toRelease) < 2 || variables.breakGlass || ((variables.deployment '
    + '? [dyn(object).spec].map(s, has(s.selector) && has(s.selector.matchLabels) ? s.selector.matchLabels : {}) '
    + ': [has(variables.pod.metadata.labels) ? variables.pod.metadata.labels : {}])'
    + ".exists(m, m.exists(k, k == 'app.kubernetes.io/component' && m[k] == 'ui')) "
    + '&& !variables.usesConfigMaps[0]) '
    + `|| ${namesOnlyMinorCel('variables.imageNamesRun', 'variables.toRelease[0]', 'variables.toRelease[1]')}`;
}

/**
 * The known-release rule: an update that changes what a workload runs steps from a release it had
 * as a workload of the cluster (its pods carried `selector`'s labels or used its ConfigMaps, as the
 * policy's `isClusters` reads them), and a Deployment's pods are labelled its release. The release rule steps from the old
 * object's label, and the image rule compares with the new one, so a Deployment created under
 * labels of its own (a copy of the history Deployment running the server two minors ahead, no
 * release label) passed both on the update that gave it the cluster's labels and ConfigMaps; and
 * a Deployment whose pods said another release than it made ReplicaSets (exempt as the controller's)
 * whose image that release then let through. Creating it instead holds it to the record.
 */
export function knownReleaseCel(): string {
  return `(oldObject == null || variables.asBefore || variables.${BREAK_GLASS_VARIABLE} || (size(variables.fromRelease) >= 2 && variables.wasClusters)) `
    + '&& (!variables.deployment || variables.podRelease == variables.toRelease)';
}

/*
 * The old Deployment's status is read as `d`, bound to `dyn(oldObject)`: the policy is type-checked
 * against every kind it matches, and a Pod or a DaemonSet has no `updatedReplicas`, which
 * `oldObject.status` would be refused for in each.
 */
const asOldDeployment = (cel: string) => `[dyn(oldObject)].map(d, ${cel})[0]`;

/** CEL: a count of the old Deployment's status (`d`), 0 where the controller leaves it out (it omits zeros). */
const oldCount = (field: string) => `(has(d.status.${field}) ? d.status.${field} : 0)`;

/**
 * The rollout rule: a Deployment moves up a minor only once the rollout of the release it runs is
 * done: the Deployment controller has seen its last spec, every pod it wants is of that spec, and
 * no pod of an earlier ReplicaSet is left (under maxUnavailable 0 those go only as new ones become
 * available). The release rule compares labels, which say what was applied, not what ran: two
 * applies a minute apart (1.30 to 1.31, then 1.32, two commits Argo CD synced one after the other)
 * each stepped one minor while the 1.31 pods still waited for their schema, so the cluster went
 * from running 1.30 to running 1.32. A Deployment no controller has seen yet (no status) has run
 * nothing, and a patch or a downgrade is the release rule's.
 */
export function rolloutDoneCel(): string {
  return `!variables.deployment || oldObject == null || variables.${BREAK_GLASS_VARIABLE} || size(variables.fromRelease) < 2 || size(variables.toRelease) < 2 `
    + '|| variables.toRelease[0] != variables.fromRelease[0] || int(variables.toRelease[1]) <= int(variables.fromRelease[1]) '
    + `|| ${asOldDeployment('!has(d.status) || !has(d.status.observedGeneration) || (d.status.observedGeneration == d.metadata.generation '
    // The updated count, which both tests read, bound once as `u`.
    + `&& [${oldCount('updatedReplicas')}].all(u, u == d.spec.replicas && ${oldCount('replicas')} == u))`)}`;
}

/** What the workload policy needs of the guard's props. */
export interface WorkloadGuardOptions {
  /** The policy's name, and its CREATE binding's; the UPDATE binding's adds `-update`. */
  readonly policyName: string;
  readonly namespace: string;
  readonly configMapName: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** The ConfigMaps only the cluster's pods use: a pod that does is the cluster's, whatever its labels (readsClusterConfigMapsCel). */
  readonly configMaps: readonly string[];
  /** The pinned env vars, and the pinned ConfigMap key of each. */
  readonly pinnedEnv: Record<string, string>;
  readonly groups: readonly string[];
  /** By owner kind, the usernames its controller creates objects under (DEFAULT_CONTROLLER_USERNAMES). */
  readonly controllers: Record<string, readonly string[]>;
}

/** A rule of the workload policy, which holds the cluster's workloads only (`isClusters`). */
const ofCluster = (rule: string) => `!variables.isClusters || (${rule})`;

/**
 * The policy (and its two bindings, by operation) that holds every workload of the cluster to the
 * rules. A CREATE is held to the release record, the pinned ConfigMap, as the binding's param;
 * without it (parameterNotFoundAction: Deny) nothing of the cluster is created, and none of its
 * pods could start anyway. An UPDATE compares with the object's own release and reads no param:
 * with the pinned ConfigMap gone (break-glass, a namespace being deleted), the garbage collector's
 * removal of a foreground-deletion finalizer, a scale or a restart must still pass, or a teardown
 * hangs. Returns the objects, cluster-scoped.
 */
export function guardWorkloads(scope: Construct, o: WorkloadGuardOptions): ApiObject[] {
  const { policyName } = o;
  const cluster = `${o.namespace}/${o.selector['app.kubernetes.io/instance']}`;
  const what = `variables.${SUBJECT_VARIABLE} + ' `;
  const override = `' + variables.${BREAK_GLASS_HINT_VARIABLE}`;
  const policy = new KubeValidatingAdmissionPolicy(scope, 'EnvPolicy', {
    metadata: { name: policyName, labels: o.labels },
    spec: {
      failurePolicy: 'Fail',
      paramKind: RECORD_PARAM_KIND,
      matchConstraints: { resourceRules: [{ ...GUARDED_WORKLOADS, apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'] }] },
      // This cluster's workloads (`isClusters`), by their pods' labels: Argo CD's label tracking
      // rewrites app.kubernetes.io/instance on every object it applies (to its Application's name),
      // never in a pod template, whose labels a Deployment's immutable selector holds in place. Or
      // by the cluster's ConfigMaps they use, which kustomize's commonLabels, rewriting the instance
      // in pod templates and selectors, leaves alone. Each rule lets any other object through
      // first, rather than a match condition, which cannot read the variables `pod` and
      // `usesConfigMaps` and wrote both out again (1.1 KB). The param is read before either (a
      // missing one denies every object the bindings match, see name-prefix.kube.test.ts).
      validations: [{
        expression: ofCluster(pinnedEnvCel(o.configMapName, o.pinnedEnv, 'variables.envContainers')),
        messageExpression: `${what}sets a value it can never change (history shard count, cluster name, failover increment) other than from ConfigMap ${o.configMapName}: `
          + `${Object.keys(o.pinnedEnv).sort().join(', ')} only from its keys (no literal, other ConfigMap or key, or envFrom without them in env).'`,
        reason: 'Forbidden',
      }, {
        expression: ofCluster(WORKLOAD_RELEASE),
        messageExpression: `${what}' + (oldObject == null ? 'is created where ConfigMap ${o.configMapName} records release ' : 'runs release ') + variables.fromRelease.join('.') `
          + `+ ' and this update says ' + (size(variables.toRelease) == 0 ? 'no release (no label ${RELEASE_LABEL})' : variables.toRelease.join('.')) `
          + "+ '. Temporal upgrades one minor release at a time and never back to an earlier minor: apply the newest patch of each minor in between, in order, "
          + `letting each rollout finish (the lock file prints the path). ${override}`,
        reason: 'Forbidden',
      }, {
        expression: ofCluster(workloadImagesCel()),
        messageExpression: `${what}is labelled release ' + variables.toRelease.join('.') + ' but its containers run ' + variables.imageNamesRun.join(', ') `
          + "+ '. An image tag names the release that runs; change the release with the manifests (version), one minor at a time, so that the label and the "
          + `upgrade rule see it. ${override}`,
        reason: 'Forbidden',
      }, {
        expression: ofCluster(knownReleaseCel()),
        // Break-glass does not excuse pods that say another release: their ReplicaSets carry it.
        messageExpression: `${what}' + (variables.deployment && variables.podRelease != variables.toRelease `
          + "? 'says release ' + variables.toRelease.join('.') + ' but its pods say ' + (size(variables.podRelease) == 0 ? 'none' : variables.podRelease.join('.')) "
          + `+ ': its ReplicaSets and pods would be held to theirs. Label its pod template ${RELEASE_LABEL} as the Deployment.' `
          + `: 'has no release to step from (it was no workload of the cluster, or had no label ${RELEASE_LABEL}, before this update): create it anew, `
          + `held to the release ConfigMap ${o.configMapName} records. ${override})`,
        reason: 'Forbidden',
      }, {
        expression: ofCluster(rolloutDoneCel()),
        messageExpression: `${what}runs release ' + variables.fromRelease.join('.') + ' and this update says ' + variables.toRelease.join('.') `
          + `+ ', but the rollout of ' + variables.fromRelease.join('.') + ' has not finished: ' + ${asOldDeployment(`string(${oldCount('updatedReplicas')}) + ' of ' `
          + `+ string(d.spec.replicas) + ' pods updated, ' + string(${oldCount('replicas')}) + ' in all' `
          + "+ (d.status.observedGeneration == d.metadata.generation ? '' : ', its last change not yet seen by the Deployment controller')")} `
          + "+ '. Temporal upgrades one minor at a time, each once the one before runs on every pod (history loads and updates every shard): wait until "
          + "kubectl rollout status deployment/' + object.metadata.name + ' succeeds (kubectl rollout resume it if paused), then apply again. "
          + `${override}`,
        reason: 'Forbidden',
      }],
      variables: workloadVariables(o.groups, o.controllers, o.configMaps, o.selector, cluster),
    },
  });
  const binding = (id: string, name: string, operation: 'CREATE' | 'UPDATE') => new KubeValidatingAdmissionPolicyBinding(scope, id, {
    metadata: { name, labels: o.labels },
    spec: {
      policyName,
      ...(operation === 'CREATE' ? { paramRef: recordParamRef(o.configMapName) } : {}),
      validationActions: ['Deny'],
      matchResources: {
        // No objectSelector: a Deployment's own labels are anyone's to rewrite (kustomize's `labels`,
        // a chart wrapping the manifests); `isClusters` reads the pods' labels.
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': o.namespace } },
        // Every resource the policy matches, for one operation; on UPDATE their subresources too ('*'
        // names none): a pod's ephemeral containers are added through pods/ephemeralcontainers.
        resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: [operation], resources: [operation === 'CREATE' ? '*' : '*/*'] }],
      },
    },
  });
  return [policy, binding('EnvBinding', policyName, 'CREATE'), binding('EnvUpdateBinding', `${policyName}-update`, 'UPDATE')];
}
