import { parse } from 'yaml';
import knownKeys from '../fixtures/temporal-config-keys-v1.32.2.json';

/** Values the tests substitute for the env vars the server reads while rendering its config. */
export const TEST_ENV: Record<string, string> = {
  POD_IP: '10.1.2.3',
  TEMPORAL_NUM_HISTORY_SHARDS: '512',
  TEMPORAL_CURRENT_CLUSTER_NAME: 'temporal',
  TEMPORAL_FAILOVER_VERSION_INCREMENT: '10',
  TEMPORAL_DEFAULT_STORE_USER: 'user-from-secret',
  TEMPORAL_DEFAULT_STORE_PASSWORD: 'p@ss"word:with{braces}',
  TEMPORAL_VISIBILITY_STORE_USER: 'user-from-secret',
  TEMPORAL_VISIBILITY_STORE_PASSWORD: 'visibility-password',
  TEMPORAL_SECONDARY_VISIBILITY_STORE_USER: 'user-from-secret',
  TEMPORAL_SECONDARY_VISIBILITY_STORE_PASSWORD: 'secondary-password',
};

/**
 * Renders the template forms the library emits the way sprig does (`env` then `quote`, and the
 * `{{ "{{" }}` escape of a literal "{{"), and refuses any other template text, which the server
 * would fail to parse or render differently.
 */
export function renderTemplate(text: string, env: Record<string, string> = TEST_ENV): string {
  // One pass, so that a "{{" printed by an escape is never read as the start of another action.
  return text.replace(/\{\{ env "([A-Z0-9_]+)" \| quote \}\}|\{\{ env "([A-Z0-9_]+)" \}\}|\{\{ "\{\{" \}\}|\{\{/g, (match, quoted, bare, offset: number) => {
    if (quoted) return JSON.stringify(lookup(env, quoted));
    if (bare) return lookup(env, bare);
    if (match === '{{ "{{" }}') return '{{';
    const line = text.slice(text.lastIndexOf('\n', offset) + 1).split('\n')[0];
    throw new Error(`template text the library never writes: ${line}`);
  });
}

function lookup(env: Record<string, string>, name: string): string {
  if (!(name in env)) throw new Error(`the config reads env ${name}, which the test does not define`);
  return env[name];
}

/** Parses a rendered config; `yaml` is as strict as Go's yaml.v3 about duplicate keys. */
export function parseRendered(text: string, env: Record<string, string> = TEST_ENV): any {
  return parse(renderTemplate(text, env), { uniqueKeys: true });
}

/** A cluster's config as its pods render it: the test env, with the pinned values its pinned ConfigMap holds. */
export function configOf(cluster: { serverConfig: string; pinned: { numHistoryShards: number; failoverVersionIncrement: number; currentClusterName: string } }): any {
  return parseRendered(cluster.serverConfig, {
    ...TEST_ENV,
    TEMPORAL_NUM_HISTORY_SHARDS: String(cluster.pinned.numHistoryShards),
    TEMPORAL_FAILOVER_VERSION_INCREMENT: String(cluster.pinned.failoverVersionIncrement),
    TEMPORAL_CURRENT_CLUSTER_NAME: cluster.pinned.currentClusterName,
  });
}

const KEYS = new Set<string>((knownKeys as { keys: string[] }).keys);
const LEAVES = new Set<string>(Object.keys((knownKeys as { leaves: Record<string, string> }).leaves));

/** Every key path of `config` that the v1.32.2 server's config structs do not define. */
export function unknownKeys(config: unknown): string[] {
  const unknown: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (path && !KEYS.has(path)) {
      unknown.push(path);
      return;
    }
    if (LEAVES.has(path) || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((v) => walk(v, `${path}[]`));
      return;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const literal = path ? `${path}.${k}` : k;
      const wildcard = path ? `${path}.*` : '*';
      walk(v, KEYS.has(literal) ? literal : (KEYS.has(wildcard) ? wildcard : literal));
    }
  };
  walk(config, '');
  return unknown;
}
