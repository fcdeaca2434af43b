/**
 * The CEL pieces the pinned-values admission policies share (PinnedValuesGuard and the release
 * record, lib/security/release-record.ts): break-glass, label tests and string literals.
 */

/** The annotation that lets an operator delete a cluster's pinned ConfigMap, or step a release out of order, on purpose. */
export const BREAK_GLASS_ANNOTATION = 'temporal.io/break-glass';

/** The label that carries a cluster's server release on each of its Deployments, and on its pinned ConfigMap (the release record). */
export const RELEASE_LABEL = 'app.kubernetes.io/version';

/** A CEL test that `target`'s metadata has `key` among its `field`. */
export const celHasEntry = (target: string, field: 'labels' | 'annotations', key: string) => `has(${target}.metadata.${field}) && '${key}' in ${target}.metadata.${field}`;

/**
 * A CEL test that `target` is annotated for break-glass and, when `groups` are given, the request
 * comes from a member of one. The pinned ConfigMap's annotation is "true" for its deletion; a
 * Deployment's names the tag of an image it runs (the policy's `imageTags`), and the release
 * record's the release it records once changed, so that one left behind after the step it was set
 * for lets no later step through: "true" on a Deployment turned both release rules off for good
 * once an operator forgot to remove it.
 */
export function breakGlassCel(target: 'object' | 'oldObject', groups: readonly string[], valueTest = (value: string) => `${value} == 'true'`): string {
  const annotated = `${celHasEntry(target, 'annotations', BREAK_GLASS_ANNOTATION)} && ${valueTest(`${target}.metadata.annotations['${BREAK_GLASS_ANNOTATION}']`)}`;
  return groups.length === 0 ? annotated : `${annotated} && request.userInfo.groups.exists(g, g in ${celList(groups)})`;
}

/** A CEL list of string literals. */
export function celList(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/**
 * `text` as a single-quoted CEL string literal: a quote, a backslash or a line break (CR as well as
 * LF, which end a CEL string) would end or break the literal, and with it the expression, which
 * the API server then refuses; other control characters are escaped to stay readable.
 */
export function celString(text: string): string {
  return `'${text.replace(/[\\'\x00-\x1f\x7f]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}'`;
}

/**
 * Break-glass on a workload (a Deployment, a Pod, ...): its annotation names the tag (or, pinned by
 * digest alone, the digest) of one of the images its pods run (the policy's `imageTags`, `pod`).
 */
// The annotation's value is read once, as `g`, for the two tests.
export const podBreakGlassCel = (groups: readonly string[]) => breakGlassCel('object', groups, (value) => `[${value}].exists(g, variables.imageTags.exists(t, t == g) `
  + `|| variables.pod.spec.containers.exists(c, c.image.contains('@') && c.image.substring(c.image.indexOf('@') + 1) == g))`);

/** The workload policy's variables that both its release and its image rule read. */
export const BREAK_GLASS_VARIABLE = 'breakGlass';
export const BREAK_GLASS_HINT_VARIABLE = 'breakGlassHint';

/**
 * The end of the workload policy's release and image rules' messages, its last sentence whole (four
 * messages wrote its start out): how to override them on purpose, naming the tag of the image the
 * object runs once changed.
 */
export function breakGlassHintCel(groups: readonly string[]): string {
  return `'Annotate it ${BREAK_GLASS_ANNOTATION}=' + (size(variables.imageTags) == 0 ? '<its image tag or digest>' : variables.imageTags[0]) + ' (the tag it runs once changed)`
    + overrideOnPurposeCel(groups);
}

/**
 * The end of a break-glass hint, inside a CEL string literal that it closes: who may break glass
 * (a member of `groups`, when given) and that it is only for overriding a rule on purpose.
 */
export function overrideOnPurposeCel(groups: readonly string[]): string {
  return `${groups.length ? `, as a member of ${celString(groups.join(' or ')).slice(1, -1)},` : ''} only to override this on purpose.'`;
}
