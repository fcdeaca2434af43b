/**
 * Where Flux's post-build substitution would change an object: the kustomize-controller runs
 * github.com/fluxcd/pkg/envsubst over the YAML of every object not annotated (or labelled)
 * kustomize.toolkit.fluxcd.io/substitute: disabled, when the Kustomization has postBuild.substitute
 * or substituteFrom. Its scanner starts a variable at `${` only (`$name` stays text) and reads `$$`
 * as `$` (parse/scan.go: scanLbrack, scanEscaped). Written from that source, not from lib/.
 */
export function fluxSubstitutedText(objects: readonly any[]): string[] {
  const found: string[] = [];
  for (const o of objects) {
    const walk = (value: unknown, path: string) => {
      if (typeof value === 'string') {
        const hit = /\$\{|\$\$/.exec(value);
        if (hit) found.push(`${o.kind}/${o.metadata?.name} ${path}: ${JSON.stringify(value.slice(Math.max(0, hit.index - 30), hit.index + 30))}`);
      } else if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          walk(key, `${path}{key}`);
          walk(child, path ? `${path}.${key}` : key);
        }
      }
    };
    walk(o, '');
  }
  return found;
}
