import { Duration } from 'cdk8s';
import { isBuiltByCluster, outsideCluster } from '../cluster/built-by-cluster';
import { namespaceJobName } from '../cluster/object-names';
import { Construct } from 'constructs';
import { KubeJob } from '../../imports/k8s';
import { SHELL_EXPAND } from '../pod/shell-expand';
import { checkSearchAttributes, SEARCH_ATTRIBUTE_FUNCTIONS, SEARCH_ATTRIBUTES_STEP, SearchAttribute, VisibilityKind } from './search-attributes';
import { checkedToolPodProps, frontendClientJob, FrontendClientJobProps, WAIT_FOR_FRONTEND } from './tool-job';
import { byCodeUnits, propError, plainProps, requireTemporalNamespaceName } from '../validation';
import type { ArchivalOptions } from '../config/archival';
import type { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { checkNamespaceLengths } from '../config/id-length';
import { serverDurationMs } from '../config/dynamic-config-types';
import { ownValidation } from '../own-validation';
import { ARGOCD_INSTANCE_LABEL, ARGOCD_LONGEST_APPLICATION, ARGOCD_TRACKING_ANNOTATION, clientSideApplyAnnotationBytes, LAST_APPLIED_ANNOTATION, MAX_ANNOTATIONS_BYTES, withLongestArgoCdTracking } from './last-applied';

/** A Temporal namespace the cluster creates once its frontend answers. */
export interface TemporalNamespace {
  /**
   * Namespace name. Names that differ only in case are one namespace on MySQL, and are refused, as
   * is `temporal-system`, the server's own.
   */
  readonly name: string;
  /**
   * How long closed workflows are kept, in whole hours: at least one hour (the server's minimum for
   * the local namespaces the Job creates, `system.namespaceMinRetentionLocal`, or the cluster's own
   * value of that key when higher) and at most 100 years (the server caps longer ones).
   */
  readonly retention: Duration;
  /**
   * Description. The Job sets a changed one on the namespace; the server cannot clear one, so a
   * description removed from the app stays on the namespace. The Job holds every description
   * twice, and `kubectl apply` (client-side) copies the Job into an annotation the API server holds
   * to 256 KiB: all the descriptions together are held to about 125 KiB of plain text (less with
   * `<`, `>`, `&` or control characters, which kubectl writes escaped).
   * @default - none
   */
  readonly description?: string;
  /**
   * Custom search attributes of the namespace. The Job adds the missing ones, leaves those with the
   * same type alone, and fails on a type clash; it never removes one. On a SQL visibility store a
   * namespace may have at most 10 Keyword attributes and 3 of each other type.
   * @default - none
   */
  readonly searchAttributes?: SearchAttribute[];
}

export interface NamespaceBootstrapProps extends FrontendClientJobProps {
  readonly clusterName: string;
  readonly namespaces: TemporalNamespace[];
  /** The kind of visibility store, whose limits the search attributes must fit. */
  readonly visibility: VisibilityKind;
  /**
   * The cluster's dynamic config, whose limit.maxIDLength the names must fit once every value is in.
   * @default - the names are held to the server's default limit only
   */
  readonly dynamicConfig?: DynamicConfig;
  /**
   * The cluster's archival: each kind whose `namespaceDefault` is on is turned on, at the cluster's
   * URI, in a listed namespace that exists with that archival never enabled.
   * @default - no archival
   */
  readonly archival?: ArchivalOptions;
}

/** The namespace the server creates for its own system workflows. */
const SYSTEM_NAMESPACE = 'temporal-system';

/** The server's floor of the local namespaces' retention (its default is an hour). */
const MIN_RETENTION_LOCAL = 'system.namespaceMinRetentionLocal';

/** The server caps a retention at 100 years of 365 days (common/primitives/timestamp/duration.go). */
const MAX_RETENTION_HOURS = 100 * 365 * 24;

/*
 * Describe first, create only what is missing, set the declared retention and description on a
 * namespace that has others (a changed one makes a new Job, which would otherwise find the
 * namespace and do nothing), and retry until the frontend answers: the Job runs
 * alongside the servers and may start long before they are up. Names and retentions arrive as
 * positional arguments, never spliced into the script, so no value can change what the shell runs:
 * per namespace its name, retention, description (as is, and as protojson writes it) and the number of search attributes, then a name
 * and a type for each of those. The search-attribute part is in the script only when a namespace
 * declares one.
 */
function script(withAttributes: boolean, archived: readonly ArchivalKind[]): string {
  return [
    'set -u',
    SHELL_EXPAND,
    WAIT_FOR_FRONTEND,
    ...(withAttributes ? [SEARCH_ATTRIBUTE_FUNCTIONS] : []),
    'while [ "$#" -ge 5 ]; do',
    '  ns=$1; count=$5',
    '  if described=$(temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$1" -o jsonl 2>/dev/null); then',
    // protojson writes the retention as a Duration, "259200s"; one that is not the declared one is set.
    '    have=$(printf "%s\\n" "$described" | sed -n "s/.*\\"workflowExecutionRetentionTtl\\": *\\"\\([0-9]*\\)s\\".*/\\1/p")',
    '    retention=$2; expand_param hours \'retention%h\'; was="$have"s; [ -n "$have" ] || was=unknown',
    '    if [ "$have" = "$((hours * 3600))" ]; then',
    '      echo "namespace $1 exists"',
    '    else',
    '      temporal operator namespace update --address "$TEMPORAL_ADDRESS" --namespace "$1" --retention "$2" >/dev/null && echo "namespace $1 exists; retention set to $2 (it was $was)" || exit 1',
    '    fi',
    // $4 is the description as protojson writes it (quoted, escaped): an unescaped quote ends a JSON
    // string, so only the description field itself, with exactly that value, matches. The server
    // cannot clear a description (an update with an empty one changes nothing): an empty one is left.
    '    case "$described" in *"\\"description\\":$4"*|*"\\"description\\": $4"*) ;; *)',
    '      if [ -n "$3" ]; then temporal operator namespace update --address "$TEMPORAL_ADDRESS" --namespace "$1" --description "$3" >/dev/null && echo "namespace $1: description set" || exit 1; fi;;',
    '    esac',
    ...archived.map(archivalStep),
    '  else',
    '    temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$1" --retention "$2" --description "$3" && echo "namespace $1 created" || exit 1',
    '  fi',
    '  shift 5',
    ...(withAttributes ? [SEARCH_ATTRIBUTES_STEP] : []),
    'done',
  ].join('\n');
}

type ArchivalKind = 'history' | 'visibility';

/*
 * The server gives a namespace the cluster's archival default (state and URI) only when it creates
 * it: one created before archival was configured, or while namespaceDefault was off, keeps archival
 * never enabled (disabled, no URI) until someone turns it on, and its closed workflows are deleted at the end of the
 * retention without an archive, while the config says namespaces archive by default. For a listed
 * namespace with no URI of that kind, the step turns it on, and the server gives it the cluster's
 * URI (archival_config_state_machine.go: disabled without a URI, enabled without one, takes the
 * default). A namespace with a URI was enabled once: turned off since, it is left as it is, as the
 * server keeps a namespace's URI for life.
 */
function archivalStep(kind: ArchivalKind): string {
  const hasUri = (json: string) => `printf "%s\\n" "${json}" | grep -q '"${kind}ArchivalUri": *"[^"]'`;
  return `    if ! ${hasUri('$described')}; then `
    // The server checks the URI as it turns archival on (an S3 or GCS bucket must exist and answer):
    // a refusal fails the Job, as creating a namespace would, with the reason and where to look.
    + `temporal operator namespace update --address "$TEMPORAL_ADDRESS" --namespace "$1" --${kind}-archival-state enabled >/dev/null `
    + `|| { echo "namespace $1: turning ${kind} archival on failed (the error above): the server checks the cluster's ${kind} archival URI as it does so; create its bucket or let the servers reach it, or set archival.${kind}.namespaceDefault to false"; exit 1; }; `
    // The server skips the archival part of an update while its dynamic config holds that archival
    // disabled or paused (system.<kind>ArchivalState), and the update succeeds all the same.
    + `if now=$(temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$1" -o jsonl 2>/dev/null) && ${hasUri('$now')}; then `
    + `echo "namespace $1: ${kind} archival enabled (it was never enabled)"; `
    + `else echo "namespace $1: ${kind} archival is still off: the server did not turn it on (is system.${kind}ArchivalState disabled or paused in the dynamic config?)"; fi; fi`;
}

/**
 * Creates Temporal namespaces after the frontend is up, idempotently. Its name carries a hash of
 * its whole spec (see frontendClientJob), so a changed list, script or release makes a new Job
 * instead of editing an immutable one. Built by `TemporalCluster` (`namespaces`): one built outside it
 * is refused.
 */
export class NamespaceBootstrap extends Construct {
  public readonly name: string;
  public readonly resource: KubeJob;
  /** The Temporal namespaces the Job creates, in the order declared. */
  public readonly namespaceNames: string[];

  constructor(scope: Construct, id: string, props: NamespaceBootstrapProps) {
    super(scope, id);
    props = checkedToolPodProps(`NamespaceBootstrap '${id}'`, plainProps(`NamespaceBootstrap '${id}'`, props, 'NamespaceBootstrapProps'));
    const owner = `TemporalCluster '${props.clusterName}'`;
    // Keyed lower-cased: MySQL's default collation makes the namespaces table's unique name
    // case-insensitive, so there "Orders" finds "orders" and the Job would skip creating it.
    const seen = new Map<string, string>();
    const groups: Array<{ name: string; args: string[] }> = [];
    let withAttributes = false;
    const retentions: Array<{ prop: string; hours: number }> = [];
    // On Elasticsearch the attributes belong to the index, which every namespace shares; on SQL each namespace maps its own columns.
    const indexTypes = new Map<string, { type: string; where: string }>();
    if (!Array.isArray(props.namespaces)) throw propError(owner, 'namespaces', props.namespaces, 'a list of namespaces, such as [{ name: \'default\', retention: Duration.days(3) }]');
    props.namespaces.forEach((ns, i) => {
      // A bare name from a config file failed with a TypeError that named no prop. A null or an
      // undefined entry never gets here: the props' copy refuses it (plain-data.ts), on both ways in.
      if (typeof ns !== 'object' || Array.isArray(ns)) {
        throw propError(owner, `namespaces[${i}]`, ns, 'a namespace: { name, retention }, such as { name: \'orders\', retention: Duration.days(3) }');
      }
      requireTemporalNamespaceName(owner, `namespaces[${i}].name`, ns.name);
      // The server creates temporal-system itself: the Job would find it and set the retention and search attributes of the system workflows' namespace.
      if (ns.name.toLowerCase() === SYSTEM_NAMESPACE) {
        throw propError(owner, `namespaces[${i}].name`, ns.name, `a namespace of the application, not ${SYSTEM_NAMESPACE}${ns.name === SYSTEM_NAMESPACE ? '' : ' in any case (one namespace on MySQL)'}`,
          `The server creates ${SYSTEM_NAMESPACE} for its own system workflows; the Job would find it and change its retention (7 days) to the declared one. Declare a namespace of your own.`);
      }
      const twin = seen.get(ns.name.toLowerCase());
      if (twin === ns.name) throw propError(owner, `namespaces[${i}].name`, ns.name, 'a name not listed twice');
      if (twin !== undefined) {
        throw propError(owner, `namespaces[${i}].name`, ns.name, `a name not listed twice; "${twin}" differs only in case`,
          'On MySQL the two are one namespace (its default collation ignores case), so the Job would find the first and never create the second. Use one spelling.');
      }
      seen.set(ns.name.toLowerCase(), ns.name);
      // From a config file retention is a number or '72h', not a Duration, which failed with a TypeError.
      const duration = typeof ns.retention?.toHours === 'function';
      const hours = duration ? ns.retention.toHours({ integral: false }) : NaN;
      // The Job creates local namespaces (no --global): the server's floor is system.namespaceMinRetentionLocal,
      // 1h by default (a day is the floor of global ones only).
      if (!(hours >= 1) || !Number.isInteger(hours)) {
        throw propError(owner, `namespaces[${i}].retention`, duration ? `${hours}h` : ns.retention,
          'a whole number of hours, at least 1 (the server\'s default system.namespaceMinRetentionLocal for the local namespaces the Job creates)',
          duration ? undefined : 'Give a Duration from cdk8s, such as Duration.days(3).');
      }
      if (hours > MAX_RETENTION_HOURS) {
        throw propError(owner, `namespaces[${i}].retention`, `${hours}h`, `at most ${MAX_RETENTION_HOURS}h (100 years)`,
          'The server silently caps a longer retention at 100 years, and past about 292 years the CLI cannot even parse it and the Job fails.');
      }
      if (ns.description !== undefined && ns.description !== null && typeof ns.description !== 'string') {
        throw propError(owner, `namespaces[${i}].description`, ns.description, 'a string', 'The Job hands the description to the CLI as one argument.');
      }
      checkArgumentText(owner, `namespaces[${i}].description`, ns.description ?? '');
      const attributes = checkSearchAttributes(owner, `namespaces[${i}].searchAttributes`, ns.searchAttributes, props.visibility);
      if (props.visibility === VisibilityKind.ELASTICSEARCH) {
        attributes.forEach((a, j) => {
          const first = indexTypes.get(a.name);
          if (first && first.type !== a.type) {
            throw propError(owner, `namespaces[${i}].searchAttributes[${j}].type`, a.type, `${first.type}, the type ${first.where} gives ${a.name}: on Elasticsearch visibility the custom search attributes are the index's, shared by every namespace`,
              `The Job would find ${a.name} as ${first.type} when it reaches namespace ${ns.name} and fail there; give both the same type, or use another name.`);
          }
          if (!first) indexTypes.set(a.name, { type: a.type, where: `namespaces[${i}] (${ns.name})` });
        });
      }
      retentions.push({ prop: `namespaces[${i}].retention`, hours });
      withAttributes ||= attributes.length > 0;
      const sortedAttributes = [...attributes].sort((a, b) => byCodeUnits(a.name, b.name));
      groups.push({ name: ns.name, args: [ns.name, `${hours}h`, ns.description ?? '', JSON.stringify(ns.description ?? ''), String(attributes.length), ...sortedAttributes.flatMap((a) => [a.name, a.type])] });
    });
    // In one order, whatever the app's: no namespace or attribute depends on another (each step
    // creates or updates its own, an index-wide attribute's type clash is refused above), so a
    // reordered list ran the same steps under another Job name, and ran them again.
    const args = groups.sort((a, b) => byCodeUnits(a.name, b.name)).flatMap((g) => g.args);
    checkArgumentsTotal(owner, props.namespaces, args);
    this.namespaceNames = [...seen.values()];
    const names = props.namespaces.map((ns, i) => ({ prop: `namespaces[${i}].name`, name: ns.name }));
    if (props.dynamicConfig) {
      checkNamespaceLengths(this, owner, names, props.dynamicConfig);
      const dynamicConfig = props.dynamicConfig;
      // Once every value is in: the floor may be added after the namespaces, with cluster.dynamicConfig.add().
      // Values added with cluster.dynamicConfig.add() after the props (those are checked before anything is built).
      this.node.addValidation(ownValidation({ validate: () => [...retentionFloorErrors(owner, retentions, dynamicConfig),
        ...constraintNamespaceErrors(owner, 'dynamicConfig', this.namespaceNames, dynamicConfig.valuesOf())] }));
    }
    if (!isBuiltByCluster(props.clientEnv)) throw outsideCluster(`NamespaceBootstrap '${id}'`, 'clientEnv', 'the namespace Job');
    ({ name: this.name, resource: this.resource } = frontendClientJob(this, props, {
      name: 'create-namespaces', script: script(withAttributes, (['history', 'visibility'] as const).filter((k) => props.archival?.[k] && (props.archival[k]!.namespaceDefault ?? true))), args, jobName: (hash) => namespaceJobName(props.clusterName, hash),
    }));
    // Once every label and annotation is on the Job (the GitOps ones, a chart's, the app's own).
    const job = this.resource;
    this.node.addValidation(ownValidation({ validate: () => lastAppliedErrors(owner, props.namespaces, clientSideApplyAnnotationBytes(withLongestArgoCdTracking(job.toJson()))) }));
  }
}

/** The kernel's limit on one argument of a process (MAX_ARG_STRLEN, 32 pages of 4 KiB), its terminating NUL included. */
const MAX_ARGUMENT_BYTES = 32 * 4096;

/**
 * Text the Job hands its script as an argument, as is and JSON-escaped (the longer of the two): the
 * kernel ends an argument at a NUL, which the container runtime refuses ("invalid argument"), and
 * refuses a longer argument (E2BIG). Either way the container never starts, and the Job fails on
 * every retry, long after the synth.
 */
function checkArgumentText(owner: string, prop: string, text: string): void {
  if (text.includes('\0')) {
    throw propError(owner, prop, text, 'text without a NUL character', 'The Job hands it to the CLI as a process argument, which cannot hold one: the container would never start.');
  }
  const bytes = Buffer.byteLength(JSON.stringify(text));
  if (bytes >= MAX_ARGUMENT_BYTES) {
    throw propError(owner, prop, `${text.slice(0, 40)}... (${bytes} bytes JSON-escaped)`, `at most ${MAX_ARGUMENT_BYTES - 1} bytes once JSON-escaped`,
      'The Job hands it to its script as a process argument, as is and JSON-escaped, and the kernel refuses a longer one (E2BIG): the container would never start. Shorten it.');
  }
}

/**
 * The bytes of all the namespaces' arguments together (each with its NUL). kubectl apply (client-side,
 * and Argo CD's default sync) copies the whole Job into its last-applied annotation, and the API
 * server holds an object's annotations to 256 KiB: each argument lands there at least as long as it
 * is, so arguments over that can never be applied so, whatever else the Job holds (the exact check,
 * of the rendered Job, is lastAppliedErrors). Under it etcd's 1.5 MiB and the kernel's 2 MiB of
 * arguments are far off.
 */
const MAX_ARGUMENTS_TOTAL_BYTES = MAX_ANNOTATIONS_BYTES;

/**
 * The remedy of a Job too large: the prop of a namespace that takes the most of it, a description
 * (in the Job twice, as is and JSON-escaped) or a list of search attributes (their names and types).
 */
function shortenLargest(namespaces: readonly TemporalNamespace[]): string {
  const sizes = namespaces.flatMap((ns, i) => [
    { prop: `namespaces[${i}].description`, bytes: Buffer.byteLength(ns.description ?? ''), weight: 2 },
    { prop: `namespaces[${i}].searchAttributes`, bytes: (ns.searchAttributes ?? []).reduce((sum, a) => sum + Buffer.byteLength(`${a.name}${a.type}`), 0), weight: 1 },
  ]);
  const largest = sizes.reduce((a, b) => (b.bytes * b.weight > a.bytes * a.weight ? b : a));
  const what = largest.prop.endsWith('description') ? 'Shorten the descriptions (each is in the Job twice, as is and JSON-escaped)' : 'Shorten or drop search attributes';
  return `${what}, the largest first: ${largest.prop} (${largest.bytes} bytes).`;
}

/** The namespaces' arguments together within MAX_ARGUMENTS_TOTAL_BYTES: each description is held to 128 KiB alone, not all of them. */
function checkArgumentsTotal(owner: string, namespaces: readonly TemporalNamespace[], args: readonly string[]): void {
  const total = args.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0);
  if (total <= MAX_ARGUMENTS_TOTAL_BYTES) return;
  throw propError(owner, 'namespaces', `${namespaces.length} namespaces, ${total} bytes of Job arguments`,
    `at most ${MAX_ARGUMENTS_TOTAL_BYTES} bytes of arguments in all (names, retentions, each description as is and JSON-escaped, search attributes)`,
    'One Job creates every namespace and takes them all as arguments, and kubectl apply (client-side, and Argo CD\'s default sync) copies the Job into its '
    + `${LAST_APPLIED_ANNOTATION} annotation, which the API server holds to ${MAX_ANNOTATIONS_BYTES} bytes with the object's other annotations. ${shortenLargest(namespaces)}`);
}

/**
 * The namespace Job, as rendered, too large for kubectl apply (client-side): its annotations once
 * applied over the API server's limit, with Argo CD's tracking at its longest on it (an exact Job at
 * the limit would fail under Argo CD's sync alone).
 */
function lastAppliedErrors(owner: string, namespaces: readonly TemporalNamespace[], bytes: number): string[] {
  if (bytes <= MAX_ANNOTATIONS_BYTES) return [];
  return [propError(owner, 'namespaces', `${namespaces.length} namespaces, a namespace Job whose annotations would be ${bytes} bytes once applied with kubectl apply (client-side) under Argo CD's tracking at its longest`,
    `a namespace Job whose annotations, with the ${LAST_APPLIED_ANNOTATION} copy of the whole Job that kubectl apply adds and Argo CD's ${ARGOCD_TRACKING_ANNOTATION} `
    + `annotation and ${ARGOCD_INSTANCE_LABEL} label at their longest (an application name of ${ARGOCD_LONGEST_APPLICATION} characters, <namespace>_<name>), are at most ${MAX_ANNOTATIONS_BYTES} bytes`,
    `The API server refuses more ("metadata.annotations: Too long: may not be more than ${MAX_ANNOTATIONS_BYTES} bytes"), so kubectl apply and Argo CD's default sync fail on the Job. ${shortenLargest(namespaces)}`).message];
}

/**
 * Retentions under the cluster's own system.namespaceMinRetentionLocal, when it raises the floor
 * above the hour every retention is already held to: the server refuses to create such a namespace
 * or to set such a retention, so the Job fails on every retry. A global setting: one value, never
 * constrained to a namespace; one the server cannot read leaves its default.
 */
function retentionFloorErrors(owner: string, retentions: ReadonlyArray<{ prop: string; hours: number }>, dynamicConfig: DynamicConfig): string[] {
  const value = dynamicConfig.valuesOf(MIN_RETENTION_LOCAL)[0]?.value;
  const floorMs = serverDurationMs(value);
  if (floorMs === undefined) return [];
  return retentions.filter(({ hours }) => hours * 3_600_000 < floorMs).map(({ prop, hours }) =>
    propError(owner, prop, `${hours}h`, `at least ${floorMs / 3_600_000}h, the cluster's dynamic config ${MIN_RETENTION_LOCAL} (${JSON.stringify(value)}), the floor of the local namespaces the Job creates`,
      `The server refuses a shorter retention ("A valid retention period is not set on request."), so the Job would fail on every retry. Lengthen the retention, or lower ${MIN_RETENTION_LOCAL}.`).message);
}

/**
 * @internal
 * Dynamic config values constrained to a declared namespace spelt in another case: the server
 * matches the namespace constraint exactly (names are case-sensitive), so each would apply to no
 * namespace and the default would stay. `prop` is where the values were given.
 */
export function constraintNamespaceErrors(owner: string, prop: string, names: readonly string[], values: readonly DynamicConfigValue[]): string[] {
  return values.flatMap((value) => {
    const ns = value.constraints.namespace;
    const declared = ns === undefined || names.includes(ns) ? undefined : names.find((n) => n.toLowerCase() === ns.toLowerCase());
    return declared === undefined ? [] : [propError(owner, `${prop} constraints.namespace of ${value.key}`, ns, `"${declared}", as namespaces declares it`,
      'The server matches the namespace constraint exactly (namespace names are case-sensitive), so the value would apply to no namespace and the default would stay.').message];
  });
}
