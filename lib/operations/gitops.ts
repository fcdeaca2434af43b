import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ownValidation } from '../own-validation';
import { checkWhenRendered, RenderedJson, writtenWithoutSubstitution } from '../rendered-checks';
import { summaryCollected, summaryWarning } from '../summary-warning';
import { plainProps, propError } from '../validation';

/** Annotations for one kind of object. */
export interface GitOpsAnnotations {
  /** On the schema Jobs, which must finish before the servers start. */
  readonly jobs: Record<string, string>;
  /**
   * On what the schema Jobs' pods need to exist first: the ServiceAccount they run as (the API
   * server refuses a pod whose ServiceAccount is missing) and, with `restrictEgress`, their egress
   * NetworkPolicies (under the cluster's deny-all, a Job whose policy is not there yet reaches
   * neither DNS nor its store).
   */
  readonly jobPrerequisites: Record<string, string>;
  /**
   * On the Jobs that call the cluster's own frontend (the namespace and remote-cluster Jobs), which
   * can only finish once the servers run.
   */
  readonly clientJobs: Record<string, string>;
  /** On everything else. */
  readonly others: Record<string, string>;
}

/** Argo CD options. */
export interface ArgoCdOptions {
  /**
   * Sync wave of the schema Jobs, of the ServiceAccount their pods run as and of their egress
   * NetworkPolicies (with `restrictEgress`); everything else is in wave 0, and the namespace and
   * remote-cluster Jobs, which call the cluster's frontend, in wave 1.
   * With waves, Argo CD waits for the schema Jobs to finish before it applies the servers, and for
   * the servers to be healthy before it applies the Jobs that need them. (The servers' schema waits
   * keep the order anyway; waves make the sync status tell the story.)
   * @default -1
   */
  readonly jobSyncWave?: number;
  /**
   * Run the schema Jobs (and their ServiceAccount and egress NetworkPolicies) as PreSync hooks, and
   * the namespace and remote-cluster Jobs as PostSync hooks, instead of wave members. Hooks are
   * deleted and recreated on each sync, so a TTL-deleted Job never shows as missing.
   * @default false
   */
  readonly jobsAsPreSyncHooks?: boolean;
}

/**
 * Annotations that tell a GitOps controller how to order and treat the output. Off by default:
 * a plain `kubectl apply` of everything at once already converges, because every server pod waits
 * for its schema.
 */
export class GitOps {
  /** Argo CD sync waves (or PreSync hooks) for the Jobs. */
  public static argoCd(options: ArgoCdOptions = {}): GitOps {
    options = plainProps('GitOps.argoCd', options, 'ArgoCdOptions', 'options');
    const wave = options.jobSyncWave ?? -1;
    // Argo CD reads the annotation with strconv.Atoi and takes 0 for what it cannot parse: "-1e+21", the text of a huge number, would put the Jobs beside the servers.
    if (!Number.isSafeInteger(wave) || wave >= 0) {
      throw propError('GitOps.argoCd', 'jobSyncWave', wave, 'a negative integer, so that the Jobs run before the servers (wave 0), written in plain digits (at least -9007199254740991)');
    }
    // A schema Job's pods need its ServiceAccount (and egress policy), and the namespace and remote-cluster Jobs wait
    // for the frontend: in an earlier wave (or the PreSync phase) than what they need, Argo CD
    // would wait for them forever, since it applies a wave only once the one before is healthy.
    const hook = (phase: string) => ({ 'argocd.argoproj.io/hook': phase, 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    const jobs: Record<string, string> = options.jobsAsPreSyncHooks ? hook('PreSync') : { 'argocd.argoproj.io/sync-wave': String(wave) };
    const clientJobs: Record<string, string> = options.jobsAsPreSyncHooks ? hook('PostSync') : { 'argocd.argoproj.io/sync-wave': '1' };
    return new GitOps({ jobs, jobPrerequisites: jobs, clientJobs, others: { 'argocd.argoproj.io/sync-wave': '0' } }, options.jobsAsPreSyncHooks !== true, {});
  }

  /**
   * Flux: lets the kustomize-controller recreate a Job whose spec changed (a Job's pod template is
   * immutable, and versioned names only cover upgrades), and keeps its post-build variable
   * substitution off every object. A Kustomization with `postBuild.substitute` or
   * `substituteFrom` runs envsubst over each object's YAML, where `${...}` is a variable (an unset
   * one becomes "") and `$$` one `$`. The library's own text holds neither, so the output is
   * applied as written without this too; the annotation keeps such text that the app gives (an env
   * value, a description, a password command, a `$(` written `$$(` for the kubelet) as written.
   * Order across Kustomizations is Flux's `dependsOn`; within this output the schema waits keep
   * the order.
   */
  public static flux(): GitOps {
    const noSubstitution = { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' };
    const jobs = { 'kustomize.toolkit.fluxcd.io/force': 'enabled', ...noSubstitution };
    return new GitOps({ jobs, jobPrerequisites: noSubstitution, clientJobs: jobs, others: noSubstitution }, true, noSubstitution);
  }

  /**
   * Applied by `kubectl apply` or a tool that neither orders nor rewrites the output: no
   * annotations. It says that no Flux post-build substitution reads the output, which the synth
   * summary otherwise warns about when the app's text holds `${` or `$$`.
   */
  public static kubectl(): GitOps {
    return new GitOps({ jobs: {}, jobPrerequisites: {}, clientJobs: {}, others: {} }, false, {});
  }

  /**
   * @internal
   * Whether the controller keeps the schema Jobs as part of the app's state, and so recreates one
   * that was deleted: Flux corrects drift on every interval, Argo CD syncs what is missing (but not
   * hooks, which it never tracks).
   */
  public readonly _keepsJobs: boolean;

  /**
   * @internal
   * What the cluster's worker fleets get, which the same controller applies: Flux would substitute
   * into a fleet's env as into the cluster's text. Ordering is the cluster's own concern.
   */
  public readonly _fleetAnnotations: Record<string, string>;

  private constructor(public readonly annotations: GitOpsAnnotations, keepsJobs: boolean, fleetAnnotations: Record<string, string>) {
    this._keepsJobs = keepsJobs;
    this._fleetAnnotations = fleetAnnotations;
  }
}

/** The objects of a cluster that get other annotations than the rest. */
export interface GitOpsGroups {
  readonly jobs: ReadonlySet<ApiObject>;
  readonly jobPrerequisites: ReadonlySet<ApiObject>;
  readonly clientJobs: ReadonlySet<ApiObject>;
}

/** The `gitOps` of each cluster that has one, for its worker fleets. */
const APPLIED_BY = new WeakMap<IConstruct, GitOps>();

/**
 * Puts the GitOps annotations on every object under `scope` (a cluster, `owner`): each group's set
 * on its objects, the others' on the rest. Without `gitOps`, the summary warns of text that Flux
 * would substitute.
 */
export function annotateForGitOps(scope: IConstruct, gitOps: GitOps | undefined, groups: GitOpsGroups, owner: string): void {
  if (!gitOps) return watchSubstitution(scope, owner, 'give the cluster gitOps');
  APPLIED_BY.set(scope, gitOps);
  const { annotations } = gitOps;
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    const set = groups.jobs.has(child) ? annotations.jobs : groups.jobPrerequisites.has(child) ? annotations.jobPrerequisites
      : groups.clientJobs.has(child) ? annotations.clientJobs : annotations.others;
    for (const [key, value] of Object.entries(set)) child.metadata.addAnnotation(key, value);
  }
}

/**
 * The call that made `g`, as the app wrote it (GitOps.argoCd({ jobSyncWave: -2 })), for an error
 * to show what it was given: its annotations are the only trace of the call, and their JSON would
 * say less.
 */
function gitOpsText(g: GitOps): string {
  const all = { ...g.annotations.jobs, ...g.annotations.others };
  if (Object.keys(all).some((k) => k.startsWith('kustomize.toolkit.fluxcd.io/'))) return 'GitOps.flux()';
  if (Object.keys(all).length === 0) return 'GitOps.kubectl()';
  if (g.annotations.jobs['argocd.argoproj.io/hook']) return 'GitOps.argoCd({ jobsAsPreSyncHooks: true })';
  const wave = g.annotations.jobs['argocd.argoproj.io/sync-wave'];
  return wave === '-1' ? 'GitOps.argoCd()' : `GitOps.argoCd({ jobSyncWave: ${wave} })`;
}

/**
 * A worker fleet of `cluster` goes out through the cluster's controller: with GitOps.flux() its
 * objects are kept from substitution too; without a `gitOps` on the cluster, the synth warns of
 * its text as of the cluster's. A fleet of a frontend outside the app says it with its own
 * `gitOps`, by the same rule (it had none, and its text went out with no warning).
 */
export function followClusterGitOps(fleet: IConstruct, owner: string, cluster: IConstruct | undefined, own?: GitOps): void {
  if (own !== undefined && !(own instanceof GitOps)) {
    throw propError(owner, 'gitOps', own, 'GitOps.flux(), GitOps.argoCd() or GitOps.kubectl()');
  }
  if (own !== undefined && cluster) {
    throw new Error(`${owner}: gitOps is ${gitOpsText(own)}; expected no value with cluster: the fleet goes out through its cluster's controller, as the cluster's gitOps says. `
      + 'Drop it, and give the cluster gitOps.');
  }
  const gitOps = cluster ? APPLIED_BY.get(cluster) : own;
  if (!gitOps) return watchSubstitution(fleet, owner, cluster ? 'give its cluster gitOps' : 'give the fleet gitOps');
  for (const child of fleet.node.findAll()) {
    if (child instanceof ApiObject) for (const [key, value] of Object.entries(gitOps._fleetAnnotations)) child.metadata.addAnnotation(key, value);
  }
}

const NO_SUBSTITUTION = 'kustomize.toolkit.fluxcd.io/substitute';

/**
 * A Flux Kustomization with `postBuild.substitute` or `substituteFrom` runs envsubst over every
 * object not annotated (or labelled) `kustomize.toolkit.fluxcd.io/substitute: disabled`, whether
 * or not the app said it uses Flux: `${name}` becomes the variable's value ("" when unset) and `$$`
 * one `$`, so a dynamic config value, an env value or a password command the app gives would be
 * applied changed, without a word. Platforms often substitute into everything they apply. The
 * library's own text holds neither (lib/pod/shell-expand.ts), so only the app's can; when the app
 * did not say how it is applied, the synth names the first such text and how to say it (in the
 * command's summary, or on stderr under plain `cdk8s synth`). The walk renders the objects, so it
 * runs only when a warning would be seen.
 */
function watchSubstitution(scope: IConstruct, owner: string, remedy: string): void {
  const note = (json: RenderedJson): string | undefined => {
    const hits = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => ({ object: `${o.kind}/${o.name}`, json: json(o) }))
      .filter(({ json }) => json.metadata?.annotations?.[NO_SUBSTITUTION] !== 'disabled' && json.metadata?.labels?.[NO_SUBSTITUTION] !== 'disabled')
      .map(({ object, json }) => ({ object, text: writtenWithoutSubstitution(json) ? undefined : substitutedText(json) })).filter((h) => h.text !== undefined);
    if (hits.length === 0) return undefined;
    const others = hits.length > 1 ? ` (and ${hits.length - 1} other object${hits.length > 2 ? 's' : ''})` : '';
    return `${owner}: ${hits[0].object}${others} holds ${JSON.stringify(hits[0].text)}, which a Flux Kustomization with post-build `
      + 'substitution would apply changed (${name} becomes the variable, "" when unset; $$ becomes $). If Flux applies the output, '
      + `${remedy}: GitOps.flux(), which keeps every object as written; if another tool does, say which (GitOps.kubectl(), GitOps.argoCd()) to silence this warning.`;
  };
  // app.synth() validates the whole app once for every chart it writes, and this walk renders every
  // object of the scope: with a chart per fleet it rendered the app once per chart (100 fleets took
  // 5 s). Nothing changes the objects while a synth writes them, so the walk runs once.
  let looked = false;
  scope.node.addValidation(ownValidation({
    // Under a fast synth the objects are read as written, not rendered once more here (lib/rendered-checks.ts).
    validate: () => {
      if (looked || !summaryCollected() || checkWhenRendered(scope, note)) return [];
      looked = true;
      return summaryWarning(note((o) => o.toJson()));
    },
  }));
}

/**
 * The first string (value or key) in `value` that holds `${` or `$$`, cut around it. It reads every
 * string the cluster writes: a string without a `$` is passed over without the pattern, and a map's
 * keys are read without a list of its entries.
 */
function substitutedText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.indexOf('$') < 0) return undefined;
    const at = value.search(/\$\{|\$\$/);
    return at < 0 ? undefined : value.slice(Math.max(0, at - 20), at + 20);
  }
  if (value === null || typeof value !== 'object') return undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const found = substitutedText(keys[i]) ?? substitutedText((value as Record<string, unknown>)[keys[i]]);
    if (found !== undefined) return found;
  }
  return undefined;
}
