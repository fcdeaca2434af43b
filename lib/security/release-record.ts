import { BREAK_GLASS_ANNOTATION, breakGlassCel, celHasEntry, overrideOnPurposeCel, RELEASE_LABEL } from './guard-cel';

/*
 * The release record: the release label (app.kubernetes.io/version) of the cluster's pinned
 * ConfigMap, which every apply of the manifests writes with the release, as it writes the
 * Deployments'. The release rule compares a Deployment's label with the one it replaces; on
 * CREATE there is none, so `kubectl delete deployment` (or `kubectl apply --force`, Argo CD's
 * Replace, a delete of every Deployment in the namespace) followed by an apply two minors ahead
 * skipped a minor in the cluster. A new Deployment is compared with the record instead, which the
 * workload policy reads as its param (paramKind ConfigMap, the binding's paramRef), and the
 * record itself moves as a Deployment does: at most one minor up per update, never down, break-glass
 * aside. Whichever of the two an apply writes first, a one-minor upgrade passes and a skip does not.
 *
 * Why the pinned ConfigMap and no ConfigMap of its own: it exists wherever the cluster's pods can
 * start (they read the pinned values from it), its deletion is already guarded, its metadata can
 * change though its data cannot, and it already carries the release label among the cluster's
 * labels, so a cluster that upgrades the library is guarded from that apply on, with no object to
 * create first (and no order of objects to get right) and no bytes added for it.
 */

/** CEL: `target`'s release label split at the dots, when it has one. */
const labelled = (target: string) => `${celHasEntry(target, 'labels', RELEASE_LABEL)} ? ${target}.metadata.labels['${RELEASE_LABEL}'].split('.')`;

/** The CEL variable of both rules: the release of the updated object, split at the dots, or an empty list without the label. */
export const TO_RELEASE_VARIABLE = { name: 'toRelease', expression: `${labelled('object')} : []` };

/**
 * The CEL variables of the record rule: the record's release before and after the update, split
 * at the dots, or an empty list when that side has no label.
 */
export const RECORD_VARIABLES = [
  { name: 'fromRelease', expression: `oldObject != null && ${labelled('oldObject')} : []` },
  TO_RELEASE_VARIABLE,
];

/**
 * The step both rules take: nothing to compare with, break-glass (`breakGlass`), or the same major
 * and the same or the next minor as `fromRelease`.
 */
export function releaseStepCel(breakGlass: string): string {
  return `size(variables.fromRelease) < 2 || (${breakGlass}) || (size(variables.toRelease) >= 2 && variables.toRelease[0] == variables.fromRelease[0] `
    + '&& int(variables.toRelease[1]) - int(variables.fromRelease[1]) in [0, 1])';
}

/**
 * The record rule, on UPDATE of the pinned ConfigMap (its policy also matches DELETE, which the
 * deletion rule decides): its release label moves as a Deployment's does. Break-glass names the
 * release it records once changed.
 */
export function recordExpression(groups: readonly string[]): string {
  return `request.operation == 'DELETE' || ${releaseStepCel(breakGlassCel('object', groups, (value) => `${value} == variables.toRelease.join('.')`))}`;
}

/** The message of the record rule, for the pinned ConfigMap `configMapName` of `cluster` (`<namespace>/<name>`). */
export function recordMessageExpression(configMapName: string, cluster: string, groups: readonly string[]): string {
  return `'ConfigMap ${configMapName} records release ' + variables.fromRelease.join('.') + ' of Temporal cluster ${cluster} and this update says ' `
    + "+ variables.toRelease.join('.') + '. The record, which new Deployments are held to, moves with the manifests one minor release at a time, never back. "
    + `Annotate it ${BREAK_GLASS_ANNOTATION}=' + variables.toRelease.join('.') + ' (the release it records once changed)`
    + overrideOnPurposeCel(groups);
}

/**
 * What the workload policy's CREATE binding reads the record from: the pinned ConfigMap in the
 * Deployment's namespace (which the binding selects). The UPDATE binding reads none.
 */
export function recordParamRef(configMapName: string) {
  // Deny: with the pinned ConfigMap gone (only break-glass deletes it), no server pod can start
  // anyway; Allow would skip every rule of the policy on CREATE, the pinned env's too, until it is back.
  return { name: configMapName, parameterNotFoundAction: 'Deny' };
}

/** The kind of the record the workload policy reads. */
export const RECORD_PARAM_KIND = { apiVersion: 'v1', kind: 'ConfigMap' };
