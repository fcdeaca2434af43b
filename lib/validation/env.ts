import { hasUrlCredentials, propError } from './errors';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

export function isEnvVarName(name: unknown): name is string {
  return typeof name === 'string' && ENV_NAME.test(name);
}

/** An env var name as the API server accepts it: letters, digits, '-', '.', '_', not starting with a digit. */
export function requireEnvVarName(owner: string, prop: string, name: string): string {
  if (!isEnvVarName(name)) {
    throw propError(owner, prop, name, 'an env var name: letters, digits, \'_\', \'-\' and \'.\', not starting with a digit');
  }
  return name;
}

/**
 * An env var's value as cdk8s-plus gives it (`EnvValue.fromValue`, `fromSecretValue`, ...). A plain
 * string passes no type check in JavaScript and would come out as an env var without a value.
 */
export function requireEnvValue<T>(owner: string, prop: string, value: T): T {
  const v = value as { value?: unknown; valueFrom?: unknown } | null;
  if (v === null || typeof v !== 'object' || (typeof v.value !== 'string' && (v.valueFrom === null || typeof v.valueFrom !== 'object'))) {
    throw propError(owner, prop, value, 'an EnvValue from cdk8s-plus-27', `Write EnvValue.fromValue(${JSON.stringify(typeof value === 'string' ? value : '...')}) or EnvValue.fromSecretValue(...).`);
  }
  return value;
}

/**
 * A role's or a fleet's own env vars, in the order the manifest lists them, each name and value
 * checked; `reserved` refuses the names its owner sets itself. The order is by name in a fixed
 * locale, not LANG's (Estonian or Lithuanian order letters differently), so that every machine
 * writes the same env list and config checksum.
 */
export function checkedUserEnv<T>(owner: string, env: Record<string, T> | undefined, reserved: (name: string) => void): Array<[string, T]> {
  const entries = Object.entries(env ?? {}).sort(([a], [b]) => a.localeCompare(b, 'en'));
  for (const [name, value] of entries) {
    requireEnvVarName(owner, `env["${name}"]`, name);
    requireEnvValue(owner, `env["${name}"]`, value);
    reserved(name);
    refuseLiteralCredentials(owner, `env["${name}"]`, (value as { value?: unknown }).value);
    refuseLiteralCredentialEnv(owner, `env["${name}"]`, name, (value as { value?: unknown }).value);
  }
  return referencedFirst(entries);
}

/**
 * `entries` in their order, except that a var comes after the vars of the list its value names as
 * `$(NAME)`: the kubelet expands a reference only to a var listed before it, and leaves any other
 * as the literal text `$(NAME)` (DATABASE_URL: postgres://$(DB_HOST)/orders sorts before DB_HOST).
 * A cycle keeps the order it has; the kubelet cannot resolve it either way.
 */
function referencedFirst<T>(entries: Array<[string, T]>): Array<[string, T]> {
  const byName = new Map(entries);
  const placed = new Set<string>();
  const result: Array<[string, T]> = [];
  const place = (name: string, open: Set<string>): void => {
    if (placed.has(name) || open.has(name)) return;
    open.add(name);
    const value = (byName.get(name) as { value?: unknown }).value;
    for (const ref of typeof value === 'string' ? envReferences(value) : []) {
      if (byName.has(ref)) place(ref, open);
    }
    open.delete(name);
    placed.add(name);
    result.push([name, byName.get(name)!]);
  };
  for (const [name] of entries) place(name, new Set());
  return result;
}

/**
 * `text` as the kubelet hands it to the process when written into a container's `command`, `args`
 * or an env var's `value`: the kubelet reads `$$` there as one `$` and replaces `$(NAME)` with the
 * value of an env var NAME of the container listed before (k8s third_party/forked/golang/expansion).
 * A database name `t$$1`, a task queue `q$(TEMPORAL_ADDRESS)` or a namespace description `$$5`
 * reached the tool or the worker as another text than the server config file (which nothing
 * expands), KEDA's trigger or the props say. Each `$` that starts `$$` or `$(` is doubled: the
 * kubelet reads it back as the text given. Any other `$` is left as it is, as the kubelet does.
 * For text the library writes from props; the users' own env, command and args keep the
 * kubelet's syntax.
 */
export function kubeletLiteral(text: string): string {
  return text.replace(/\$(?=[$(])/g, '$$$$');
}

/** `env` with every literal value written as `kubeletLiteral`; values from a source are left alone. */
export function kubeletLiteralEnv<T extends { readonly value?: string }>(env: readonly T[]): T[] {
  return env.map((e) => (typeof e.value === 'string' && /\$[$(]/.test(e.value) ? { ...e, value: kubeletLiteral(e.value) } : e));
}

/** The names `$(NAME)` refers to in an env value, as the kubelet reads it (`$$` is a literal `$`). */
function envReferences(value: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < value.length - 1; i++) {
    if (value[i] !== '$') continue;
    if (value[i + 1] === '$') {
      i++;
    } else if (value[i + 1] === '(') {
      const end = value.indexOf(')', i + 2);
      if (end === -1) break;
      names.push(value.slice(i + 2, end));
      i = end;
    }
  }
  return names;
}

/*
 * Env names that say their value is a credential: *PASSWORD (PGPASSWORD), *SECRET, *TOKEN,
 * *API_KEY, *PRIVATE_KEY, *CREDENTIALS, *_PASS and *_PWD (not OLDPWD or BYPASS). A literal value there is a credential written
 * into the Deployment; a path to a mounted file ("/var/run/secrets/...") is not.
 */
const CREDENTIAL_ENV_NAME = /((PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)|(^|[_.-])(PASS|PWD))$/i;

/** Refuses a literal, non-empty value that is not a path for an env var whose name says it is a credential. */
export function refuseLiteralCredentialEnv(owner: string, prop: string, name: unknown, value: unknown): void {
  if (typeof name === 'string' && CREDENTIAL_ENV_NAME.test(name) && typeof value === 'string' && value !== '' && !value.startsWith('/')) {
    throw propError(owner, prop, '(a literal value)', `a value from a Secret: ${name} names a credential`,
      'A literal is written into the Deployment in plain text; give it as EnvValue.fromSecretValue(...) (or valueFrom.secretKeyRef), or name the file it is mounted at.');
  }
}

/**
 * Refuses a literal env value that carries a URL with a password in it (DATABASE_URL:
 * postgres://app:s3cret@db/orders): it is written into the Deployment, which far more people and
 * tools read than the Secrets (kubectl get deploy -o yaml, GitOps repositories, audit logs).
 */
export function refuseLiteralCredentials(owner: string, prop: string, value: unknown): void {
  if (typeof value === 'string' && hasUrlCredentials(value)) {
    throw propError(owner, prop, value, 'a literal value without a password in it',
      'The value is written into the Deployment in plain text; give it as EnvValue.fromSecretValue(...) from a Secret that holds the whole URL.');
  }
}

export function isDataKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= 253 && DATA_KEY.test(key) && key !== '.' && key !== '..';
}

/** A key of a Secret's or ConfigMap's data: letters, digits, '-', '_' and '.', at most 253 characters. */
export function requireDataKey(owner: string, prop: string, key: string): string {
  if (!isDataKey(key)) {
    throw propError(owner, prop, key, 'a Secret or ConfigMap key: letters, digits, \'-\', \'_\' and \'.\', at most 253 characters, not "." or ".."');
  }
  return key;
}

/**
 * A container's command or arguments: a list of strings (a string, from plain JS, failed at synth
 * with a TypeError deep in the Deployment), without a URL that holds a password.
 */
export function checkCommandLine(owner: string, prop: string, argv: unknown): void {
  if (argv !== undefined && (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string'))) {
    throw propError(owner, prop, argv, 'a list of strings, such as ["node", "worker.js"]', 'Kubernetes runs it without a shell: give each word as an item.');
  }
  refuseCredentialsInArgs(owner, prop, argv);
}

/**
 * A container's command: a command line whose first word is the program, which the container
 * runtime runs as written, with no shell to trim it. An empty or padded word names no program, and
 * the container never starts ("exec: \"\": executable file not found"); Kubernetes accepts it.
 */
export function checkCommand(owner: string, prop: string, argv: unknown): void {
  checkCommandLine(owner, prop, argv);
  const program = Array.isArray(argv) ? argv[0] as string | undefined : undefined;
  if (program !== undefined && (program.trim() === '' || program.trim() !== program)) {
    throw propError(owner, `${prop}[0]`, program, 'the program to run, a path or a name on the image\'s PATH, without surrounding whitespace',
      'Give the program as the first item and each argument as an item of its own; leave command out to run the image\'s entrypoint.');
  }
}

/**
 * Refuses a command line (a command or its arguments, each a literal in the pod spec and on the
 * node's process list) that holds a URL with a password: `--dsn=postgres://app:s3cret@db`.
 */
export function refuseCredentialsInArgs(owner: string, prop: string, args: unknown): void {
  if (!Array.isArray(args)) return;
  args.forEach((arg, i) => {
    if (typeof arg === 'string' && hasUrlCredentials(arg)) {
      throw propError(owner, `${prop}[${i}]`, arg, 'an argument without a URL that holds a password',
        'Arguments are written into the pod spec and show in every process list of the node; pass the credential in an env var from a Secret (EnvValue.fromSecretValue, or valueFrom.secretKeyRef) or a mounted file.');
    }
  });
}
