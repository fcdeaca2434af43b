import { propError } from './errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(value: unknown, maxLength = 63): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

export function isDns1035Label(value: unknown, maxLength = 63): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength && DNS1035_LABEL.test(value);
}

/*
 * A Temporal cluster name (clusterMetadata.currentClusterName, a remote's name). The server sets no
 * syntax, and existing clusters carry names like "clusterA" or "cluster_a" (Temporal's replication
 * docs use clusterA/clusterB), fixed for life: an adopted cluster or a remote must be declared by its
 * own. What it reaches: an env value, a YAML key of clusterInformation through the config template,
 * and the registration Job's arguments, so nothing that YAML, the shell or the Job's JSON reading of
 * `temporal operator cluster list` would take apart.
 */
const CLUSTER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A Temporal cluster name: letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
export function requireClusterName(owner: string, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !CLUSTER_NAME.test(value)) {
    throw propError(owner, prop, value, 'a cluster name: letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit, at most 63 characters',
      'A cluster keeps its name for life: give the one it already has (currentClusterName in its config).');
  }
  return value;
}

/** A Kubernetes namespace or Service name: a DNS-1123 label of at most `maxLength` characters. */
export function requireDns1123Label(owner: string, prop: string, value: string, maxLength = 63, remedy?: string): string {
  if (!isDns1123Label(value, maxLength)) {
    throw propError(owner, prop, value,
      `a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`, remedy);
  }
  return value;
}

/** A Service name, which Kubernetes holds to DNS-1035: a DNS-1123 label that starts with a letter. */
export function requireDns1035Label(owner: string, prop: string, value: string, maxLength = 63, remedy?: string): string {
  if (!isDns1035Label(value, maxLength)) {
    throw propError(owner, prop, value,
      `a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most ${maxLength} characters`, remedy);
  }
  return value;
}

/** A Secret, ConfigMap or PriorityClass name: a DNS-1123 subdomain. */
export function requireDns1123Subdomain(owner: string, prop: string, value: string): string {
  if (!isDns1123Subdomain(value)) {
    throw propError(owner, prop, value, 'a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters');
  }
  return value;
}

export function requireNonEmpty(owner: string, prop: string, value: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw propError(owner, prop, value, 'a non-empty string');
  }
  return value;
}

/**
 * The names of `imagePullSecrets`, checked: Secret names, each once. The API server keys a pod's
 * imagePullSecrets by name, and server-side apply refuses a pod that lists one twice.
 */
export function checkPullSecrets(owner: string, names: readonly string[] | undefined): string[] {
  // From plain JS or a config file, one name (imagePullSecrets: 'regcred') failed with a TypeError.
  if (names !== undefined && !Array.isArray(names)) throw propError(owner, 'imagePullSecrets', names, 'a list of Secret names, such as ["regcred"]');
  const checked = (names ?? []).map((name, i) => requireDns1123Subdomain(owner, `imagePullSecrets[${i}]`, name));
  checked.forEach((name, i) => {
    const first = checked.indexOf(name);
    if (first !== i) {
      throw propError(owner, `imagePullSecrets[${i}]`, name, `a Secret not listed already; imagePullSecrets[${first}] is "${name}" too`,
        'Kubernetes refuses a pod that lists a pull Secret twice; remove the repeat.');
    }
  });
  return checked;
}

/** A Temporal namespace's name, as the library takes it everywhere: letters, digits, ".", "_" and "-", at most 255 characters. */
export function requireTemporalNamespaceName(owner: string, prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/.test(value)) {
    throw propError(owner, prop, value, 'a Temporal namespace name: letters, digits, ".", "_" and "-", at most 255 characters');
  }
  return value;
}

/*
 * The server's limit.maxIDLength default, the only length the frontend holds a task queue name to
 * (common/tqid): a raised limit.maxIDLength admits longer names. It counts UTF-8 bytes (Go's len),
 * not characters: 600 "é" are 1200 bytes, and every poll of such a queue fails with "taskQueue
 * length exceeds limit".
 */
export const MAX_TASK_QUEUE_BYTES = 1000;

/*
 * A task queue's name as the frontend takes it (common/tqid Validate: not empty, at most
 * limit.maxIDLength bytes, not under "/_sys/", the prefix of the server's partition names) and as
 * a client can send it (gRPC refuses a string that is not valid UTF-8, such as a lone surrogate).
 * The server compares names exactly, without trimming (the dynamic config's constraints as well):
 * a control character, or whitespace or an invisible character at either end (" orders",
 * "orders\u200b"), is text pasted by mistake, naming no queue any worker polls.
 */
const TASK_QUEUE_EDGE = /^[\s\p{Cf}]|[\s\p{Cf}]$/u;

/**
 * A task queue name, as every prop that takes one checks it (DynamicConfigValue's taskQueueName, a
 * fleet's taskQueues). `maxBytes` is the length limit, or null where a check of the cluster's
 * limit.maxIDLength follows once every dynamic config value is in (idLengthErrors), which may raise it.
 */
export function requireTaskQueueName(owner: string, prop: string, value: unknown, remedy?: string, maxBytes: number | null = MAX_TASK_QUEUE_BYTES): string {
  if (typeof value !== 'string' || value === '' || /[\p{Cc}\p{Cs}]/u.test(value) || TASK_QUEUE_EDGE.test(value)
    || (maxBytes !== null && Buffer.byteLength(value, 'utf8') > maxBytes) || value.startsWith('/_sys/')) {
    throw propError(owner, prop, value, `a task queue name: ${maxBytes !== null ? `1 to ${maxBytes} bytes of UTF-8` : 'not empty'}, no control character, `
      + 'no whitespace or invisible character at either end, not under /_sys/ (the server\'s partitions)', remedy);
  }
  return value;
}
