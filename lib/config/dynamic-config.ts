import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { sameKey, valuesOfKeys } from './dynamic-config-lookup';
import { DYNAMIC_CONFIG_KEYS, DYNAMIC_CONFIG_RELEASES, DYNAMIC_CONFIG_TYPES, OLDER_DYNAMIC_CONFIG_KEYS } from './dynamic-config-keys';
import { checkValueType } from './dynamic-config-types';
import { goDuration } from './go-duration';
import { checkSettingChoice } from './setting-choices';
import { jsonForYamlV3 } from './server-config';
import { inRanges } from './release-ranges';
import { partitionErrors } from './task-queue-partitions';
import { KubeConfigMap } from '../../imports/k8s';
import { ownValidation } from '../own-validation';
import { compareVersions, TemporalVersion } from '../versions';
import { editDistance, frozenData, propError, requireDurationMillis, requireInteger, requireNonEmpty, plainProps, requireTaskQueueName, requireTemporalNamespaceName, requireValueList, requireYamlData } from '../validation';
import { HISTORY_TASK_TYPES } from './history-task-types';
import { checkNamespaceLengths, checkTaskQueueLengths, idLimitErrors } from './id-length';

/** Task queue types, for the `taskType` constraint. */
export enum TaskQueueType {
  WORKFLOW = 'Workflow',
  ACTIVITY = 'Activity',
}

/**
 * Narrows a dynamic config value to part of the cluster. Which constraints a key honours depends
 * on the key (common/dynamicconfig/constants.go): namespace-level keys take `namespace`, task
 * queue keys take `namespace`, `taskQueueName` and `taskQueueType`, and so on.
 */
export interface DynamicConfigConstraints {
  /** @default - any namespace */
  readonly namespace?: string;
  /** @default - any namespace id */
  readonly namespaceId?: string;
  /**
   * A task queue's name, exactly as the workers poll it: the server compares it without trimming.
   * @default - any task queue
   */
  readonly taskQueueName?: string;
  /** @default - both task queue types */
  readonly taskQueueType?: TaskQueueType;
  /** @default - any shard */
  readonly shardId?: number;
  /** @default - any history task type */
  readonly historyTaskType?: string;
  /** @default - any destination */
  readonly destination?: string;
}

/** One value of a dynamic config key, with optional constraints. */
export class DynamicConfigValue {
  /**
   * Any key of the server's dynamic config registry, for settings without a typed helper. The key
   * and its constraints are checked against the v1.32.2 registry, and against the registries of the
   * older releases this library knows: the server itself only logs a warning for a misspelt key or
   * a constraint the key ignores, and then uses its default. A cluster refuses a key its release
   * does not register (one added by a later release, or renamed or removed before it).
   * @param key a registered key such as `history.persistenceMaxQPS` (case-insensitive, as in the server)
   * @param value a scalar, list or map of the key's type in the registry (int, float, bool, duration
   *   as a Go duration string or whole seconds, string, map), checked as the server's converters read it
   */
  public static of(key: string, value: unknown, constraints: DynamicConfigConstraints = {}): DynamicConfigValue {
    const registered = lookupKey(key);
    if (!registered) {
      const suggestion = closestKey(key);
      throw propError('DynamicConfigValue', 'key', key, `a key of the v1.32.2 server's dynamic config registry, or of an older release's (${TemporalVersion.known()[0]} and later)`,
        `${suggestion ? `Did you mean "${suggestion}"? ` : ''}For a key of a newer server, use DynamicConfigValue.unchecked().`);
    }
    const allowed = CONSTRAINTS_BY_PRECEDENCE[registered.precedence] ?? [];
    for (const name of Object.keys(constraints = plainProps('DynamicConfigValue', constraints, 'DynamicConfigConstraints', 'constraints')) as Array<keyof DynamicConfigConstraints>) {
      if (constraints[name] !== undefined && !allowed.includes(name)) {
        throw propError('DynamicConfigValue', `constraints.${name} of ${registered.key}`, constraints[name],
          allowed.length ? `only ${allowed.join(', ')} (the key is set per ${registered.precedence})` : `no constraints (the key is ${registered.precedence})`);
      }
    }
    // The server looks a task queue value up as {namespace, taskQueueName, taskQueueType}, then
    // {namespace, taskQueueName}, {taskQueueName}, {namespace}, {} (setting_gen.go): a task queue
    // type without both the others matches no lookup, and the value is never used.
    if (constraints.taskQueueType !== undefined && (constraints.namespace === undefined || constraints.taskQueueName === undefined)) {
      throw propError('DynamicConfigValue', `constraints.taskQueueType of ${registered.key}`, constraints.taskQueueType,
        'no value unless namespace and taskQueueName are set too',
        'The server matches a task queue type only together with a namespace and a task queue name, and silently ignores the value otherwise; add both or drop taskQueueType.');
    }
    checkValueType(registered.key, registered.type, value);
    checkSettingChoice(registered.key, value);
    const checked = DynamicConfigValue.unchecked(registered.key, value, constraints);
    checked._registeredIn = DYNAMIC_CONFIG_RELEASES[registered.key];
    return checked;
  }

  /** Any key, unchecked against the registry: for keys of a server newer than this library knows. */
  public static unchecked(key: string, value: unknown, constraints: DynamicConfigConstraints = {}): DynamicConfigValue {
    requireNonEmpty('DynamicConfigValue', 'key', key);
    if (!/^[a-zA-Z][a-zA-Z0-9_.\-]*$/.test(key)) {
      throw propError('DynamicConfigValue', 'key', key, 'a dotted dynamic config key such as "frontend.rps"');
    }
    requireYamlData('DynamicConfigValue', `value of ${key}`, value);
    checkConstraintValues(key, constraints = plainProps('DynamicConfigValue', constraints, 'DynamicConfigConstraints', 'constraints'));
    // Copies: the file is rendered at synth, and a change to the caller's objects would reach it unchecked.
    return new DynamicConfigValue(key, structuredClone(value), { ...constraints });
  }

  /** `frontend.rps`: requests per second each frontend instance accepts. */
  public static frontendRps(rps: number): DynamicConfigValue {
    return DynamicConfigValue.of('frontend.rps', requireInteger('DynamicConfigValue.frontendRps', 'rps', rps, 1));
  }

  /** `frontend.namespaceRPS`: requests per second per namespace on each frontend instance. */
  public static frontendNamespaceRps(rps: number, namespace?: string): DynamicConfigValue {
    return DynamicConfigValue.of('frontend.namespaceRPS', requireInteger('DynamicConfigValue.frontendNamespaceRps', 'rps', rps, 1),
      namespace !== undefined ? { namespace } : {});
  }

  /**
   * `limit.maxIDLength`: the longest namespace, task queue, workflow id and similar IDs, in bytes (default 1000). The namespaces (80 bytes less: the server's worker polls as `temporal-system@<pod name>@<namespace>`) and task queues the library is given are held to it, raised or lowered; under 95 is refused.
   */
  public static maxIdLength(length: number): DynamicConfigValue {
    return DynamicConfigValue.of('limit.maxIDLength', requireInteger('DynamicConfigValue.maxIdLength', 'length', length, 1));
  }

  /**
   * `matching.numTaskqueueReadPartitions` and `matching.numTaskqueueWritePartitions` together.
   * Reads must never be fewer than writes, or tasks in the extra write partitions are stranded.
   */
  public static taskQueuePartitions(partitions: { read: number; write: number },
    constraints: Pick<DynamicConfigConstraints, 'namespace' | 'taskQueueName' | 'taskQueueType'> = {}): DynamicConfigValue[] {
    const owner = 'DynamicConfigValue.taskQueuePartitions';
    const read = requireInteger(owner, 'read', (partitions = plainProps(owner, partitions, 'DynamicConfigValue.taskQueuePartitions.partitions', 'partitions')).read, 1);
    const write = requireInteger(owner, 'write', partitions.write, 1);
    if (write > read) {
      throw propError(owner, 'write', write, `at most read (${read})`, 'Lower write partitions first, wait for the extra partitions to drain, then lower read.');
    }
    return [
      DynamicConfigValue.of('matching.numTaskqueueReadPartitions', read, constraints),
      DynamicConfigValue.of('matching.numTaskqueueWritePartitions', write, constraints),
    ];
  }

  /**
   * The releases that register the key, when `of` checked it and not all of them do.
   * @internal
   */
  public _registeredIn?: readonly string[];

  /**
   * For a value the library sets itself: who set it, why, and where to change it instead.
   * @internal
   */
  public _setBy?: string;

  /**
   * The values of a list of values or of lists of them, flattened. A null or a plain `{ key, value }`
   * in the list failed with a TypeError that named no prop; the error names the item.
   * @internal
   */
  public static _list(owner: string, prop: string, list: unknown): DynamicConfigValue[] {
    return requireValueList(owner, prop, list, (v): v is DynamicConfigValue => v instanceof DynamicConfigValue,
      'a DynamicConfigValue, from DynamicConfigValue.of(key, value) or a helper such as DynamicConfigValue.frontendRps(n)',
      'A plain object is not checked against the registry: build each value with DynamicConfigValue.of.');
  }

  private constructor(public readonly key: string, public readonly value: unknown, public readonly constraints: DynamicConfigConstraints) {
    // Read-only at run time too: the file is rendered at synth from these fields, after every check ran on them.
    for (const prop of ['key', 'value', 'constraints'] as const) Object.defineProperty(this, prop, { value: frozenData(this[prop]), writable: false });
  }
}

export interface DynamicConfigProps {
  /** Name of the ConfigMap. */
  readonly name: string;
  /** Namespace of the ConfigMap. */
  readonly namespace: string;
  /** Labels for the ConfigMap. */
  readonly labels: Record<string, string>;
  /**
   * How often the server re-reads the file. The server refuses less than 5 seconds.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;
  /**
   * Initial values.
   * @default - none: every key has the server's default
   */
  readonly values?: DynamicConfigValue[];
  /**
   * The server release that reads the file: a key checked by `DynamicConfigValue.of` that this
   * release does not register is refused, as the server would ignore it.
   * @default TemporalVersion.DEFAULT
   */
  readonly release?: string;
  /**
   * The cluster's history shard count: a `shardId` constraint above it names no shard, and is refused.
   * @default - shard ids are not checked against a shard count
   */
  readonly numHistoryShards?: number;
}

/** Which constraints a key honours, by its precedence (common/dynamicconfig/yaml_loader.go). */
const CONSTRAINTS_BY_PRECEDENCE: Record<string, Array<keyof DynamicConfigConstraints>> = {
  global: [],
  namespace: ['namespace'],
  namespaceID: ['namespaceId'],
  taskQueue: ['namespace', 'taskQueueName', 'taskQueueType'],
  destination: ['namespace', 'destination'],
  shardID: ['shardId'],
  taskType: ['historyTaskType'],
  chasmTaskType: [],
};

let keyIndex: Map<string, { key: string; precedence: string; type?: string }> | undefined;

function lookupKey(key: string) {
  if (!keyIndex) {
    keyIndex = new Map();
    for (const [k, { precedence, type }] of Object.entries(OLDER_DYNAMIC_CONFIG_KEYS)) keyIndex.set(k.toLowerCase(), { key: k, precedence, type });
    for (const [precedence, keys] of Object.entries(DYNAMIC_CONFIG_KEYS)) {
      for (const k of keys) keyIndex.set(k.toLowerCase(), { key: k, precedence, type: DYNAMIC_CONFIG_TYPES[k] });
    }
  }
  return keyIndex.get(String(key).toLowerCase());
}

/** Keys the release registers that end like `key` (a renamed key keeps its last part: component.callbacks.allowedAddresses became callback.allowedAddresses). */
function renamedAs(key: string, release: string): string[] {
  const tail = key.slice(key.lastIndexOf('.')).toLowerCase();
  lookupKey(key);
  return [...keyIndex!.values()].map((k) => k.key)
    .filter((k) => k !== key && k.toLowerCase().endsWith(tail) && (!DYNAMIC_CONFIG_RELEASES[k] || inRanges(release, DYNAMIC_CONFIG_RELEASES[k])))
    .sort();
}

/** The registered key nearest to a misspelt one, when one is close. */
function closestKey(key: string): string | undefined {
  lookupKey(key);
  let best: { key: string; distance: number } | undefined;
  for (const { key: candidate } of keyIndex!.values()) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 3 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

const CONSTRAINT_KEYS: Array<[keyof DynamicConfigConstraints, string]> = [
  ['namespace', 'namespace'], ['namespaceId', 'namespaceId'], ['taskQueueName', 'taskQueueName'], ['taskQueueType', 'taskType'],
  ['shardId', 'shardId'], ['historyTaskType', 'historyTaskType'], ['destination', 'destination'],
];

/**
 * The dynamic config file, in a ConfigMap of its own. Pods mount the ConfigMap as a directory (not
 * through subPath, which never updates), so the kubelet refreshes the file and the server picks up
 * edits within its poll interval without a restart. Its contents are kept out of the pods' config
 * checksum for the same reason.
 */
export class DynamicConfig extends Construct {
  /** The file name inside the ConfigMap and the mounted directory. */
  public static readonly FILE_NAME = 'dynamic_config.yaml';

  public readonly pollInterval: Duration;
  public readonly configMapName: string;
  /** The server release that reads the file. */
  public readonly release: string;
  /** The cluster's history shard count, when known. */
  public readonly numHistoryShards?: number;
  private readonly values: DynamicConfigValue[] = [];
  /** @internal Values the library settles only once the app is complete (after a ClusterLock checked it): render() writes them, valuesOf() gives the app's alone. */
  public _late?: () => DynamicConfigValue[];

  constructor(scope: Construct, id: string, props: DynamicConfigProps) {
    super(scope, id);
    props = plainProps(`DynamicConfig '${id}'`, props, 'DynamicConfigProps');
    this.pollInterval = props.pollInterval ?? Duration.seconds(10);
    if (requireDurationMillis(`DynamicConfig '${props.name}'`, 'pollInterval', this.pollInterval, 0) < 5000) {
      throw propError(`DynamicConfig '${props.name}'`, 'pollInterval', goDuration(this.pollInterval), 'at least 5s (the server refuses a shorter interval)');
    }
    this.configMapName = props.name;
    this.release = props.release ?? TemporalVersion.DEFAULT;
    this.numHistoryShards = props.numHistoryShards;
    // A release outside the table ('v1.31.5', '1.31', a number) compared as no release at all: every
    // key limited to some releases was refused with a message naming the bad release as the key's
    // fault, and every other key passed unchecked.
    try {
      TemporalVersion.of(this.release);
    } catch (e) {
      throw new Error(`DynamicConfig '${props.name}': release${(e as Error).message.replace(/^TemporalVersion: version/, '')}`);
    }
    this.add(...DynamicConfigValue._list(`DynamicConfig '${props.name}'`, 'values', props.values));
    new KubeConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      data: { [DynamicConfig.FILE_NAME]: Lazy.any({ produce: () => this.render() }) },
    });
    // Over the whole file once every value is in: add() takes them one at a time, in any order.
    this.node.addValidation(ownValidation({
      validate: () => [...partitionErrors(`DynamicConfig '${props.name}'`, this.values), ...idLimitErrors(`DynamicConfig '${props.name}'`, this)] }));
    checkNamespaceLengths(this, `DynamicConfig '${props.name}'`, undefined, this);
    checkTaskQueueLengths(this, `DynamicConfig '${props.name}'`, undefined, this);
  }

  /** Adds values. A key with the same constraints twice is an error: the server would pick one silently. */
  public add(...values: Array<DynamicConfigValue | DynamicConfigValue[]>): void {
    for (const value of DynamicConfigValue._list(`DynamicConfig '${this.configMapName}'`, 'values', values)) {
      const registeredIn = value._registeredIn;
      if (registeredIn && !inRanges(this.release, registeredIn)) {
        const renamed = renamedAs(value.key, this.release);
        throw propError(`DynamicConfig '${this.configMapName}'`, 'key', value.key, `a key release ${this.release} registers (this one is registered in ${registeredIn.join(', ')})`,
          `The server would ignore it and keep its default. ${renamed.length ? `Release ${this.release} has ${renamed.join(', ')}; was it renamed? ` : ''}`
          + `Change the cluster's version, or drop the value${compareVersions(this.release, registeredIn[0].split('-')[0]) < 0 ? ' until the upgrade' : ''}.`);
      }
      const { shardId, historyTaskType } = value.constraints;
      if (shardId !== undefined && this.numHistoryShards !== undefined && shardId > this.numHistoryShards) {
        throw propError(`DynamicConfig '${this.configMapName}'`, `constraints.shardId of ${value.key}`, shardId,
          `a shard of the cluster, from 1 to numHistoryShards (${this.numHistoryShards})`, 'Shards are numbered from 1; no shard would ever match, and the server would keep its default.');
      }
      const taskTypeSince = historyTaskType === undefined ? undefined : HISTORY_TASK_TYPES[historyTaskType];
      if (taskTypeSince !== undefined && compareVersions(this.release, taskTypeSince) < 0) {
        throw propError(`DynamicConfig '${this.configMapName}'`, `constraints.historyTaskType of ${value.key}`, historyTaskType,
          `a history task type release ${this.release} knows (this one is new in ${taskTypeSince})`,
          'The server cannot parse it, and a constraint it cannot parse fails the whole dynamic config file; drop it until the upgrade.');
      }
      // The server compares keys lower-cased (common/dynamicconfig/file_based_client.go), so two casings are one key.
      const twin = this.values.find((v) => v.key !== value.key && sameKey(v.key, value.key));
      if (twin) {
        throw propError(`DynamicConfig '${this.configMapName}'`, 'key', value.key, `one spelling per key; ${twin.key} is already set`,
          `The server compares keys ignoring case, so both would set the same key. ${twin._setBy ?? 'Use one spelling.'}`);
      }
      const clash = this.values.find((v) => v.key === value.key && CONSTRAINT_KEYS.every(([prop]) => v.constraints[prop] === value.constraints[prop]));
      if (clash) {
        throw propError(`DynamicConfig '${this.configMapName}'`, `value of ${value.key}`, value.value,
          `one value per key and constraints; ${value.key} is already ${JSON.stringify(clash.value)} for ${JSON.stringify(value.constraints)}`, clash._setBy);
      }
      this.values.push(value);
    }
  }

  /** The values of a key (compared ignoring case, as the server does), or without one every value, each with its constraints. */
  public valuesOf(key?: string): DynamicConfigValue[] {
    return key === undefined ? valuesOfKeys(this.values) : valuesOfKeys(this.values, key);
  }

  /** The file contents, keys sorted, values in the order they were added; no `constraints` key where there are none (yaml_loader.go reads that as `{}`). */
  public render(): string {
    const values = [...this.values, ...this._late?.() ?? []];
    if (values.length === 0) return '# No dynamic config values: every key has the server\'s default.\n{}\n';
    const byKey = new Map<string, DynamicConfigValue[]>();
    for (const v of values) byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
    const lines: string[] = [];
    for (const key of [...byKey.keys()].sort()) {
      lines.push(`${key}:`);
      for (const v of byKey.get(key)!) {
        lines.push(`  - value: ${jsonForYamlV3(v.value)}`);
        const constraints = CONSTRAINT_KEYS.filter(([prop]) => v.constraints[prop] !== undefined)
          .map(([prop, yamlKey]) => `${yamlKey}: ${jsonForYamlV3(v.constraints[prop])}`);
        if (constraints.length > 0) lines.push(`    constraints: {${constraints.join(', ')}}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

const STRING_CONSTRAINTS: Array<keyof DynamicConfigConstraints> = ['namespace', 'namespaceId', 'taskQueueName', 'destination', 'historyTaskType'];

/**
 * Constraint values the server can use. It compares constraints as a struct, so an empty string or
 * shard 0 is no constraint at all: the value would apply everywhere. A value its parser cannot read
 * (another type, an unknown task type) is an error that fails the whole file: the server does not
 * start, or keeps the old file.
 */
function checkConstraintValues(key: string, constraints: DynamicConfigConstraints): void {
  const owner = 'DynamicConfigValue';
  for (const name of STRING_CONSTRAINTS) {
    const v = constraints[name];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw propError(owner, `constraints.${name} of ${key}`, v, 'a non-empty string',
        'The server reads an empty constraint as no constraint, so the value would apply everywhere; leave the constraint out for that.');
    }
  }
  if (constraints.shardId !== undefined) requireInteger(owner, `constraints.shardId of ${key}`, constraints.shardId, 1, 2 ** 31 - 1);
  // As namespaces[].name and a fleet's temporalNamespace: another name ("a b", " orders") matches no namespace, and the value is never used.
  if (constraints.namespace !== undefined) requireTemporalNamespaceName(owner, `constraints.namespace of ${key}`, constraints.namespace);
  // As a fleet's taskQueues: the server compares the name exactly, and one its frontend refuses (or pasted with a space) names no queue; its length waits for the limit.maxIDLength of the DynamicConfig it joins.
  if (constraints.taskQueueName !== undefined) {
    requireTaskQueueName(owner, `constraints.taskQueueName of ${key}`, constraints.taskQueueName,
      'The server compares it exactly with the name the workers poll, without trimming, so other text matches no task queue and the value is never used.', null);
  }
  // The server matches the id exactly, and generates lower-case UUIDs: a namespace's name there matches no namespace.
  if (constraints.namespaceId !== undefined && !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(constraints.namespaceId)) {
    throw propError(owner, `constraints.namespaceId of ${key}`, constraints.namespaceId, 'a namespace id: a lower-case UUID, as `temporal operator namespace describe` shows it',
      'The server compares it exactly with the namespace\'s id, so a name or another spelling matches no namespace and the value is never used.');
  }
  const taskQueueTypes = Object.values(TaskQueueType) as string[];
  if (constraints.taskQueueType !== undefined && !taskQueueTypes.includes(constraints.taskQueueType)) {
    throw propError(owner, `constraints.taskQueueType of ${key}`, constraints.taskQueueType, `one of ${taskQueueTypes.map((t) => `"${t}"`).join(', ')} (TaskQueueType)`,
      'The server cannot parse another value, and a constraint it cannot parse fails the whole dynamic config file.');
  }
  const taskType = constraints.historyTaskType;
  if (taskType !== undefined && !Object.prototype.hasOwnProperty.call(HISTORY_TASK_TYPES, taskType)) {
    const near = Object.keys(HISTORY_TASK_TYPES).find((t) => t.toLowerCase() === taskType.toLowerCase());
    throw propError(owner, `constraints.historyTaskType of ${key}`, taskType, 'a history task type such as "TransferActivityTask" (or "TASK_TYPE_TRANSFER_ACTIVITY_TASK")',
      `${near ? `Did you mean "${near}"? ` : ''}The server cannot parse another value, and a constraint it cannot parse fails the whole dynamic config file.`);
  }
}
