import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeValidatingAdmissionPolicy, KubeValidatingAdmissionPolicyBinding } from '../../imports/k8s';
import { imageNamesCel, namesOnlyMinorCel } from './image-release-cel';
import { BREAK_GLASS_ANNOTATION, breakGlassCel, celString, RELEASE_LABEL } from './guard-cel';
import { RECORD_PARAM_KIND, recordParamRef, releaseStepCel } from './release-record';

/*
 * The cluster's other workloads. The Deployment policy guards the Deployments, but a pod joins the
 * cluster by its labels, whatever made it: a bare Pod, a ReplicaSet, StatefulSet, DaemonSet, Job
 * or CronJob whose pods carry the cluster's app.kubernetes.io/instance and name (a copy of a
 * server pod to debug, a StatefulSet written from a Helm chart's values) with
 * TEMPORAL_NUM_HISTORY_SHARDS=4 joined the ring on another shard count, and one labelled two
 * minors ahead ran that release beside the cluster's. This policy holds their pods to the
 * Deployments' rules: the pinned env, the release step from the record, images that name the
 * labelled minor. The pods the cluster's own controllers create (a Deployment's ReplicaSets and
 * their pods, a Job's pods) pass as their owner did: their owner was held to the same rules, and
 * break-glass on the owner, which they do not carry, must not stop them.
 */

/**
 * The kinds whose pods the policy guards: one rule, whose groups and resources match as every pair
 * of them (a pair that names no resource, apps/jobs, matches nothing), shorter than one per group.
 */
export const GUARDED_WORKLOADS = { apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] };

/**
 * CEL: `target`'s pod (its metadata and spec), whichever kind it is: the Pod itself, a CronJob's
 * job template's pod template, any other kind's pod template. `dyn` because one expression serves
 * every kind, each with its own schema: the type checker would find no `template` in a Pod.
 */
export const podCel = (target: 'object' | 'oldObject') => `(request.kind.kind == 'Pod' ? dyn(${target}) : request.kind.kind == 'CronJob' `
  + `? dyn(${target}).spec.jobTemplate.spec.template : dyn(${target}).spec.template)`;

/** CEL: `pod`'s release label split at the dots, when its metadata has one. */
const podRelease = (pod: string) => `has(${pod}.metadata) && has(${pod}.metadata.labels) && '${RELEASE_LABEL}' in ${pod}.metadata.labels `
  + `? ${pod}.metadata.labels['${RELEASE_LABEL}'].split('.')`;

/**
 * CEL: the pod spec `spec` mounts one of `configMaps` (the cluster's server config, its pinned
 * ConfigMap) or reads an env var from one. Such a pod is the cluster's whatever its labels say:
 * kustomize's `commonLabels` (or `labels` with `includeTemplates`) rewrites app.kubernetes.io/instance
 * in pod templates and selectors alike, and a match on the labels alone then turned every rule off,
 * while ConfigMap references, which no label transformer touches, still name the cluster's.
 */
export function readsClusterConfigMapsCel(spec: string, configMaps: readonly string[]): string {
  const names = `[${configMaps.map(celString).join(', ')}]`;
  return `(has(${spec}.volumes) && ${spec}.volumes.exists(v, has(v.configMap) && v.configMap.name in ${names})) `
    + `|| ${spec}.containers.exists(c, has(c.env) && c.env.exists(e, has(e.valueFrom) && has(e.valueFrom.configMapKeyRef) && e.valueFrom.configMapKeyRef.name in ${names}))`;
}

/**
 * The match condition: the object's pods carry every label of `selector` (as the Deployment
 * policy's reads a Deployment's pod template), or use the cluster's `configMaps` (readsClusterConfigMapsCel).
 */
export function workloadOfClusterCel(selector: Record<string, string>, configMaps: readonly string[]): string {
  const keys = Object.keys(selector).sort();
  return `[${podCel('object')}].all(t, (has(t.metadata) && has(t.metadata.labels) && `
    + `${keys.map((k) => `${celString(k)} in t.metadata.labels && t.metadata.labels[${celString(k)}] == ${celString(selector[k])}`).join(' && ')}) `
    + `|| ${readsClusterConfigMapsCel('t.spec', configMaps)})`;
}

/** The guarded kinds that own the pods (and ReplicaSets, Jobs) of the cluster's own workloads. */
const OWNERS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/**
 * The CEL variables of the workload policy. `asBefore`: the object changes nothing of what runs
 * (an UPDATE with the same containers and release: a scale, a finalizer the Job controller or the
 * garbage collector removes), or it is created by a controller of a guarded kind from its
 * template (held to the rules as its owner). `fromRelease`/`toRelease` as the Deployment policy's,
 * read from the pods' labels.
 */
export const workloadVariables = (groups: readonly string[]) => [
  { name: 'pod', expression: podCel('object') },
  { name: 'oldPod', expression: `oldObject == null ? null : ${podCel('oldObject')}` },
  { name: 'fromRelease', expression: `oldObject != null && ${podRelease('variables.oldPod')} : params != null && has(params.metadata.labels) `
    + `&& '${RELEASE_LABEL}' in params.metadata.labels ? params.metadata.labels['${RELEASE_LABEL}'].split('.') : []` },
  { name: 'toRelease', expression: `${podRelease('variables.pod')} : []` },
  { name: 'sameContainers', expression: 'oldObject != null && variables.pod.spec.containers == variables.oldPod.spec.containers' },
  { name: 'asBefore', expression: `oldObject == null ? has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller `
    + `&& r.kind in [${OWNERS.map((k) => `'${k}'`).join(', ')}]) : variables.sameContainers && variables.toRelease == variables.fromRelease` },
  { name: 'imageNames', expression: imageNamesCel('variables.pod.spec.containers') },
  // Break-glass on the object itself, as on a Deployment: its annotation names the tag (after the
  // reference's last ':', past its last '/') or the digest of one of the images it runs.
  { name: 'breakGlass', expression: breakGlassCel('object', groups, (a) => `variables.pod.spec.containers.exists(c, c.image.endsWith('@' + ${a}) `
    + `|| (!${a}.contains('/') && c.image.split('@')[0].endsWith(':' + ${a})))`) },
];

/** The release rule of the workload policy: as the Deployments', unless the object runs what it ran or its owner was held to it. */
export const WORKLOAD_RELEASE = `variables.asBefore || ${releaseStepCel('variables.breakGlass')}`;

/** The image rule of the workload policy: as the Deployments' (the UI's pods, another product's release, aside). */
export const WORKLOAD_IMAGES = 'variables.asBefore || size(variables.toRelease) < 2 || variables.breakGlass || (has(variables.pod.metadata.labels) '
  + "&& 'app.kubernetes.io/component' in variables.pod.metadata.labels && variables.pod.metadata.labels['app.kubernetes.io/component'] == 'ui') "
  + `|| ${namesOnlyMinorCel('variables.imageNames', 'variables.toRelease[0]', 'variables.toRelease[1]')}`;

/** What the workload policy needs of the guard's props. */
export interface WorkloadGuardOptions {
  readonly namespace: string;
  readonly configMapName: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** The ConfigMaps only the cluster's pods use: a pod that does is the cluster's, whatever its labels (readsClusterConfigMapsCel). */
  readonly configMaps: readonly string[];
  /** The env rule's CEL, for containers at `variables.pod.spec.containers`. */
  readonly envExpression: string;
  readonly groups: readonly string[];
}

/**
 * The policy (and its two bindings, by operation, as the Deployment policy's) that holds every
 * other workload of the cluster to the Deployments' rules. Returns the objects, cluster-scoped.
 */
export function guardWorkloads(scope: Construct, o: WorkloadGuardOptions): { policyName: string; objects: ApiObject[] } {
  const policyName = `${o.namespace}-${o.configMapName}-workload-guard`;
  const cluster = `${o.namespace}/${o.selector['app.kubernetes.io/instance']}`;
  const what = "request.kind.kind + ' ' + object.metadata.name";
  const override = `Annotate it ${BREAK_GLASS_ANNOTATION}=<its image tag>${o.groups.length ? `, as a member of ${celString(o.groups.join(' or ')).slice(1, -1)},` : ''} to override on purpose.'`;
  const policy = new KubeValidatingAdmissionPolicy(scope, 'WorkloadPolicy', {
    metadata: { name: policyName, labels: o.labels },
    spec: {
      failurePolicy: 'Fail',
      paramKind: RECORD_PARAM_KIND,
      matchConstraints: { resourceRules: [{ ...GUARDED_WORKLOADS, apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'] }] },
      matchConditions: [{ name: 'workload-of-this-cluster', expression: workloadOfClusterCel(o.selector, o.configMaps) }],
      validations: [{
        expression: `variables.sameContainers || ${o.envExpression}`,
        messageExpression: `${what} + ' would join Temporal cluster ${cluster} setting a value it can never change (history shard count, cluster name, failover increment) `
          + `other than from ConfigMap ${o.configMapName}.'`,
        reason: 'Forbidden',
      }, {
        expression: WORKLOAD_RELEASE,
        messageExpression: `${what} + ' would join Temporal cluster ${cluster} at release ' + (size(variables.toRelease) == 0 ? 'none (no label ${RELEASE_LABEL} on its pods)' `
          + `: variables.toRelease.join('.')) + ' where ' + (oldObject == null ? 'ConfigMap ${o.configMapName} records ' : 'it ran ') + variables.fromRelease.join('.') `
          + `+ '. Temporal upgrades one minor at a time. ${override}`,
        reason: 'Forbidden',
      }, {
        expression: WORKLOAD_IMAGES,
        messageExpression: `${what} + ' of Temporal cluster ${cluster} is labelled release ' + variables.toRelease.join('.') + ' but its containers run ' `
          + `+ variables.imageNames.join(', ') + '. ${override}`,
        reason: 'Forbidden',
      }],
      variables: workloadVariables(o.groups),
    },
  });
  const binding = (id: string, name: string, operation: 'CREATE' | 'UPDATE') => new KubeValidatingAdmissionPolicyBinding(scope, id, {
    metadata: { name, labels: o.labels },
    spec: {
      policyName,
      ...(operation === 'CREATE' ? { paramRef: recordParamRef(o.configMapName) } : {}),
      validationActions: ['Deny'],
      matchResources: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': o.namespace } },
        // Every resource the policy matches, for one operation.
        resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: [operation], resources: ['*'] }],
      },
    },
  });
  return { policyName, objects: [policy, binding('WorkloadBinding', policyName, 'CREATE'), binding('WorkloadUpdateBinding', `${policyName}-update`, 'UPDATE')] };
}
