import { stringifyDocument } from '../yaml-output';
import { ConfigScalar, GoTemplate, renderEnvKeys } from './template';

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
 */
export function renderServerConfig(config: ServerConfig): string {
  const templates: GoTemplate[] = [];
  const placeholderFor = (t: GoTemplate) => {
    templates.push(t);
    return `__cdk8s_temporal_template_${templates.length - 1}__`;
  };
  const withPlaceholders = replaceTemplates(config, placeholderFor);
  // Every value is literal text to the server, so a "{{" in one (a database name, a connect
  // attribute, a URI) must not start a template action: Go templates print `{{ "{{" }}` as "{{",
  // and a lone "}}" is already literal. The library's own actions are placeholders until after this.
  let yaml = escapeTemplateText(stringifyDocument(withPlaceholders));
  yaml = renderEnvKeys(yaml.replace(/__cdk8s_temporal_template_(\d+)__/g, (_, i) => templates[Number(i)].expression));
  return `${TEMPLATE_HEADER}\n# Generated by cdk8s-temporal. The server renders this file as a Go template: env values fill the placeholders.\n${yaml}`;
}

/** `text` with every "{{" written so that the server's template engine prints it as it is. */
export function escapeTemplateText(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

function replaceTemplates(value: unknown, placeholderFor: (t: GoTemplate) => string): unknown {
  if (value instanceof GoTemplate) return placeholderFor(value);
  if (Array.isArray(value)) return value.map((v) => replaceTemplates(v, placeholderFor));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = replaceTemplates(v, placeholderFor);
    }
    return out;
  }
  return value;
}
