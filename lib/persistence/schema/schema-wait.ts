import { Construct } from 'constructs';
import { StoreSchemaPlan } from './schema-steps';
import { Container, KubeConfigMap, VolumeMount } from '../../../imports/k8s';
import { SCHEMA_RESOURCES } from '../../operations/tool-job';
import { CONTAINER_SECURITY_CONTEXT } from '../../pod/security-context';
import { VolumeSet } from '../../pod/volumes';

/** Where the schema-wait script is mounted in the servers' init containers. */
export const SCHEMA_WAIT_DIR = '/etc/temporal/schema-wait';
export const SCHEMA_WAIT_FILE = 'wait-for-schema.sh';

/*
 * The schema tools have no read-only "what version is this" command. `update-schema` pointed at a
 * folder with no version directories and told to reach the required version answers without
 * writing anything (tools/common/schema/updatetask.go):
 *   - database at exactly that version: nothing to do, exit 0;
 *   - database newer: "start version ... must be less than end version", which the server accepts;
 *   - database older or missing: "end version ... specified but not found", so we wait.
 * The script is the same text for every store of every cluster: each container passes its own
 * values as env vars, so no prop (a database name, say) is ever part of what the shell parses.
 */
export const SCHEMA_WAIT_SCRIPT = [
  'set -u',
  'probe="${TMPDIR:-/tmp}/schema-probe"',
  'mkdir -p "$probe/not-a-version"',
  'attempt=1',
  'while [ "$attempt" -le "$SCHEMA_WAIT_ATTEMPTS" ]; do',
  '  if out=$("$SCHEMA_WAIT_TOOL" update-schema -d "$probe" --version "$SCHEMA_WAIT_VERSION" 2>&1); then',
  '    echo "schema of $SCHEMA_WAIT_STORE is at $SCHEMA_WAIT_VERSION"; exit 0',
  '  fi',
  '  case "$out" in *"must be less than end version"*)',
  '    echo "schema of $SCHEMA_WAIT_STORE is newer than $SCHEMA_WAIT_VERSION, which this server accepts"; exit 0;;',
  '  esac',
  '  echo "waiting for the schema job: $SCHEMA_WAIT_STORE is not yet at schema $SCHEMA_WAIT_VERSION (attempt $attempt of $SCHEMA_WAIT_ATTEMPTS): $(echo "$out" | tail -n 1)"',
  '  attempt=$((attempt + 1))',
  '  sleep "$SCHEMA_WAIT_INTERVAL_SECONDS"',
  'done',
  'echo "gave up: $SCHEMA_WAIT_STORE did not reach schema $SCHEMA_WAIT_VERSION; check the schema job\'s logs" >&2',
  'exit 1',
  '',
].join('\n');

/** How long each wait tries, and how often. */
export interface SchemaWaitTiming {
  readonly attempts: number;
  readonly intervalSeconds: number;
}

/** The script's ConfigMap, once per cluster, and the volume that mounts it in the servers' init containers. */
export function emitSchemaWaitScript(scope: Construct, metadata: { name: string; namespace: string; labels: Record<string, string> }): VolumeSet {
  new KubeConfigMap(scope, 'SchemaWait', { metadata, data: { [SCHEMA_WAIT_FILE]: SCHEMA_WAIT_SCRIPT } });
  return {
    volumes: [{ name: 'schema-wait', configMap: { name: metadata.name } }],
    mounts: [{ name: 'schema-wait', mountPath: SCHEMA_WAIT_DIR, readOnly: true }],
  };
}

/**
 * The init container that holds a server pod until its store reports the schema the release
 * needs, so that servers applied together with the schema Jobs wait for them instead of
 * crash-looping on "version mismatch".
 */
export function schemaWaitContainer(plan: StoreSchemaPlan, image: string, timing: SchemaWaitTiming, volumeMounts: VolumeMount[]): Container {
  return {
    name: `wait-for-${plan.role}-schema`,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', `${SCHEMA_WAIT_DIR}/${SCHEMA_WAIT_FILE}`],
    env: [
      ...plan.waitEnv,
      { name: 'SCHEMA_WAIT_TOOL', value: plan.wait!.tool },
      { name: 'SCHEMA_WAIT_VERSION', value: plan.requiredVersion! },
      { name: 'SCHEMA_WAIT_STORE', value: plan.wait!.store },
      { name: 'SCHEMA_WAIT_ATTEMPTS', value: String(timing.attempts) },
      { name: 'SCHEMA_WAIT_INTERVAL_SECONDS', value: String(timing.intervalSeconds) },
    ],
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts,
    resources: SCHEMA_RESOURCES,
  };
}
