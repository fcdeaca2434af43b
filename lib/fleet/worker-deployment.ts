import type { EnvVar } from '../../imports/k8s';
import { checkOptionsObject, propError } from '../validation';
import { VISIBILITY_LITERAL } from './running-workflows';

/** The env vars the fleet sets from `workerDeploymentVersion`, which KEDA reads too (`...FromEnv`). */
export const WORKER_DEPLOYMENT_NAME_ENV = 'TEMPORAL_WORKER_DEPLOYMENT_NAME';
export const WORKER_BUILD_ID_ENV = 'TEMPORAL_WORKER_BUILD_ID';

/**
 * The server's bound on each of the two (`ValidateDeploymentVersionFields`): half of
 * `limit.maxIDLength` (1000 by default) less the 39 bytes of the version workflow's ID prefix.
 */
const MAX_FIELD_BYTES = Math.floor((1000 - 39) / 2);

/**
 * The Worker Deployment Version (Temporal Worker Deployment Versioning) the fleet's pods run, for
 * a fleet whose workers are versioned: KEDA then scales on that version's backlog alone.
 */
export interface WorkerDeploymentVersion {
  /** The Worker Deployment's name, as the workers give it (`WorkerDeploymentOptions`): no `.` or `:`. */
  readonly deploymentName: string;
  /** The version's build ID, as the workers give it; e.g. the image's tag. */
  readonly buildId: string;
}

/**
 * The checked version, refused where the server or KEDA would refuse it: each non-empty, at most
 * 480 bytes, not starting with `__`, no `.` or `:` in the name (the version string's delimiters),
 * without surrounding whitespace or control characters (which no worker's setting would match),
 * and with `keepWhileWorkflowsRun` only `[A-Za-z0-9-_./:]` (KEDA's visibility query).
 */
export function checkWorkerDeploymentVersion(owner: string, prop: string, version: WorkerDeploymentVersion, keepWhileWorkflowsRun: boolean): WorkerDeploymentVersion {
  checkOptionsObject(owner, prop, version, { expected: 'a WorkerDeploymentVersion ({ deploymentName, buildId })', refuseNull: true });
  const field = (name: 'deploymentName' | 'buildId'): string => {
    const value = version[name];
    const at = `${prop}.${name}`;
    const what = name === 'deploymentName' ? 'the Worker Deployment\'s name' : 'the version\'s build ID';
    const fix = `Give ${what} exactly as the workers set it in their SDK's worker deployment options.`;
    if (typeof value !== 'string' || value.length === 0) throw propError(owner, at, value, `${what}: a non-empty string`, fix);
    if (value.trim() !== value || /[\u0000-\u001f\u007f]/.test(value)) {
      throw propError(owner, at, value, `${what} without leading or trailing whitespace or control characters`, `No worker's setting would match it. ${fix}`);
    }
    if (Buffer.byteLength(value, 'utf8') > MAX_FIELD_BYTES) {
      throw propError(owner, at, value, `at most ${MAX_FIELD_BYTES} bytes: the server's bound (half of limit.maxIDLength 1000, less its 39-byte prefix)`);
    }
    if (value.startsWith('__')) throw propError(owner, at, value, `${what} not starting with "__", which the server reserves`);
    if (name === 'deploymentName' && /[.:]/.test(value)) {
      throw propError(owner, at, value, 'a name without "." or ":", the delimiters of a version string, which the server refuses in it', fix);
    }
    if (keepWhileWorkflowsRun && !VISIBILITY_LITERAL.test(value)) {
      throw propError(owner, at, value, 'letters, digits and -_./: only, with keepWhileWorkflowsRun',
        'KEDA refuses other characters in the visibility query it runs; rename it or drop keepWhileWorkflowsRun.');
    }
    return value;
  };
  return { deploymentName: field('deploymentName'), buildId: field('buildId') };
}

/** The env the fleet's workers and KEDA read the version from. */
export function workerDeploymentEnv(version: WorkerDeploymentVersion | undefined): EnvVar[] {
  if (!version) return [];
  return [{ name: WORKER_DEPLOYMENT_NAME_ENV, value: version.deploymentName }, { name: WORKER_BUILD_ID_ENV, value: version.buildId }];
}

/** The trigger metadata that scales on the version's backlog (KEDA 2.20 and later). */
export function workerDeploymentTrigger(version: WorkerDeploymentVersion | undefined): Record<string, string> {
  if (!version) return {};
  return { workerDeploymentNameFromEnv: WORKER_DEPLOYMENT_NAME_ENV, workerDeploymentBuildIdFromEnv: WORKER_BUILD_ID_ENV };
}

/** Which backlog of a queue a fleet scales on: the unversioned one, or one version's. */
export function versionKey(version: WorkerDeploymentVersion | undefined): string | undefined {
  return version && JSON.stringify([version.deploymentName, version.buildId]);
}
