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
 * a trailing newline that `$(...)` would cut). What differs per container stays in the container:
 * the credentials from Secrets, and the schema version its own release needs (`<store>=<version>`
 * in its arguments), so that a pod of the previous release that restarts during an upgrade still
 * waits for its own version only.
 *
 * One container waits for every store in turn, each in a subshell of its own, so that no store's
 * settings reach another's wait. Its env names a store's Secret values `<NAME>_<STORE>`
 * (SQL_PASSWORD_DEFAULT, SQL_PASSWORD_VISIBILITY); the file `<store>.SCHEMA_WAIT_SECRET_ENV` lists
 * the names, and the script exports each as `<NAME>` for that store's wait. The names are the
 * library's, checked to be upper-case identifiers before the shell reads them. A container that
 * waits for one store (one that runs a password command: the wrapper exports SQL_PASSWORD) gives
 * them without the suffix, and so did the containers of earlier library versions, whose `<store>`
 * argument carries no version (they set SCHEMA_WAIT_VERSION); both still work with this script.
 */
export const SCHEMA_WAIT_SCRIPT = [
  'set -u',
  'if [ "$#" = 0 ]; then echo "usage: wait-for-schema.sh STORE[=VERSION]... (the prefix of each store\'s settings files beside this script)" >&2; exit 2; fi',
  'for arg do (',
  '  store=${arg%%=*}',
  '  case "$arg" in *=*) export SCHEMA_WAIT_VERSION="${arg#*=}";; esac',
  '  loaded=0',
  '  for setting in "${0%/*}/$store".*; do',
  '    [ -f "$setting" ] || continue',
  '    value=$(cat "$setting"; echo x)',
  '    export "${setting##*.}=${value%x}"',
  '    loaded=1',
  '  done',
  '  if [ "$loaded" = 0 ]; then echo "no settings for store $store beside $0" >&2; exit 1; fi',
  '  suffix=$(echo "$store" | tr a-z- A-Z_)',
  '  for name in ${SCHEMA_WAIT_SECRET_ENV:-}; do',
  '    case "${name}_$suffix" in *[!A-Z0-9_]*) echo "not an env var name: ${name}_$suffix" >&2; exit 1;; esac',
  '    eval "if [ -n \\"\\${${name}_$suffix+x}\\" ]; then export $name=\\"\\$${name}_$suffix\\"; fi"',
  '  done',
  '  probe="${TMPDIR:-/tmp}/schema-probe"',
  '  mkdir -p "$probe/not-a-version"',
  '  attempt=1',
  '  while [ "$attempt" -le "$SCHEMA_WAIT_ATTEMPTS" ]; do',
  '    if out=$("$SCHEMA_WAIT_TOOL" update-schema -d "$probe" --version "$SCHEMA_WAIT_VERSION" 2>&1); then',
  '      echo "schema of $SCHEMA_WAIT_STORE is at $SCHEMA_WAIT_VERSION"; exit 0',
  '    fi',
  '    case "$out" in *"must be less than end version"*)',
  '      echo "schema of $SCHEMA_WAIT_STORE is newer than $SCHEMA_WAIT_VERSION, which this server accepts"; exit 0;;',
  '    esac',
  '    echo "waiting for the schema job: $SCHEMA_WAIT_STORE is not yet at schema $SCHEMA_WAIT_VERSION (attempt $attempt of $SCHEMA_WAIT_ATTEMPTS): $(echo "$out" | tail -n 1)"',
  '    attempt=$((attempt + 1))',
  '    sleep "$SCHEMA_WAIT_INTERVAL_SECONDS"',
  '  done',
  '  echo "gave up: $SCHEMA_WAIT_STORE did not reach schema $SCHEMA_WAIT_VERSION; check the schema job\'s logs" >&2',
  '  exit 1',
  ') || exit 1',
  'done',
  '',
].join('\n');

/** How long each wait tries, and how often. */
export interface SchemaWaitTiming {
  readonly attempts: number;
  readonly intervalSeconds: number;
}

/**
 * The store settings of the waits: every env var of a wait with a literal value, as the file
 * `<store>.<NAME>`. Values from Secrets stay in the containers' env; `SCHEMA_WAIT_SECRET_ENV` names
 * them, for the containers that wait for several stores.
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
    const secret = plan.waitEnv.filter((e) => e.valueFrom).map((e) => e.name);
    if (secret.length > 0) literal.push(['SCHEMA_WAIT_SECRET_ENV', secret.join(' ')]);
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

/** The suffix of a store's Secret env vars in a container that waits for several stores: `_DEFAULT`, `_SECONDARY_VISIBILITY`. */
function schemaWaitEnvSuffix(role: string): string {
  return `_${role.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The init container that holds a server pod until each store of `plans` reports the schema the
 * release needs, one store after the other, so that servers applied together with the schema Jobs
 * wait for them instead of crash-looping on "version mismatch". One store's wait is named after it
 * (`wait-for-default-schema`) and takes its Secret values under their own names; a wait for several
 * stores is `wait-for-schema`, and takes each store's as `<NAME>_<STORE>`.
 */
export function schemaWaitContainer(plans: readonly StoreSchemaPlan[], image: string, volumeMounts: VolumeMount[]): Container {
  if (plans.length === 0) throw new Error('schemaWaitContainer: no store to wait for');
  const one = plans.length === 1;
  return {
    name: one ? `wait-for-${plans[0].role}-schema` : 'wait-for-schema',
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', `${SCHEMA_WAIT_DIR}/${SCHEMA_WAIT_FILE}`, ...plans.map((plan) => `${plan.role}=${plan.requiredVersion!}`)],
    env: plans.flatMap((plan) => plan.waitEnv.filter((e) => e.valueFrom).map((e) => (one ? e : { ...e, name: `${e.name}${schemaWaitEnvSuffix(plan.role)}` }))),
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts,
    resources: SCHEMA_RESOURCES,
  };
}
