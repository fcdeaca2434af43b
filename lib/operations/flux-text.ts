import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/*
 * Flux's post-build substitution (a Kustomization with postBuild.substitute or substituteFrom) runs
 * envsubst over the YAML of every object it applies that is not annotated or labelled
 * kustomize.toolkit.fluxcd.io/substitute: disabled: `${name}` becomes the variable's value (an
 * unset one "", one it cannot parse, a lone `${`, fails the whole Kustomization) and `$$` becomes
 * `$`. The library's own text holds neither, but the app's can: a shell `${HOME}` in a password
 * command, a `$$5` in a description, the `$$(` the library writes for a `$(` the kubelet must leave
 * alone (under substitution it is `$(` again, and the kubelet expands it). GitOps.flux() annotates
 * every object; without it, the platform's cluster-wide Kustomization (applying the output whatever
 * the app was told) would change the app's text without a word. So every object of a cluster or
 * fleet whose text holds `${` or `$$` carries the annotation, whichever controller applies it: other
 * tools ignore it, and an object without such text is the same either way. An app that means Flux
 * to substitute sets the key itself (addAnnotation('kustomize.toolkit.fluxcd.io/substitute',
 * 'enabled')), which is left as it is.
 */

/** The annotation (or label) that keeps Flux's post-build substitution off an object. */
export const FLUX_SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';

/** What Flux's envsubst reads as a variable (`${`) or an escape (`$$`); `$name` and `$(` stay text. */
const SUBSTITUTED = /\$\{|\$\$/;

const GUARDED = new WeakSet<ApiObject>();

/**
 * Makes every object under `scope` (those it holds now) render with FLUX_SUBSTITUTE_KEY: disabled
 * when a key or a string of its manifest holds `${` or `$$` and neither its annotations nor its
 * labels hold the key. Read from the rendered manifest, so it holds for text added after this call
 * (dynamic config, a JSON patch) and for any prop.
 */
export function keepTextFromFluxSubstitution(scope: IConstruct): void {
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject) || GUARDED.has(child)) continue;
    GUARDED.add(child);
    // On the instance, not captured: the prototype's toJson (the generated class's, or ApiObject's
    // as lib/plain-to-json.ts swaps it in for a synth) is looked up at each render.
    Object.defineProperty(child, 'toJson', {
      configurable: true,
      writable: true,
      value(this: ApiObject): unknown {
        return withSubstitutionDisabled(Object.getPrototypeOf(this).toJson.call(this));
      },
    });
  }
}

/** `manifest`, annotated FLUX_SUBSTITUTE_KEY: disabled when Flux would change its text (see above). */
export function withSubstitutionDisabled(manifest: unknown): unknown {
  if (manifest === null || typeof manifest !== 'object' || !holdsSubstitutedText(manifest)) return manifest;
  const m = manifest as { metadata?: { annotations?: Record<string, unknown>; labels?: Record<string, unknown> } };
  const metadata = m.metadata ?? {};
  if (metadata.annotations?.[FLUX_SUBSTITUTE_KEY] !== undefined || metadata.labels?.[FLUX_SUBSTITUTE_KEY] !== undefined) return manifest;
  const sortKeys = !process.env.CDK8S_DISABLE_SORT;
  const annotations = sorted({ ...metadata.annotations, [FLUX_SUBSTITUTE_KEY]: 'disabled' }, sortKeys);
  // A new object: the rendered manifest may be what the next render is built from.
  return { ...manifest, metadata: sorted({ ...metadata, annotations }, sortKeys) };
}

function sorted<T extends Record<string, unknown>>(record: T, sortKeys: boolean): T {
  if (!sortKeys) return record;
  // Code-unit order, as cdk8s sorts keys (localeCompare would follow LANG).
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

function holdsSubstitutedText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('$') && SUBSTITUTED.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(holdsSubstitutedText);
  for (const key of Object.keys(value)) {
    if (holdsSubstitutedText(key) || holdsSubstitutedText((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
