import { Container, Volume, VolumeMount } from '../../imports/k8s';
import { DatabaseProxy, resolveProxies } from './database-proxies';
import { CONTAINER_SECURITY_CONTEXT } from '../pod/security-context';
import { checkCommand, checkCommandLine, parseImage, propError, refuseLiteralCredentialEnv, refuseLiteralCredentials, requireDns1123Label, requireEnvVarName } from '../validation';

/**
 * What every pod that talks to the databases gets besides the library's own containers. A container
 * without its own `imagePullPolicy` gets IfNotPresent, and every container gets the library's
 * security context (non-root, read-only root filesystem, no privilege escalation, no capabilities,
 * RuntimeDefault seccomp from the pod) under its own: fields it sets win, the others stay. What the
 * Pod Security Standards' "restricted" profile forbids is refused: these pods hold the database
 * credentials and the internode key, and a restricted namespace would reject them.
 */
export interface DatabaseAccessOptions {
  /**
   * Containers that run to their end before anything in the pod talks to a database, in order: for
   * example one that copies a token helper for `passwordCommand` into a shared emptyDir volume.
   * @default - none
   */
  readonly initContainers?: Container[];
  /**
   * Containers that run beside the pod's own for its whole life and start before it: a database
   * proxy (Cloud SQL Auth Proxy, RDS Proxy client, PgBouncer). They are emitted as native sidecars
   * (init containers with `restartPolicy: Always`, Kubernetes 1.29 and later), so a Job still ends
   * when its last step does; give them a startupProbe if the pod must wait until they listen.
   * @default - none
   */
  readonly sidecars?: Container[];
  /**
   * Which sidecars reach the stores on the pod's own loopback (127.0.0.1, localhost, ::1), per
   * port. Each pod's loopback is its own, so the checks between clusters and `ClusterLock` take two
   * clusters' loopback stores for one database when the sidecars that reach them are configured
   * alike. Without this, every sidecar may be one of them, and two clusters with proxies to two
   * instances but one helper configured alike (a log shipper, a Vault agent) are refused as one
   * database; name the proxies, and only they are compared. Given, it names the port of every store
   * on the loopback, and every sidecar that declares such a port as its containerPort.
   * @default - every sidecar may reach every store on the loopback
   */
  readonly proxies?: DatabaseProxy[];
  /**
   * Volumes these containers or the password command need.
   * @default - none
   */
  readonly volumes?: Volume[];
  /**
   * Where the server containers, the schema steps and the schema waits mount those volumes, such
   * as the shared volume holding a token helper.
   * @default - none
   */
  readonly volumeMounts?: VolumeMount[];
}

/** `DatabaseAccessOptions`, checked: the pod's extra containers in start order, and the volumes. */
export interface DatabaseAccess {
  /** The init containers, then the sidecars (with `restartPolicy: Always`). */
  readonly containers: Container[];
  readonly volumes: Volume[];
  readonly mounts: VolumeMount[];
  /** The sidecars named for each port of the loopback (`proxies`); undefined when every sidecar may reach every store there. */
  readonly proxies?: ReadonlyMap<number, readonly string[]>;
}

export const NO_DATABASE_ACCESS: DatabaseAccess = { containers: [], volumes: [], mounts: [] };

/**
 * Checks the options: named containers and volumes, each name once, mounts of declared volumes
 * only, and the proxies of the stores on the pod's loopback (`loopbackStores`, by role and port).
 */
export function resolveDatabaseAccess(owner: string, options: DatabaseAccessOptions | undefined,
  loopbackStores: ReadonlyArray<{ role: string; port: number }> = []): DatabaseAccess {
  if (!options) return NO_DATABASE_ACCESS;
  const list = <T>(prop: string, value: T[] | undefined): T[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw propError(owner, `databaseAccess.${prop}`, value, 'a list');
    return value;
  };
  const inits = list('initContainers', options.initContainers);
  const sidecars = list('sidecars', options.sidecars);
  const volumes = list('volumes', options.volumes);
  const mounts = list('volumeMounts', options.volumeMounts);
  const names = new Set<string>();
  const container = (prop: string, c: Container, restartPolicy: 'Always' | undefined): Container => {
    requireDns1123Label(owner, `${prop}.name`, c?.name);
    if (names.has(c.name)) throw propError(owner, `${prop}.name`, c.name, 'a container name not used twice');
    names.add(c.name);
    if (!c.image) throw propError(owner, `${prop}.image`, c.image, 'an image');
    parseImage(owner, `${prop}.image`, c.image);
    (Array.isArray(c.env) ? c.env : []).forEach((e, j) => {
      requireEnvVarName(owner, `${prop}.env[${j}].name`, e?.name);
      refuseLiteralCredentials(owner, `${prop}.env[${j}].value`, e?.value);
      refuseLiteralCredentialEnv(owner, `${prop}.env[${j}].value`, e?.name, e?.value);
    });
    checkCommand(owner, `${prop}.command`, c.command);
    checkCommandLine(owner, `${prop}.args`, c.args);
    if (c.restartPolicy !== undefined && c.restartPolicy !== restartPolicy) {
      throw propError(owner, `${prop}.restartPolicy`, c.restartPolicy, restartPolicy ? `"Always" or nothing (a sidecar always restarts)` : 'nothing',
        restartPolicy ? undefined : 'A container that must keep running belongs in databaseAccess.sidecars.');
    }
    checkRestricted(owner, prop, c);
    // The library's context under the container's own: a context that sets only runAsUser (a
    // distroless proxy's uid) keeps the read-only root, no escalation and no capabilities. Loosening
    // the root filesystem takes saying so; what "restricted" forbids is refused above. Capabilities
    // given without a drop list still drop ALL.
    const own = c.securityContext;
    const capabilities = own?.capabilities && { ...own.capabilities, drop: own.capabilities.drop ?? ['ALL'] };
    return { imagePullPolicy: 'IfNotPresent', ...c, securityContext: { ...CONTAINER_SECURITY_CONTEXT, ...own, ...(capabilities ? { capabilities } : {}) }, restartPolicy };
  };
  const containers = [
    ...inits.map((c, i) => container(`databaseAccess.initContainers[${i}]`, c, undefined)),
    ...sidecars.map((c, i) => container(`databaseAccess.sidecars[${i}]`, c, 'Always')),
  ];
  const volumeNames = new Set<string>();
  volumes.forEach((v, i) => {
    requireDns1123Label(owner, `databaseAccess.volumes[${i}].name`, v?.name);
    const type = Object.keys(v).find((k) => k !== 'name' && (v as unknown as Record<string, unknown>)[k] !== undefined && !RESTRICTED_VOLUME_TYPES.includes(k));
    if (type !== undefined) {
      throw propError(owner, `databaseAccess.volumes[${i}].${type}`, v.name, `a volume type the "restricted" Pod Security Standard allows: ${RESTRICTED_VOLUME_TYPES.join(', ')}`,
        'These pods hold the database credentials and the internode key; a node\'s files or another kind of volume do not belong there. Use an emptyDir, a Secret, a ConfigMap or a claim.');
    }
    if (volumeNames.has(v.name)) throw propError(owner, `databaseAccess.volumes[${i}].name`, v.name, 'a volume name not used twice');
    volumeNames.add(v.name);
  });
  mounts.forEach((m, i) => {
    if (!volumeNames.has(m?.name)) {
      throw propError(owner, `databaseAccess.volumeMounts[${i}].name`, m?.name, `one of databaseAccess.volumes (${[...volumeNames].join(', ') || 'none'})`);
    }
    if (typeof m.mountPath !== 'string' || !m.mountPath.startsWith('/')) {
      throw propError(owner, `databaseAccess.volumeMounts[${i}].mountPath`, m.mountPath, 'an absolute path');
    }
  });
  const proxies = resolveProxies(owner, options.proxies, containers.filter((c) => c.restartPolicy === 'Always'), loopbackStores);
  return { containers, volumes: [...volumes], mounts: [...mounts], ...(proxies ? { proxies } : {}) };
}

/**
 * Refuses a pod whose containers or volumes share a name, as the API server would, but at synth and
 * with the reason: a database-access container or volume that took a name the library uses.
 */
export function checkPodNames(owner: string, pod: string, containers: Array<{ name: string }>, volumes: Array<{ name: string }>): void {
  for (const [kind, items] of [['container', containers], ['volume', volumes]] as const) {
    const seen = new Set<string>();
    for (const { name } of items) {
      if (seen.has(name)) {
        throw propError(owner, `persistence databaseAccess ${kind}`, name, `a ${kind} name the library does not use in ${pod}`, 'Rename it.');
      }
      seen.add(name);
    }
  }
}

/** The volume types the "restricted" Pod Security Standard allows. */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** The SELinux types "restricted" allows a container to set. */
const RESTRICTED_SELINUX_TYPES = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

/**
 * Refuses a database-access container that the "restricted" Pod Security Standard forbids: one
 * that is privileged, may escalate, runs as root (runAsNonRoot: false or runAsUser: 0), adds a
 * capability other than NET_BIND_SERVICE or drops less than ALL, leaves the RuntimeDefault seccomp
 * profile or AppArmor, unmasks /proc, runs as a Windows host process, sets an SELinux user, role or
 * type of its own, or binds a port of the node.
 */
function checkRestricted(owner: string, prop: string, c: Container): void {
  const sc = c.securityContext ?? {};
  const refuse = (field: string, value: unknown, expected: string) => {
    throw propError(owner, `${prop}.${field}`, value, `${expected}, as the "restricted" Pod Security Standard requires`,
      'These pods hold the database credentials and the internode key, and a namespace that enforces "restricted" would reject them.');
  };
  if (sc.privileged !== undefined && sc.privileged !== false) refuse('securityContext.privileged', sc.privileged, 'false or nothing');
  if (sc.allowPrivilegeEscalation !== undefined && sc.allowPrivilegeEscalation !== false) refuse('securityContext.allowPrivilegeEscalation', sc.allowPrivilegeEscalation, 'false or nothing');
  if (sc.runAsNonRoot !== undefined && sc.runAsNonRoot !== true) refuse('securityContext.runAsNonRoot', sc.runAsNonRoot, 'true or nothing');
  if (sc.runAsUser !== undefined && !(Number.isInteger(sc.runAsUser) && sc.runAsUser > 0)) refuse('securityContext.runAsUser', sc.runAsUser, 'a user id other than 0 (root)');
  const add = sc.capabilities?.add ?? [];
  if (!Array.isArray(add) || add.some((a) => a !== 'NET_BIND_SERVICE')) refuse('securityContext.capabilities.add', add, 'nothing or ["NET_BIND_SERVICE"]');
  const drop = sc.capabilities?.drop;
  if (drop !== undefined && !(Array.isArray(drop) && drop.includes('ALL'))) refuse('securityContext.capabilities.drop', drop, 'a list with "ALL", or nothing (ALL)');
  const seccomp = sc.seccompProfile?.type;
  if (seccomp !== undefined && seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') refuse('securityContext.seccompProfile.type', seccomp, 'RuntimeDefault or Localhost');
  const appArmor = sc.appArmorProfile?.type;
  if (appArmor !== undefined && appArmor !== 'RuntimeDefault' && appArmor !== 'Localhost') refuse('securityContext.appArmorProfile.type', appArmor, 'RuntimeDefault or Localhost');
  if (sc.procMount !== undefined && sc.procMount !== 'Default') refuse('securityContext.procMount', sc.procMount, 'Default or nothing');
  if (sc.windowsOptions?.hostProcess) refuse('securityContext.windowsOptions.hostProcess', sc.windowsOptions.hostProcess, 'false or nothing');
  const se = sc.seLinuxOptions;
  if (se?.user !== undefined || se?.role !== undefined) refuse('securityContext.seLinuxOptions', se, 'no SELinux user or role');
  if (se?.type !== undefined && !RESTRICTED_SELINUX_TYPES.includes(se.type)) refuse('securityContext.seLinuxOptions.type', se.type, `one of ${RESTRICTED_SELINUX_TYPES.join(', ')}`);
  (Array.isArray(c.ports) ? c.ports : []).forEach((p, i) => {
    if (p?.hostPort !== undefined && p.hostPort !== 0) refuse(`ports[${i}].hostPort`, p.hostPort, 'no port of the node');
  });
}

/**
 * Refuses a databaseAccess mount at a path the pod already mounts another volume at (/tmp, the
 * config, the schema-wait script, a store's TLS files, an archive): the API server refuses a
 * container with two mounts at one path, so the whole Deployment or Job would not apply. Also
 * refuses one of its mounts inside, or around, another mount that is read-only and not a volume
 * of API data, where the container would not start.
 */
export function checkPodMounts(owner: string, pod: string, set: { readonly volumes: readonly Volume[]; readonly mounts: readonly VolumeMount[] }, access: DatabaseAccess): void {
  const { mounts } = set;
  const userVolumes = new Set(access.volumes.map((v) => v.name));
  const propOf = (mount: VolumeMount, fallback: string) => {
    const index = access.mounts.findIndex((m) => m.name === mount.name && m.mountPath === mount.mountPath);
    return index >= 0 ? `persistence databaseAccess.volumeMounts[${index}].mountPath` : fallback;
  };
  const byPath = new Map<string, string>();
  for (const mount of mounts) {
    const earlier = byPath.get(mount.mountPath);
    if (earlier === undefined) {
      byPath.set(mount.mountPath, mount.name);
      continue;
    }
    // Name the user's mount; the other one is the library's, or an earlier one of the user's.
    const [mine, other] = userVolumes.has(mount.name) ? [mount.name, earlier] : [earlier, mount.name];
    throw propError(owner, propOf({ name: mine, mountPath: mount.mountPath }, `volume ${mine} mountPath`), mount.mountPath,
      `a path nothing else in ${pod} is mounted at; volume ${other} is mounted there`,
      'A container cannot mount two volumes at one path; give it a directory of its own.');
  }
  // A mount inside a read-only mount of a volume the kubelet does not prepare mount points in (an
  // emptyDir, a claim: not a Secret, ConfigMap, projected or downwardAPI volume): the runtime
  // cannot create the inner mount point, and the container never starts ("read-only file system").
  const volumes = new Map(set.volumes.map((v) => [v.name, v]));
  const apiData = (name: string) => ['secret', 'configMap', 'projected', 'downwardAPI'].some((t) => (volumes.get(name) as Record<string, unknown> | undefined)?.[t] !== undefined);
  for (const outer of mounts.filter((m) => m.readOnly && !apiData(m.name))) {
    for (const inner of mounts.filter((m) => m.mountPath.startsWith(`${outer.mountPath.replace(/\/+$/, '')}/`))) {
      if (!userVolumes.has(inner.name) && !userVolumes.has(outer.name)) continue;
      const mine = userVolumes.has(inner.name) ? inner : outer;
      throw propError(owner, propOf(mine, `volume ${mine.name} mountPath`), mine.mountPath,
        `no mount inside a read-only emptyDir or claim mount in ${pod}; volume ${inner.name} is mounted at ${inner.mountPath}, inside volume ${outer.name} at ${outer.mountPath}, read-only`,
        'The runtime cannot create a mount point in a read-only emptyDir or claim, and the container would not start; give the mount a directory of its own, or mount the outer volume read-write.');
    }
  }
}
