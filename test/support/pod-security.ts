import { containerFiles, mountProblems } from './mounts';

/*
 * The "restricted" Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards),
 * with the baseline rules it includes, as checks on synthesized objects: written from the standard,
 * not from the library's code. Also the Secret-volume rules of this library: each Secret volume names
 * the keys it mounts, and its files are readable by no one outside the pod's user and group.
 */

const VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes']);
const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const PROFILE_TYPES = new Set(['RuntimeDefault', 'Localhost']);

/** Every pod template of `objects`, with where it is. */
export function podTemplates(objects: any[]): Array<{ where: string; object: any; pod: any }> {
  return objects.map((o) => ({ o, template: o.spec?.template ?? o.spec?.jobTemplate?.spec?.template })).filter(({ template }) => template?.spec?.containers)
    .map(({ o, template }) => ({ where: `${o.kind}/${o.metadata.name}`, object: o, pod: template.spec }));
}

/** What in `pod` the restricted profile forbids. */
export function restrictedViolations(where: string, pod: any): string[] {
  const out: string[] = [];
  const psc = pod.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field]) out.push(`${where}: ${field}`);
  if (psc.windowsOptions?.hostProcess) out.push(`${where}: hostProcess`);
  for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) out.push(`${where}: sysctl ${s.name}`);
  for (const v of pod.volumes ?? []) {
    for (const type of Object.keys(v).filter((k) => k !== 'name')) if (!VOLUME_TYPES.has(type)) out.push(`${where}: volume ${v.name} is ${type}`);
  }
  const seLinux = (o: any, at: string) => {
    if (!o) return;
    if (o.user !== undefined || o.role !== undefined) out.push(`${at}: SELinux user or role`);
    if (o.type !== undefined && !SELINUX_TYPES.has(o.type)) out.push(`${at}: SELinux type ${o.type}`);
  };
  seLinux(psc.seLinuxOptions, where);
  if (psc.appArmorProfile && !PROFILE_TYPES.has(psc.appArmorProfile.type)) out.push(`${where}: AppArmor ${psc.appArmorProfile.type}`);
  if (psc.runAsUser === 0) out.push(`${where}: runAsUser 0`);
  if (psc.seccompProfile && !PROFILE_TYPES.has(psc.seccompProfile.type)) out.push(`${where}: seccomp ${psc.seccompProfile.type}`);
  for (const c of [...(pod.initContainers ?? []), ...pod.containers, ...(pod.ephemeralContainers ?? [])]) {
    const at = `${where} ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0) out.push(`${at}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (!PROFILE_TYPES.has(seccomp)) out.push(`${at}: seccomp ${seccomp}`);
    if (sc.appArmorProfile && !PROFILE_TYPES.has(sc.appArmorProfile.type)) out.push(`${at}: AppArmor ${sc.appArmorProfile.type}`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities.drop lacks ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`${at}: adds ${cap}`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${at}: procMount ${sc.procMount}`);
    if (sc.windowsOptions?.hostProcess) out.push(`${at}: hostProcess`);
    seLinux(sc.seLinuxOptions, at);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${at}: hostPort ${p.hostPort}`);
  }
  return out;
}

/** The widest mode a mounted Secret file may have: read by owner and group. */
const MAX_SECRET_MODE = 0o440;

/**
 * Secret volumes (and Secret sources of projected volumes) that mount every key of their Secret, or
 * whose files anyone outside the pod's user and group could read, or anyone write. `skip` says
 * which volumes are not the library's to judge.
 */
export function secretVolumeViolations(where: string, pod: any, skip: (volume: any) => boolean = () => false): string[] {
  const out: string[] = [];
  const modeProblem = (mode: number | undefined) => mode === undefined ? 'the default mode 0644' : (mode & ~MAX_SECRET_MODE) !== 0 ? `mode 0${mode.toString(8)}` : undefined;
  for (const v of pod.volumes ?? []) {
    if (skip(v)) continue;
    if (v.secret) {
      if (!v.secret.items?.length) out.push(`${where}: volume ${v.name} mounts every key of Secret ${v.secret.secretName}`);
      for (const item of v.secret.items?.length ? v.secret.items : [{ key: 'every key' }]) {
        const problem = modeProblem(item.mode ?? v.secret.defaultMode);
        if (problem) out.push(`${where}: volume ${v.name} mounts ${item.key} of Secret ${v.secret.secretName} with ${problem}`);
      }
    }
    for (const source of v.projected?.sources ?? []) {
      if (!source.secret) continue;
      if (!source.secret.items?.length) out.push(`${where}: volume ${v.name} mounts every key of Secret ${source.secret.name}`);
      for (const item of source.secret.items?.length ? source.secret.items : [{ key: 'every key' }]) {
        const problem = modeProblem(item.mode ?? v.projected.defaultMode);
        if (problem) out.push(`${where}: volume ${v.name} mounts ${item.key} of Secret ${source.secret.name} with ${problem}`);
      }
    }
  }
  return out;
}

/** The Secrets the servers read their store credentials from: only server and schema pods may read them. */
function storeSecrets(objects: any[]): Set<string> {
  return new Set(podTemplates(objects).flatMap(({ pod }) => pod.containers.flatMap((c: any) => (c.env ?? [])
    .filter((e: any) => /^TEMPORAL_[A-Z_]+_STORE_(USER|PASSWORD)$/.test(e.name) && e.valueFrom?.secretKeyRef)
    .map((e: any) => e.valueFrom.secretKeyRef.name))));
}

const SERVER_COMPONENTS = new Set(['frontend', 'internal-frontend', 'history', 'matching', 'worker']);

/**
 * Everything wrong with the library's pods in `objects`: restricted violations, service account
 * tokens, RBAC objects, Secret volumes that mount every key or at a wide mode, store credentials
 * outside the server and schema pods, files not mounted and private keys where they do not belong.
 * `secretAllowed` says where a Secret the caller knows may be read (undefined: no rule).
 */
export function podProblems(objects: any[], secretAllowed: (secret: string, component: string | undefined, object: any) => boolean | undefined = () => undefined): string[] {
  const out: string[] = [];
  for (const o of objects) {
    // The one grant: a fleet's certificate-rotation Job may get and patch its fleet's Deployment (CertificateRotation.restartPods()).
    if (/^(Cluster)?Role(Binding)?$/.test(o.kind) && !isRotationGrant(o)) out.push(`${o.kind}/${o.metadata.name}: the library grants no Kubernetes API access beyond a rotation Job's`);
    if (o.kind === 'ServiceAccount' && o.automountServiceAccountToken !== false) out.push(`ServiceAccount/${o.metadata.name} mounts its token`);
  }
  const dbSecrets = storeSecrets(objects);
  // A database of the app's own, next to the cluster (the quickstart's PostgreSQL), is not the library's.
  const pods = podTemplates(objects).filter(({ object }) => object.kind !== 'StatefulSet');
  for (const { where, object, pod } of pods) {
    out.push(...restrictedViolations(where, pod));
    out.push(...secretVolumeViolations(where, pod));
    if (pod.automountServiceAccountToken !== false && !isRotationJob(object)) out.push(`${where}: mounts a service account token`);
    const component = object.metadata.labels?.['app.kubernetes.io/component'];
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const e of c.env ?? []) {
        const secret = e.valueFrom?.secretKeyRef?.name;
        if (secret === undefined) continue;
        const allowed = secretAllowed(secret, component, object) ?? (dbSecrets.has(secret) ? SERVER_COMPONENTS.has(component) || /^schema-/.test(component ?? '') : true);
        if (!allowed) out.push(`${where} ${c.name}: env ${e.name} from Secret ${secret}`);
      }
    }
  }
  out.push(...mountProblems(containerFiles(pods.map(({ object }) => object).concat(objects.filter((o) => o.kind === 'ConfigMap'))), { imagePaths: /^\/etc\/temporal\/schema\// }));
  return out;
}

const ROTATION = 'certificate-rotation';
const isRotationJob = (o: any) => o.kind === 'CronJob' && o.metadata.labels?.['app.kubernetes.io/component'] === ROTATION;
/**
 * A Role of exactly get and patch on one named Deployment, or the RoleBinding of it to the user name
 * of the rotation Job's ServiceAccount of the same name and namespace, of a rotation Job.
 */
function isRotationGrant(o: any): boolean {
  if (o.metadata.labels?.['app.kubernetes.io/component'] !== ROTATION) return false;
  if (o.kind === 'RoleBinding') {
    return o.roleRef.kind === 'Role' && o.subjects.length === 1 && o.subjects[0].kind === 'User'
      && o.subjects[0].name === `system:serviceaccount:${o.metadata.namespace}:${o.metadata.name}`;
  }
  const rule = o.kind === 'Role' && o.rules.length === 1 ? o.rules[0] : undefined;
  const same = (a: unknown, b: string[]) => JSON.stringify(a) === JSON.stringify(b);
  return rule !== undefined && Object.keys(rule).length === 4 && same(rule.apiGroups, ['apps']) && same(rule.resources, ['deployments']) && same(rule.verbs, ['get', 'patch'])
    && Array.isArray(rule.resourceNames) && rule.resourceNames.length === 1 && typeof rule.resourceNames[0] === 'string';
}
