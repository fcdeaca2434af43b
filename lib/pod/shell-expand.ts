/**
 * A POSIX sh function for the library's scripts: `expand_param NAME 'EXPR'` sets NAME to what `${EXPR}`
 * expands to (`expand_param store 'arg%%=*'` is `store=${arg%%=*}`).
 *
 * The library never writes `${` or `$$` in its own text. Flux's post-build substitution (a
 * Kustomization with `postBuild.substitute` or `substituteFrom`) runs envsubst over every object
 * it applies that is not annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`, whether or
 * not the app gave `GitOps.flux()`: each `${...}` there is one of its variables (an unset one is
 * "") and `$$` is `$`. So the function puts the `${` together when the shell runs. EXPR is the
 * library's own text, or names the script has checked, never a value: values stay in the variables
 * it names. A positional parameter there would be the function's own, so a script copies `$2` to a
 * name first.
 */
export const SHELL_EXPAND = 'expand_param() { eval "$1=\\"\\$""{$2}\\""; }';
