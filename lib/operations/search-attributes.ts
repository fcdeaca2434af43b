import { propError } from '../validation';

/** Types of custom search attributes (`temporal operator search-attribute create --type`). */
export enum SearchAttributeType {
  TEXT = 'Text',
  KEYWORD = 'Keyword',
  INT = 'Int',
  DOUBLE = 'Double',
  BOOL = 'Bool',
  DATETIME = 'Datetime',
  KEYWORD_LIST = 'KeywordList',
}

/** A custom search attribute of one Temporal namespace. */
export interface SearchAttribute {
  /**
   * Its name: a letter, then letters, digits or `_` (a rule of this library, so that the name means
   * the same to SQL and Elasticsearch visibility). Not a system or predefined name, and not
   * starting with `Temporal`: the server reserves those; nor one of them in another case, nor a
   * pre-allocated column of the SQL visibility schema such as `Keyword01` (rules of this library).
   */
  readonly name: string;
  readonly type: SearchAttributeType;
}

/** The kind of visibility store, which decides how many custom attributes of a type a namespace may have. */
export enum VisibilityKind {
  /** PostgreSQL or MySQL: pre-allocated columns per type, aliased per namespace. */
  SQL = 'sql',
  /** Elasticsearch: a mapping per index, without a count limit of the server's own. */
  ELASTICSEARCH = 'elasticsearch',
}

/*
 * The columns the SQL visibility schema pre-allocates per type (common/searchattribute/sadefs,
 * defaultNumDBCustomSearchAttributes, the same in 1.31 and 1.32; each visibility schema.sql has
 * Keyword01..Keyword10, Int01..Int03, and so on). The server's override
 * (visibility.persistenceCustomSearchAttributes) cannot add columns, so these are the limits.
 */
const SQL_LIMITS: Record<SearchAttributeType, number> = {
  [SearchAttributeType.TEXT]: 3,
  [SearchAttributeType.KEYWORD]: 10,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DOUBLE]: 3,
  [SearchAttributeType.BOOL]: 3,
  [SearchAttributeType.DATETIME]: 3,
  [SearchAttributeType.KEYWORD_LIST]: 3,
};

/*
 * Names the server refuses ("Search attribute X is reserved by system", sadefs.IsReserved in 1.32):
 * the system attributes, the predefined ones, internal field names, and anything starting with
 * "Temporal". The server compares them exactly (case-sensitively), so it takes "workflowId" or
 * "temporalTag" as a custom attribute beside the system one: a query on WorkflowId and one on
 * workflowId then read two fields, one letter apart. This library refuses them in any case.
 */
const RESERVED = new Set([
  'WorkflowId', 'RunId', 'WorkflowType', 'StartTime', 'ExecutionTime', 'CloseTime', 'ExecutionStatus', 'TaskQueue', 'HistoryLength',
  'ExecutionDuration', 'StateTransitionCount', 'HistorySizeBytes', 'ParentWorkflowId', 'ParentRunId', 'RootWorkflowId', 'RootRunId',
  'BinaryChecksums', 'BuildIds', 'BatcherNamespace', 'BatcherUser',
  'NamespaceId', 'Memo', 'MemoEncoding', 'VisibilityTaskKey',
]);
const RESERVED_PREFIX = 'Temporal';
const RESERVED_LOWER = new Map([...RESERVED].map((n) => [n.toLowerCase(), n]));
/*
 * The SQL visibility schema's pre-allocated columns (Keyword01..Keyword10, Int01..Int03, ...; the
 * server's sadefs.IsPreallocatedCSAFieldName: a type's name, then 01 to 99). The server takes one as
 * an alias, but maps it to whichever column of the type is free, so "Int01" may be stored in
 * column Int02 while another attribute holds Int01. The snake_case columns (status, memo,
 * close_time...) are never an alias's target nor looked up by a query's name, so they are allowed.
 */
const PREALLOCATED_COLUMN = /^(Bool|Datetime|Double|Int|Keyword|KeywordList|Text)(0[1-9]|[1-9][0-9])$/i;

/** Why a name is refused as a custom search attribute, or undefined. */
function reservedNameProblem(name: string): { expected: string; remedy: string } | undefined {
  const lower = name.toLowerCase();
  const system = RESERVED_LOWER.get(lower);
  const prefixed = lower.startsWith(RESERVED_PREFIX.toLowerCase());
  if (RESERVED.has(name) || name.startsWith(RESERVED_PREFIX)) {
    return { expected: `a name the server does not reserve (not a system attribute, not starting with "${RESERVED_PREFIX}")`, remedy: 'The server refuses it: "Search attribute is reserved by system".' };
  }
  if (system !== undefined || prefixed) {
    const like = system ?? `${RESERVED_PREFIX}...`;
    return {
      expected: `a name the server does not reserve in any case (it differs from ${like} only in case)`,
      remedy: `A rule of this library: the server compares names case-sensitively and would add it beside the system's ${like}, so a query's meaning would hang on one letter's case. Choose another name, such as Custom${name.charAt(0).toUpperCase()}${name.slice(1)}.`,
    };
  }
  if (PREALLOCATED_COLUMN.test(name)) {
    return {
      expected: 'a name other than a column of the SQL visibility schema (Keyword01..Keyword10, Int01..Int03, ... in any case)',
      remedy: 'A rule of this library: on SQL visibility the server maps an attribute to the first free column of its type, so an attribute named Int01 may be held in column Int02 while another one is held in column Int01. Use a name that says what it holds, such as CustomerId.',
    };
  }
  return undefined;
}

/** Checks one namespace's attributes: names, types, no name twice, and the SQL store's limits per type. */
export function checkSearchAttributes(owner: string, prop: string, attributes: SearchAttribute[] | undefined, visibility: VisibilityKind): SearchAttribute[] {
  if (attributes === undefined) return [];
  if (!Array.isArray(attributes)) throw propError(owner, prop, attributes, 'a list of search attributes');
  const names = new Set<string>();
  const perType = new Map<SearchAttributeType, string[]>();
  attributes.forEach((a, i) => {
    const where = `${prop}[${i}]`;
    if (a === null || typeof a !== 'object' || Array.isArray(a)) throw propError(owner, where, a, 'a search attribute: { name, type }, such as { name: \'CustomerId\', type: SearchAttributeType.KEYWORD }');
    if (typeof a.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,254}$/.test(a.name)) {
      throw propError(owner, `${where}.name`, a.name, 'a letter, then letters, digits or "_", at most 255 characters',
        'A rule of this library, so that the name means the same to SQL and Elasticsearch visibility and needs no quoting in list filters; write it as CustomerEmail or customer_email.');
    }
    const reserved = reservedNameProblem(a.name);
    if (reserved) throw propError(owner, `${where}.name`, a.name, reserved.expected, reserved.remedy);
    if (names.has(a.name)) throw propError(owner, `${where}.name`, a.name, 'a name not listed twice in the namespace');
    names.add(a.name);
    if (!Object.values(SearchAttributeType).includes(a.type)) {
      throw propError(owner, `${where}.type`, a.type, `one of ${Object.values(SearchAttributeType).join(', ')}`);
    }
    perType.set(a.type, [...(perType.get(a.type) ?? []), a.name]);
  });
  if (visibility === VisibilityKind.SQL) {
    for (const [type, list] of perType) {
      if (list.length > SQL_LIMITS[type]) {
        throw propError(owner, prop, list, `at most ${SQL_LIMITS[type]} ${type} attributes in one namespace on a SQL visibility store`,
          `The SQL visibility schema has ${SQL_LIMITS[type]} ${type} columns per namespace; use fewer, another type, or Elasticsearch visibility.`);
      }
    }
  }
  return attributes.map((a) => ({ name: a.name, type: a.type }));
}

/*
 * The part of the namespace Job's script that brings one namespace's custom search attributes in
 * line, run after the namespace exists: shell functions, defined once, and the step. $ns is the namespace; $count pairs of (name, type) follow
 * in the positional arguments. A namespace just created is not served at once ("Namespace X is not
 * found" until the frontends' namespace registry refreshes, seen on 1.32.2), so listing, and
 * creating on "not found", are retried. It reads the custom attributes once (`list -o jsonl`: one JSON
 * object whose "customAttributes" maps names to INDEXED_VALUE_TYPE_* values); an attribute with the
 * declared type is left alone, one with another type fails the Job (a type can never change) before
 * anything is created, and the missing ones are created. It then waits until the server lists each created one, and names the
 * custom attributes the app does not declare: they are kept, never removed.
 */
export const SEARCH_ATTRIBUTE_FUNCTIONS = [
  'sa_list() { sa_out=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$ns" -o jsonl) || return 1; printf "%s\\n" "$sa_out" | sed -n "s/.*\\"customAttributes\\": *{\\([^}]*\\)}.*/\\1/p"; }',
  'sa_type() { printf "%s\\n" "$2" | awk -F\'"\' -v n="$1" \'{ for (i = 2; i <= NF; i += 4) if ($i == n) { print $(i + 2); exit } }\'; }',
  'sa_norm() { printf "%s" "$1" | sed "s/^INDEXED_VALUE_TYPE_//" | tr -d "_" | tr "[:lower:]" "[:upper:]"; }',
].join('\n');

/** The step itself; see SEARCH_ATTRIBUTE_FUNCTIONS. */
export const SEARCH_ATTRIBUTES_STEP = [
  'if [ "$count" -gt 0 ]; then',
  'attempt=1',
  'until custom=$(sa_list); do',
  '  if [ "$attempt" -ge 24 ]; then echo "gave up: could not list the search attributes of namespace $ns" >&2; exit 1; fi',
  '  echo "waiting for namespace $ns to be served before its search attributes (attempt $attempt)"',
  '  attempt=$((attempt + 1)); sleep 5',
  'done',
  'missing=""; declared=" "',
  'i=0',
  'while [ "$i" -lt "$count" ]; do',
  '  name=$1; type=$2; shift 2; i=$((i + 1))',
  '  declared="$declared$name "',
  '  have=$(sa_type "$name" "$custom")',
  '  if [ -z "$have" ]; then',
  '    missing="$missing $name:$type"',
  '  elif [ "$(sa_norm "$have")" = "$(sa_norm "$type")" ]; then',
  '    echo "search attribute $name ($type) of namespace $ns exists"',
  '  else',
  '    echo "search attribute $name of namespace $ns is $have on the server, but the app declares it $type; a search attribute never changes type: declare it $have again, or use a new name" >&2; exit 1',
  '  fi',
  'done',
  'for entry in $missing; do',
  '  expand_param name \'entry%%:*\'; expand_param type \'entry#*:\'',
  '  attempt=1',
  '  until out=$(temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$ns" --name "$name" --type "$type" 2>&1); do',
  '    case "$out" in *"not found"*) ;; *) echo "could not create search attribute $name ($type) in namespace $ns: $out" >&2; exit 1;; esac',
  '    if [ "$attempt" -ge 24 ]; then echo "gave up: could not create search attribute $name ($type) in namespace $ns: $out" >&2; exit 1; fi',
  '    attempt=$((attempt + 1)); sleep 5',
  '  done',
  'done',
  'for entry in $missing; do',
  '  expand_param name \'entry%%:*\'; expand_param type \'entry#*:\'; attempt=1',
  '  until [ "$(sa_norm "$(sa_type "$name" "$(sa_list)")")" = "$(sa_norm "$type")" ]; do',
  '    if [ "$attempt" -ge 24 ]; then echo "gave up: namespace $ns does not list search attribute $name after it was created" >&2; exit 1; fi',
  '    attempt=$((attempt + 1)); sleep 5',
  '  done',
  '  echo "search attribute $name ($type) of namespace $ns created"',
  'done',
  'for name in $(printf "%s\\n" "$custom" | awk -F\'"\' \'{ for (i = 2; i <= NF; i += 4) print $i }\'); do',
  '  case "$declared" in *" $name "*) ;; *) echo "search attribute $name of namespace $ns is not declared by the app; it is kept (this Job never removes one)";; esac',
  'done',
  'fi',
].join('\n');
