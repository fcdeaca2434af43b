import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { plainProps, propError } from '../validation';

/** Annotations for one kind of object. */
export interface GitOpsAnnotations {
  /** On schema and namespace Jobs. */
  readonly jobs: Record<string, string>;
  /** On everything else. */
  readonly others: Record<string, string>;
}

/** Argo CD options. */
export interface ArgoCdOptions {
  /**
   * Sync wave of the schema and namespace Jobs; everything else is in wave 0. With waves, Argo CD
   * waits for the Jobs to finish before it applies the servers. (The servers' schema waits keep
   * the order anyway; waves make the sync status tell the story.)
   * @default -1
   */
  readonly jobSyncWave?: number;
  /**
   * Run the Jobs as PreSync hooks instead of wave members. Hooks are deleted and recreated on each
   * sync, so a TTL-deleted Job never shows as missing.
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
    if (!Number.isInteger(wave) || wave >= 0) {
      throw propError('GitOps.argoCd', 'jobSyncWave', wave, 'a negative integer, so that the Jobs run before the servers (wave 0)');
    }
    const jobs: Record<string, string> = options.jobsAsPreSyncHooks
      ? { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' }
      : { 'argocd.argoproj.io/sync-wave': String(wave) };
    return new GitOps({ jobs, others: { 'argocd.argoproj.io/sync-wave': '0' } });
  }

  /**
   * Flux: lets the kustomize-controller recreate a Job whose spec changed (a Job's pod template is
   * immutable, and versioned names only cover upgrades), and keeps its post-build variable
   * substitution off every object. A Kustomization with `postBuild.substitute` or
   * `substituteFrom` runs envsubst over each object's YAML, where `${...}` is a variable (an unset
   * one becomes "") and `$$` one `$`: it would empty the scripts' `${1:?...}`, `${2%h}` and
   * `${setting##*.}`, the dashboard's `${datasource}`, and the `$$` written for the kubelet. Order
   * across Kustomizations is Flux's `dependsOn`; within this output the schema waits keep the order.
   */
  public static flux(): GitOps {
    const noSubstitution = { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' };
    return new GitOps({ jobs: { 'kustomize.toolkit.fluxcd.io/force': 'enabled', ...noSubstitution }, others: noSubstitution });
  }

  private constructor(public readonly annotations: GitOpsAnnotations) {}
}

/** Puts the GitOps annotations on every object under `scope`: the Jobs' set on `jobs`, the others' on the rest. */
export function annotateForGitOps(scope: IConstruct, gitOps: GitOps, jobs: ReadonlySet<ApiObject>): void {
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    const annotations = jobs.has(child) ? gitOps.annotations.jobs : gitOps.annotations.others;
    for (const [key, value] of Object.entries(annotations)) child.metadata.addAnnotation(key, value);
  }
}
