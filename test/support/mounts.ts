/*
 * Which files each container of a synthesized app reads, and which files its volumes put there: the
 * check that every file the server config, a Job or a client names is mounted in that container,
 * from a Secret or ConfigMap key that exists, and that no container holds a private key it does not
 * use. Written from the Kubernetes volume rules and the server's config structs, independently of
 * the library's code.
 */
import { schemaWaitEnv, schemaWaitStores } from './schema-wait-env';
import { parseRendered, renderTemplate } from './server-config';

/** Where a mounted file comes from. */
export interface FileSource {
  readonly volume: string;
  readonly kind: 'secret' | 'configMap' | 'directory';
  readonly object?: string;
  readonly key?: string;
}

/** Keys a TLS Secret has: those cert-manager writes and `kubernetes.io/tls` Secrets carry. */
export const TLS_SECRET_KEYS = ['ca.crt', 'tls.crt', 'tls.key'];

export interface ContainerFiles {
  /** `Deployment/name` or `Job/name`, then the container. */
  readonly where: string;
  readonly role?: string;
  /** Files the container may read, by absolute path. */
  readonly mounted: Map<string, FileSource>;
  /** Directories backed by an emptyDir or a claim: anything under them counts as present. */
  readonly directories: string[];
  /** Files the container's program reads, with why. */
  readonly referenced: Array<{ path: string; by: string }>;
  /** Whether the container is a Temporal server (it runs TEMPORAL_SERVICES). */
  readonly server: boolean;
}

/** Every file path a server role reads from the rendered config (`services` is the role's TEMPORAL_SERVICES). */
export function configFiles(serverConfig: string, role: string): Array<{ path: string; by: string }> {
  const config = parseRendered(serverConfig);
  const out: Array<{ path: string; by: string }> = [];
  const add = (value: unknown, by: string) => {
    if (typeof value === 'string' && value.length > 0) out.push({ path: value, by });
    if (Array.isArray(value)) value.forEach((v, i) => add(v, `${by}[${i}]`));
  };
  const server = (s: any, at: string) => {
    if (!s) return;
    add(s.certFile, `${at}.certFile`);
    add(s.keyFile, `${at}.keyFile`);
    add(s.clientCaFiles, `${at}.clientCaFiles`);
  };
  const tls = config.global?.tls;
  if (tls) {
    server(tls.internode?.server, 'global.tls.internode.server');
    add(tls.internode?.client?.rootCaFiles, 'global.tls.internode.client.rootCaFiles');
    add(tls.frontend?.client?.rootCaFiles, 'global.tls.frontend.client.rootCaFiles');
    const internalHttp = role === 'internal-frontend' && Boolean(config.services?.['internal-frontend']?.rpc?.httpPort);
    if (role === 'frontend' || internalHttp) {
      server(tls.frontend?.server, 'global.tls.frontend.server');
      for (const [host, override] of Object.entries(tls.frontend?.hostOverrides ?? {})) server(override, `global.tls.frontend.hostOverrides.${host}`);
    }
    // Remotes' CAs and the certificate presented to them: read by the roles that dial a remote
    // (frontends, history's replication stream, the worker's replication tasks), not matching.
    if (role !== 'matching') {
      for (const [host, remote] of Object.entries<any>(tls.remoteClusters ?? {})) {
        server(remote.server, `global.tls.remoteClusters.${host}.server`);
        add(remote.client?.rootCaFiles, `global.tls.remoteClusters.${host}.client.rootCaFiles`);
      }
    }
    // Every role builds its frontend client from this section at start, and reads the files then.
    if (tls.systemWorker) {
      add(tls.systemWorker.certFile, 'global.tls.systemWorker.certFile');
      add(tls.systemWorker.keyFile, 'global.tls.systemWorker.keyFile');
      add(tls.systemWorker.client?.rootCaFiles, 'global.tls.systemWorker.client.rootCaFiles');
    }
  }
  for (const [name, store] of Object.entries<any>(config.persistence?.datastores ?? {})) {
    for (const kind of ['sql', 'cassandra', 'elasticsearch']) {
      const t = store[kind]?.tls;
      if (!t) continue;
      for (const f of ['caFile', 'certFile', 'keyFile']) add(t[f], `persistence.datastores.${name}.${kind}.tls.${f}`);
    }
  }
  add(config.dynamicConfigClient?.filepath, 'dynamicConfigClient.filepath');
  for (const [kind, d] of Object.entries<any>(config.namespaceDefaults?.archival ?? {})) {
    if (typeof d.URI === 'string' && d.URI.startsWith('file://')) add(`${d.URI.slice('file://'.length)}/`, `namespaceDefaults.archival.${kind}.URI`);
  }
  return out;
}

/** Env vars whose values name files the container's program reads (the tools', the CLI's, the UI's). */
const FILE_ENV = /(_FILE|_CA|_CERT|_KEY|_PATH)$/;

/** The files every container of `objects` can read and the files it references. */
export function containerFiles(objects: any[]): ContainerFiles[] {
  const byKind = (kind: string) => new Map(objects.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o]));
  const configMaps = byKind('ConfigMap');
  const result: ContainerFiles[] = [];
  for (const workload of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
    const pod = workload.spec.template.spec;
    const volumes = new Map<string, any>((pod.volumes ?? []).map((v: any) => [v.name, v]));
    const role = workload.metadata.labels?.['app.kubernetes.io/component'];
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      const mounted = new Map<string, FileSource>();
      const directories: string[] = [];
      for (const mount of container.volumeMounts ?? []) {
        const volume = volumes.get(mount.name);
        if (!volume) throw new Error(`${workload.kind}/${workload.metadata.name} ${container.name}: volumeMount ${mount.name} has no volume`);
        const files = volumeFiles(volume, configMaps);
        if (files === 'directory') directories.push(`${mount.mountPath}/`);
        else for (const [rel, source] of files) mounted.set(`${mount.mountPath}/${rel}`, source);
      }
      // A schema wait for several stores runs with each store's env in turn.
      const stores = schemaWaitStores(container);
      const envs = stores.length > 1 ? stores.map((s) => schemaWaitEnv(pod, container, configMaps, s.store)) : [schemaWaitEnv(pod, container, configMaps)];
      const env = envs[0];
      const referenced: Array<{ path: string; by: string }> = envs.flatMap((e) => Object.entries(e))
        .filter(([name, value]) => FILE_ENV.test(name) && value.startsWith('/'))
        .map(([name, value]) => ({ path: value, by: `env ${name}` }));
      // Files a command names (a script the container runs).
      for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) {
        if (/^\/[^\s]*$/.test(arg) && !/^\/(bin|usr)\//.test(arg)) referenced.push({ path: arg, by: `command argument ${arg}` });
      }
      const configPath = env.TEMPORAL_SERVER_CONFIG_FILE_PATH;
      if (configPath && env.TEMPORAL_SERVICES) {
        const source = mounted.get(configPath);
        const file = source?.kind === 'configMap' ? configMaps.get(source.object!)?.data?.[source.key!] : undefined;
        if (file) referenced.push(...configFiles(renderTemplate(file), env.TEMPORAL_SERVICES));
      }
      result.push({ where: `${workload.kind}/${workload.metadata.name} ${container.name}`, role, mounted, directories, referenced, server: Boolean(env.TEMPORAL_SERVICES) });
    }
  }
  return result;
}

function volumeFiles(volume: any, configMaps: Map<string, any>): Map<string, FileSource> | 'directory' {
  const files = new Map<string, FileSource>();
  const project = (kind: 'secret' | 'configMap', object: string, items: Array<{ key: string; path: string }> | undefined, keys: string[]) => {
    for (const item of items ?? keys.map((key) => ({ key, path: key }))) files.set(item.path, { volume: volume.name, kind, object, key: item.key });
  };
  const configMapKeys = (name: string) => {
    const cm = configMaps.get(name);
    if (!cm) throw new Error(`volume ${volume.name}: ConfigMap ${name} is not in the output`);
    return Object.keys(cm.data ?? {});
  };
  if (volume.emptyDir || volume.persistentVolumeClaim) return 'directory';
  if (volume.configMap) project('configMap', volume.configMap.name, volume.configMap.items, configMapKeys(volume.configMap.name));
  if (volume.secret) project('secret', volume.secret.secretName, volume.secret.items, TLS_SECRET_KEYS);
  for (const source of volume.projected?.sources ?? []) {
    if (source.secret) project('secret', source.secret.name, source.secret.items, TLS_SECRET_KEYS);
    if (source.configMap) project('configMap', source.configMap.name, source.configMap.items, configMapKeys(source.configMap.name));
  }
  return files;
}

/**
 * Problems: referenced files that are not mounted, private keys mounted where nothing reads them,
 * and a server's private key (from a Secret whose key a server's TLS settings name) in any other pod.
 */
export function mountProblems(containers: ContainerFiles[], options: { imagePaths?: RegExp } = {}): string[] {
  const problems: string[] = [];
  // A server's identity: the Secrets behind the key files its global.tls settings name (not the
  // database client keys, which the schema Jobs rightly share).
  const serverKeySecrets = new Set(containers.filter((c) => c.server).flatMap((c) => c.referenced
    .filter((r) => r.by.startsWith('global.tls.') && c.mounted.get(r.path)?.key === 'tls.key')
    .map((r) => c.mounted.get(r.path)!.object!)));
  for (const c of containers.filter((x) => !x.server)) {
    for (const [path, source] of c.mounted) {
      if (source.kind === 'secret' && source.key === 'tls.key' && serverKeySecrets.has(source.object!)) {
        problems.push(`${c.where}: mounts ${path}, the private key of Secret ${source.object}, which a server presents as its own`);
      }
    }
  }
  for (const c of containers) {
    const present = (path: string) => c.mounted.has(path) || c.directories.some((d) => path.startsWith(d) || `${path}/` === d || path === d);
    for (const ref of c.referenced) {
      if (options.imagePaths?.test(ref.path)) continue;
      if (!present(ref.path)) problems.push(`${c.where}: ${ref.by} names ${ref.path}, which no volume mounts there`);
    }
    const read = new Set(c.referenced.map((r) => r.path));
    for (const [path, source] of c.mounted) {
      if (source.key === 'tls.key' && !read.has(path)) {
        problems.push(`${c.where}: mounts the private key ${path} (Secret ${source.object}) but nothing in the container reads it`);
      }
    }
  }
  return problems;
}
