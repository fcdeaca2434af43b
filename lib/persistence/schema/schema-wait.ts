import { Construct } from 'constructs';
import { StoreSchemaPlan } from './schema-steps';
import { schemaWaitGroups, schemaWaitEnvSuffix, schemaWaitSecretEnv } from './schema-wait-env';
import { Container, KubeConfigMap, VolumeMount } from '../../../imports/k8s';
import { SCHEMA_RESOURCES } from '../../operations/tool-job';
import { CONTAINER_SECURITY_CONTEXT } from '../../pod/security-context';
import { libraryPullPolicy } from '../../pod/images';
import {
  namespaceCheckLines, POD_NAMESPACE_ENV, POD_NAMESPACE_ENV_NAME, POD_SERVICE_ACCOUNT_ENV, POD_SERVICE_ACCOUNT_ENV_NAME, serviceAccountCheckLines,
} from '../../pod/namespace-check';
import { SHELL_EXPAND } from '../../pod/shell-expand';
import { VolumeSet } from '../../pod/volumes';

/** Where the schema-wait script is mounted in the servers' init containers. */
export const SCHEMA_WAIT_DIR = '/etc/temporal/schema-wait';
export const SCHEMA_WAIT_FILE = 'wait-for-schema.sh';
/** The key of the schema-wait ConfigMap that holds the namespace the cluster was synthesized for. */
export const SYNTHESIZED_NAMESPACE_FILE = 'synthesized-namespace';
/** The key of the schema-wait ConfigMap that holds the server pods' ServiceAccount as synthesized. */
export const SYNTHESIZED_SERVICE_ACCOUNT_FILE = 'synthesized-service-account';
/**
 * The prefix of the schema-wait settings every store of the cluster has with the same value
 * (`stores.SQL_HOST`), which the script exports before the store's own `<store>.<NAME>`. No store
 * role is named `stores`.
 */
export const SHARED_SETTINGS_PREFIX = 'stores';
/** Where a pod's DNS search path, and so its namespace, is read: the kubelet writes it for every pod. */
const RESOLV_CONF = '/etc/resolv.conf';

/*
 * The schema tools have no read-only "what version is this" command. `update-schema` pointed at a
 * folder with no version directories and told to reach the required version answers without
 * writing anything (tools/common/schema/updatetask.go):
 *   - database at exactly that version: nothing to do, exit 0;
 *   - database newer: "start version ... must be less than end version", which the server accepts;
 *   - database older or missing: "end version ... specified but not found", so we wait.
 * The script is the same text for every store of every cluster, and no prop (a database name, say)
 * is ever part of what the shell parses. A store's connection settings sit beside it in the same
 * ConfigMap, one file per env var (`<store>.<NAME>`, or `stores.<NAME>` for a value every store
 * has), written once per cluster instead of once per init container of every role; the script
 * exports them as they are, byte for byte, the shared ones first (the `x` keeps a trailing newline
 * that `$(...)` would cut). What differs per container stays in the container:
 * the credentials from Secrets, and the schema version its own release needs (`<store>=<version>`
 * in its arguments), so that a pod of the previous release that restarts during an upgrade still
 * waits for its own version only.
 *
 * One container waits for every store in turn, each in a subshell of its own, so that no store's
 * settings reach another's wait. Its env names a store's Secret values `<NAME>_<STORE>`
 * (SQL_PASSWORD_DEFAULT, SQL_PASSWORD_VISIBILITY), once per Secret key: a store whose value is in
 * the same key of the same Secret as an earlier store's reads that store's var. The file
 * `<store>.SCHEMA_WAIT_SECRET_ENV` lists the names, each as `<NAME>` or, for a shared key,
 * `<NAME>=<VAR>` (SQL_PASSWORD=SQL_PASSWORD_DEFAULT), and the script exports `<NAME>` for that
 * store's wait from `<NAME>_<STORE>` when the container has it, else from `<VAR>`. The names are
 * the library's, checked to be upper-case identifiers before the shell reads them. A container that
 * waits for one store (one that runs a password command: the wrapper exports SQL_PASSWORD) gives
 * them without the suffix, and so did the containers of earlier library versions, whose `<store>`
 * argument carries no version (they set SCHEMA_WAIT_VERSION); the containers of the version before
 * this one carry every store's `<NAME>_<STORE>`, shared key or not, and read their own. All of them
 * still work with this script, which a rollout hands them when they restart.
 *
 * Before any store, the script checks the pod runs in the namespace the cluster was synthesized
 * for (the file `synthesized-namespace` beside it). The output names its namespace in places no
 * tool that moves objects rewrites: the frontend's address in the server config and the Jobs, the
 * certificates' DNS names, the admission policies' bindings, the network policies' peers and the
 * ServiceMonitor. A kustomize `namespace:` moves the objects and leaves those, so the cluster would
 * start with its guards bound to a namespace it is not in and its addresses pointing at another
 * (or at another cluster). Every server pod waits here, so none starts and the log says why (the
 * same check and message as every other pod's, lib/pod/namespace-check.ts). The namespace is the
 * container's POD_NAMESPACE, from the downward API, exact whatever the pod's DNS settings. A
 * container of an earlier library version has none, and still runs this script when it restarts
 * during the rollout that brings the var: it reads the pod's DNS search path instead (the kubelet
 * writes `<namespace>.svc.<domain>` first), and a search path without such an entry (a pod
 * `dnsConfig` of its own) leaves it unchecked.
 *
 * Then the ServiceAccount, against the file `synthesized-service-account`: a kustomize
 * `namePrefix`/`nameSuffix` renames it and the pods' `serviceAccountName` with it, but not the
 * Service names in the server config or the certificates, so a renamed copy of the cluster would
 * join the original's. The pod's comes from the downward API (POD_SERVICE_ACCOUNT); a container of
 * an earlier library version has none, and a ConfigMap of one no file, and either leaves it unchecked.
 */
export const SCHEMA_WAIT_SCRIPT = [
  'set -u',
  SHELL_EXPAND,
  'if [ "$#" = 0 ]; then echo "usage: wait-for-schema.sh STORE[=VERSION]... (the prefix of each store\'s settings files beside this script)" >&2; exit 2; fi',
  'expand_param dir \'0%/*\'',
  'want=$(cat "$dir/' + SYNTHESIZED_NAMESPACE_FILE + '" 2>/dev/null) || want=',
  'if [ -n "$want" ]; then',
  '  expand_param here \'' + POD_NAMESPACE_ENV_NAME + ':-\'',
  '  [ -n "$here" ] || here=$(sed -n \'s/^search[[:space:]][[:space:]]*\\([a-z0-9-]*\\)\\.svc\\..*/\\1/p\' ' + RESOLV_CONF + ' 2>/dev/null | tail -n 1)',
  '  if [ -n "$here" ]; then ' + namespaceCheckLines('$here', '$want') + '; fi',
  'fi',
  'want=$(cat "$dir/' + SYNTHESIZED_SERVICE_ACCOUNT_FILE + '" 2>/dev/null) || want=',
  'expand_param here \'' + POD_SERVICE_ACCOUNT_ENV_NAME + ':-\'',
  'if [ -n "$want" ] && [ -n "$here" ]; then ' + serviceAccountCheckLines('$here', '$want') + '; fi',
  'for arg do (',
  '  expand_param store \'arg%%=*\'',
  '  case "$arg" in *=*) expand_param SCHEMA_WAIT_VERSION \'arg#*=\'; export SCHEMA_WAIT_VERSION;; esac',
  '  loaded=0',
  '  for setting in "$dir/' + SHARED_SETTINGS_PREFIX + '".* "$dir/$store".*; do',
  '    [ -f "$setting" ] || continue',
  '    value=$(cat "$setting"; echo x)',
  '    expand_param setting_name \'setting##*.\'',
  '    expand_param value \'value%x\'',
  '    export "$setting_name=$value"',
  '    case "$setting" in "$dir/$store".*) loaded=1;; esac',
  '  done',
  '  if [ "$loaded" = 0 ]; then echo "no settings for store $store beside $0" >&2; exit 1; fi',
  '  suffix=$(echo "$store" | tr a-z- A-Z_)',
  '  expand_param secret_env \'SCHEMA_WAIT_SECRET_ENV:-\'',
  '  for entry in $secret_env; do',
  '    expand_param name \'entry%%=*\'',
  '    case "$entry" in *=*) expand_param from \'entry#*=\';; *) from="$name"_$suffix;; esac',
  '    for var in "$name" "$from" "$name"_$suffix; do',
  '      case "$var" in ""|[0-9]*|*[!A-Z0-9_]*) echo "not an env var name: $var" >&2; exit 1;; esac',
  '    done',
  '    for var in "$from" "$name"_$suffix; do',
  '      expand_param is_set "$var+x"',
  '      if [ -n "$is_set" ]; then expand_param "$name" "$var"; export "$name"; fi',
  '    done',
  '  done',
  // Temporal's PostgreSQL plugin writes the password into the connection URL with url.QueryEscape, which makes a space a "+" that stays one: no password with a space ever logs in.
  '  expand_param plugin \'SQL_PLUGIN:-\'',
  '  expand_param password \'SQL_PASSWORD:-\'',
  '  case "$plugin" in postgres*) case "$password" in *" "*)',
  '    echo "the password of $SCHEMA_WAIT_STORE holds a space, which Temporal\'s servers and temporal-sql-tool never log in with: their PostgreSQL plugin puts the password '
    + 'into the connection URL with url.QueryEscape, which turns a space into a \\"+\\" that PostgreSQL reads as a plus (password authentication failed). '
    + 'Change the password to one without spaces, in the database and in its Secret (or what the password command prints)." >&2; exit 1;;',
  '  esac;; esac',
  // The user goes into that URL unescaped, and Go's URL parser refuses a user with any other character (or reads : / ? # % as its own syntax).
  '  expand_param user \'SQL_USER:-\'',
  '  case "$plugin" in postgres*) case "$user" in *[!-A-Za-z0-9._~!$\\&\\\'\\(\\)*+,\\;=@]*)',
  '    echo "the user of $SCHEMA_WAIT_STORE holds a character other than ASCII letters, digits and - . _ ~ ! $ & \' ( ) * + , ; = @, which Temporal\'s servers and temporal-sql-tool never '
    + 'connect with: their PostgreSQL plugin puts the user into the connection URL unescaped, and Go\'s URL parser refuses it (invalid userinfo) or reads it as its own syntax. '
    + 'Use a user of those characters, in the database and in its Secret." >&2; exit 1;;',
  '  esac;; esac',
  '  expand_param probe \'TMPDIR:-/tmp\'',
  '  probe=$probe/schema-probe',
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
 * `<store>.<NAME>`, or `stores.<NAME>` once when every store (two or more) has the same value. Values from Secrets stay in the containers' env; `SCHEMA_WAIT_SECRET_ENV` names
 * them, and the var of an earlier store that carries a shared Secret key, for the containers that
 * wait for several stores.
 */
export function schemaWaitSettings(plans: readonly StoreSchemaPlan[], timing: SchemaWaitTiming): Record<string, string> {
  const sources = new Map(schemaWaitGroups(plans).flatMap((group) => [...schemaWaitSecretEnv(group).sources]));
  const perStore = plans.map((plan) => {
    const literal: [string, string][] = [
      ...plan.waitEnv.flatMap((e): [string, string][] => (e.value === undefined || e.valueFrom ? [] : [[e.name, e.value]])),
      ['SCHEMA_WAIT_TOOL', plan.wait!.tool],
      ['SCHEMA_WAIT_STORE', plan.wait!.store],
      ['SCHEMA_WAIT_ATTEMPTS', String(timing.attempts)],
      ['SCHEMA_WAIT_INTERVAL_SECONDS', String(timing.intervalSeconds)],
    ];
    const secret = plan.waitEnv.filter((e) => e.valueFrom).map((e) => {
      const from = sources.get(`${e.name}${schemaWaitEnvSuffix(plan.role)}`);
      return from === undefined ? e.name : `${e.name}=${from}`;
    });
    if (secret.length > 0) literal.push(['SCHEMA_WAIT_SECRET_ENV', secret.join(' ')]);
    return { role: plan.role, literal: new Map(literal) };
  });
  // A setting every store has with the same value is written once, under the shared prefix; each
  // store keeps its SCHEMA_WAIT_STORE, so that the script finds settings of its own for every store.
  const shared = new Map(perStore.length < 2 ? [] : [...perStore[0].literal].filter(([name, value]) =>
    name !== 'SCHEMA_WAIT_STORE' && perStore.every((store) => store.literal.get(name) === value)));
  const settings: Record<string, string> = {};
  for (const [name, value] of shared) settings[`${SHARED_SETTINGS_PREFIX}.${name}`] = value;
  for (const { role, literal } of perStore) {
    for (const [name, value] of literal) if (!shared.has(name)) settings[`${role}.${name}`] = value;
  }
  return settings;
}

/**
 * The script's ConfigMap with the waits' settings, once per cluster, and the volume that mounts it in
 * the servers' init containers. `serviceAccountName` is the server pods' ServiceAccount.
 */
export function emitSchemaWaitScript(scope: Construct, metadata: { name: string; namespace: string; labels: Record<string, string> },
  plans: readonly StoreSchemaPlan[], timing: SchemaWaitTiming, serviceAccountName: string): VolumeSet {
  new KubeConfigMap(scope, 'SchemaWait', {
    metadata,
    data: {
      [SCHEMA_WAIT_FILE]: SCHEMA_WAIT_SCRIPT, [SYNTHESIZED_NAMESPACE_FILE]: metadata.namespace, [SYNTHESIZED_SERVICE_ACCOUNT_FILE]: serviceAccountName,
      ...schemaWaitSettings(plans, timing),
    },
  });
  return {
    volumes: [{ name: 'schema-wait', configMap: { name: metadata.name } }],
    mounts: [{ name: 'schema-wait', mountPath: SCHEMA_WAIT_DIR, readOnly: true }],
  };
}

/**
 * The init container that holds a server pod until each store of `plans` reports the schema the
 * release needs, one store after the other, so that servers applied together with the schema Jobs
 * wait for them instead of crash-looping on "version mismatch". One store's wait is named after it
 * (`wait-for-default-schema`) and takes its Secret values under their own names; a wait for several
 * stores is `wait-for-schema`, and takes each store's as `<NAME>_<STORE>`, once per Secret key.
 */
export function schemaWaitContainer(plans: readonly StoreSchemaPlan[], image: string, volumeMounts: VolumeMount[]): Container {
  if (plans.length === 0) throw new Error('schemaWaitContainer: no store to wait for');
  const one = plans.length === 1;
  return {
    name: one ? `wait-for-${plans[0].role}-schema` : 'wait-for-schema',
    image,
    imagePullPolicy: libraryPullPolicy(image),
    command: ['sh', `${SCHEMA_WAIT_DIR}/${SCHEMA_WAIT_FILE}`, ...plans.map((plan) => `${plan.role}=${plan.requiredVersion!}`)],
    env: [POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV, ...schemaWaitSecretEnv(plans).env],
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts,
    resources: SCHEMA_RESOURCES,
  };
}
