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
 * The script is the same text for every store of every cluster, and no prop (a database name, say)
 * is ever part of what the shell parses. A store's connection settings sit beside it in the same
 * ConfigMap, one file per env var (`<store>.<NAME>`), written once per cluster instead of once per
 * init container of every role; the script exports them as they are, byte for byte (the `x` keeps
 * a trailing newline that `$(...)` would cut). What differs per container stays in its env: the
 * credentials from Secrets, and the schema version its own release needs, so that a pod of the
 * previous release that restarts during an upgrade still waits for its own version only.
 */
export const SCHEMA_WAIT_SCRIPT = [
  'set -u',
  'store="${1:?usage: wait-for-schema.sh STORE (the prefix of its settings files beside this script)}"',
  'loaded=0',
  'for setting in "${0%/*}/$store".*; do',
  '  [ -f "$setting" ] || continue',
  '  value=$(cat "$setting"; echo x)',
  '  export "${setting##*.}=${value%x}"',
  '  loaded=1',
  'done',
  'if [ "$loaded" = 0 ]; then echo "no settings for store $store beside $0" >&2; exit 1; fi',
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

/**
 * The store settings of the waits: every env var of a wait with a literal value, as the file
 * `<store>.<NAME>`. Values from Secrets stay in the containers' env.
 */
export function schemaWaitSettings(plans: readonly StoreSchemaPlan[], timing: SchemaWaitTiming): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const plan of plans) {
    const literal: [string, string][] = [
      ...plan.waitEnv.flatMap((e): [string, string][] => (e.value === undefined || e.valueFrom ? [] : [[e.name, e.value]])),
      ['SCHEMA_WAIT_TOOL', plan.wait!.tool],
      ['SCHEMA_WAIT_STORE', plan.wait!.store],
      ['SCHEMA_WAIT_ATTEMPTS', String(timing.attempts)],
      ['SCHEMA_WAIT_INTERVAL_SECONDS', String(timing.intervalSeconds)],
    ];
    for (const [name, value] of literal) settings[`${plan.role}.${name}`] = value;
  }
  return settings;
}

/** The script's ConfigMap with the waits' settings, once per cluster, and the volume that mounts it in the servers' init containers. */
export function emitSchemaWaitScript(scope: Construct, metadata: { name: string; namespace: string; labels: Record<string, string> },
  plans: readonly StoreSchemaPlan[], timing: SchemaWaitTiming): VolumeSet {
  new KubeConfigMap(scope, 'SchemaWait', { metadata, data: { [SCHEMA_WAIT_FILE]: SCHEMA_WAIT_SCRIPT, ...schemaWaitSettings(plans, timing) } });
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
export function schemaWaitContainer(plan: StoreSchemaPlan, image: string, volumeMounts: VolumeMount[]): Container {
  return {
    name: `wait-for-${plan.role}-schema`,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', `${SCHEMA_WAIT_DIR}/${SCHEMA_WAIT_FILE}`, plan.role],
    env: [
      ...plan.waitEnv.filter((e) => e.valueFrom),
      { name: 'SCHEMA_WAIT_VERSION', value: plan.requiredVersion! },
    ],
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts,
    resources: SCHEMA_RESOURCES,
  };
}
