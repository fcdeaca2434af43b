import { stringifyDocument } from '../yaml-output';
import { ConfigScalar, GoTemplate } from './template';

/*
 * A typed model of the part of the Temporal server's static config (common/config/config.go,
 * v1.32) that this library emits. The server ignores keys it does not know, so a misspelt key
 * fails silently there; here it fails to compile, and test/server-config.test.ts checks every
 * rendered key against the list generated from the server's own structs.
 */

export interface ServerConfig {
  readonly log: LogConfig;
  readonly persistence: PersistenceConfig;
  readonly global: GlobalConfig;
  readonly clusterMetadata: ClusterMetadataConfig;
  readonly dcRedirectionPolicy: { readonly policy: string };
  readonly services: Record<string, { readonly rpc: RpcConfig }>;
  readonly dynamicConfigClient: { readonly filepath: string; readonly pollInterval: string };
  readonly archival?: Record<string, unknown>;
  readonly namespaceDefaults?: { readonly archival: Record<string, unknown> };
}

export interface LogConfig {
  readonly stdout: boolean;
  readonly level: string;
  readonly format: string;
}

export interface PersistenceConfig {
  readonly numHistoryShards: ConfigScalar;
  readonly defaultStore: string;
  readonly visibilityStore: string;
  readonly secondaryVisibilityStore?: string;
  readonly datastores: Record<string, DatastoreConfig>;
}

export type DatastoreConfig =
  | { readonly sql: SqlConfig }
  | { readonly cassandra: CassandraConfig }
  | { readonly elasticsearch: ElasticsearchConfig };

export interface DatastoreTlsConfig {
  readonly enabled: boolean;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly enableHostVerification: boolean;
}

export interface SqlConfig {
  readonly pluginName: string;
  readonly databaseName: string;
  readonly connectAddr: string;
  readonly connectProtocol: string;
  readonly user?: ConfigScalar;
  readonly password?: ConfigScalar;
  readonly passwordCommand?: { readonly command: string; readonly args?: string[]; readonly timeout: string };
  readonly connectAttributes?: Record<string, string>;
  readonly maxConns: number;
  readonly maxIdleConns: number;
  readonly maxConnLifetime: string;
  readonly tls?: DatastoreTlsConfig;
}

export interface CassandraConfig {
  readonly hosts: string;
  readonly port: number;
  readonly keyspace: string;
  readonly user?: ConfigScalar;
  readonly password?: ConfigScalar;
  readonly datacenter?: string;
  readonly consistency?: { readonly default: { readonly consistency?: string; readonly serialConsistency?: string } };
  readonly tls?: DatastoreTlsConfig;
}

export interface ElasticsearchConfig {
  readonly version: string;
  readonly url: { readonly scheme: string; readonly host: string };
  readonly username?: ConfigScalar;
  readonly password?: ConfigScalar;
  readonly indices: Record<string, string>;
  readonly tls?: DatastoreTlsConfig;
}

export interface GlobalConfig {
  readonly membership: { readonly maxJoinDuration: string; readonly broadcastAddress: ConfigScalar };
  readonly metrics?: { readonly prometheus: { readonly listenAddress: string; readonly handlerPath?: string } };
  readonly tls?: RootTlsConfig;
  readonly authorization?: AuthorizationConfig;
}

/** `global.tls`. Only file paths are ever written: the certificates stay in Secrets. */
export interface RootTlsConfig {
  readonly refreshInterval: string;
  readonly internode?: GroupTlsConfig;
  readonly frontend?: GroupTlsConfig;
  readonly systemWorker?: { readonly certFile: string; readonly keyFile: string; readonly client: ClientTlsConfig };
  /** By the host of a remote cluster's address: how the servers dial its frontend. */
  readonly remoteClusters?: Record<string, RemoteClusterTlsConfig>;
}

/** A remote frontend: its CA and name in `client`, and the certificate presented to it in `server` (the server's own struct reuses that section). */
export interface RemoteClusterTlsConfig {
  readonly server?: { readonly certFile: string; readonly keyFile: string; readonly requireClientAuth: true };
  readonly client: ClientTlsConfig;
}

export interface ServerTlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFiles: string[];
  readonly requireClientAuth: boolean;
}

export interface GroupTlsConfig {
  readonly server: ServerTlsConfig;
  readonly client: ClientTlsConfig;
  /** Server settings by the SNI name a client asks for (`perHostOverrides` in the server's structs). */
  readonly hostOverrides?: Record<string, ServerTlsConfig>;
}

export interface ClientTlsConfig {
  readonly serverName: string;
  readonly rootCaFiles: string[];
}

export interface AuthorizationConfig {
  readonly jwtKeyProvider: { readonly keySourceURIs: string[]; readonly refreshInterval: string };
  readonly permissionsClaimName: string;
  readonly audience?: string;
  readonly authorizer: string;
  readonly claimMapper: string;
}

export interface ClusterMetadataConfig {
  readonly enableGlobalNamespace: boolean;
  readonly failoverVersionIncrement: ConfigScalar;
  readonly masterClusterName: ConfigScalar;
  readonly currentClusterName: ConfigScalar;
  readonly clusterInformation: Record<string, ClusterInformationConfig>;
}

export interface ClusterInformationConfig {
  readonly enabled: boolean;
  readonly initialFailoverVersion: number;
  readonly rpcAddress: string;
  readonly httpAddress?: string;
}

export interface RpcConfig {
  readonly grpcPort: number;
  readonly membershipPort: number;
  readonly httpPort?: number;
  readonly bindOnIP: string;
}

/** The comment the server looks for in the first 1 KB before rendering the file as a Go template. */
export const TEMPLATE_HEADER = '# enable-template';

/**
 * Renders the config as the file the server reads: the template header, then YAML in the model's
 * key order, with template expressions left unquoted for the server to fill in.
 *
 * The YAML writer's output is not always what the server's YAML library (gopkg.in/yaml.v3) reads
 * back: it writes DEL, the C1 control characters and U+2028/U+2029 as they are, which yaml.v3
 * refuses ("control characters are not allowed") or reads as line breaks (folding NEL into a
 * space, cutting a plain scalar at LS), and writes a string with a line break as a block scalar,
 * which yaml.v3 refuses when a line starts with a tab ("found a tab character where an indentation
 * space is expected"). A connect attribute holding one would stop the server or change its value.
 * Such strings are written here, as double-quoted scalars with those characters escaped.
 */
export function renderServerConfig(config: ServerConfig): string {
  // Text the writer carries through untouched, replaced after it ran: the library's templates and
  // the scalars written here. The marker is one no key or value of this config contains, so user
  // text can never become a template (a connect attribute "__cdk8s_temporal_0_1__" stays itself).
  const marker = uniqueMarker(JSON.stringify(config, (_k, v) => (v instanceof GoTemplate ? v.expression : v)) ?? '');
  const slots: string[] = [];
  const slot = (text: string) => {
    slots.push(text);
    return `${marker}${slots.length - 1}__`;
  };
  const withSlots = prepare(config, slot);
  // Every value is literal text to the server, so a "{{" in one (a database name, a connect
  // attribute, a URI) must not start a template action: Go templates print `{{ "{{" }}` as "{{",
  // and a lone "}}" is already literal. The library's own actions are slots until after this.
  const yaml = escapeTemplateText(stringifyDocument(withSlots))
    .replace(new RegExp(`${marker}(\\d+)__`, 'g'), (_, i) => slots[Number(i)]);
  return `${TEMPLATE_HEADER}\n# Generated by cdk8s-temporal. The server renders this file as a Go template: env values fill the placeholders.\n${yaml}`;
}

/** `text` with every "{{" written so that the server's template engine prints it as it is. */
export function escapeTemplateText(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/** A prefix for slots that `text` does not contain anywhere. */
function uniqueMarker(text: string): string {
  let n = 0;
  while (text.includes(`__cdk8s_temporal_${n}_`)) n++;
  return `__cdk8s_temporal_${n}_`;
}

/*
 * Characters yaml.v3 does not read back as written, unescaped: outside its printable set (C0
 * controls, DEL, C1 controls, surrogates, U+FEFF, U+FFFE and U+FFFF; a raw byte order mark inside a
 * value made the server refuse the file with "did not find expected key"), line breaks to it that
 * are not to the YAML writer (NEL, LS, PS), and the line breaks and tabs the writer would put in a
 * block scalar.
 */
const NEEDS_ESCAPES = /[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|[\u0085\u2028\u2029\ufeff]/u;

/*
 * The characters JSON.stringify leaves raw that yaml.v3 refuses or misreads even inside a
 * double-quoted scalar: DEL, C1 controls (NEL among them), LS, PS, U+FEFF, U+FFFE and U+FFFF.
 * JSON escapes C0 controls and lone surrogates itself.
 */
const JSON_RAW_UNREADABLE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/**
 * `value` as JSON that is also YAML yaml.v3 reads back exactly (the dynamic config file writes its
 * values and constraints this way): JSON.stringify, with the characters above escaped as \uXXXX,
 * which both read as the character itself. Outside strings JSON holds none of them. An object's
 * keys are written sorted: the server reads them into Go maps and structs, where their order means
 * nothing, and the same value built in another order (a values file, a spread) writes the same file.
 */
export function jsonForYamlV3(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v)).replace(JSON_RAW_UNREADABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `text` as a YAML double-quoted scalar that yaml.v3 reads back exactly, safe in the template. */
function doubleQuoted(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '{') out += '\\x7b'; // never the start of a template action
    else if (cp === 0x0a) out += '\\n';
    else if (cp === 0x09) out += '\\t';
    else if (cp === 0x0d) out += '\\r';
    else if (NEEDS_ESCAPES.test(ch)) out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The config with templates, env keys and strings yaml.v3 would misread as slots. */
function prepare(value: unknown, slot: (text: string) => string): unknown {
  if (value instanceof GoTemplate) return slot(value.expression);
  if (typeof value === 'string') return NEEDS_ESCAPES.test(value) ? slot(doubleQuoted(value)) : value;
  if (Array.isArray(value)) return value.map((v) => prepare(v, slot));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const envKey = GoTemplate.envKeyName(k);
      const key = envKey !== undefined ? slot(GoTemplate.envString(envKey).expression) : NEEDS_ESCAPES.test(k) ? slot(doubleQuoted(k)) : k;
      out[key] = prepare(v, slot);
    }
    return out;
  }
  return value;
}
