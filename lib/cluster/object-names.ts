import { propError, requireDns1035Label } from '../validation';

/**
 * The names of every object a cluster emits, derived from its `name`: one function per kind of
 * object, used by the constructs that emit them, so the length check below sees the real names.
 */

/** A role's Deployment (and its Service, PodDisruptionBudget and autoscaler). */
export const roleName = (name: string, role: string) => `${name}-${role}`;
/** A role's headless Service, for membership. */
export const headlessServiceName = (name: string, role: string) => `${roleName(name, role)}-headless`;
/**
 * A store's schema Job: `<name>-schema-<store>-<hash>`, the hash ({@link SCHEMA_HASH_LENGTH} hex
 * digits) of its whole spec, so a release, a changed store or a change of the library itself makes
 * a new Job instead of editing an immutable one. The prefix without the hash is `schemaJobName(name, store)`.
 */
export const schemaJobName = (name: string, storeRole: string, hash?: string) => `${name}-schema-${storeRole}${hash === undefined ? '' : `-${hash}`}`;
/**
 * Hex digits of a schema Job's hash: six keep the longest schema Job name at the length it had with
 * the release in its place (`1-32-2`), so no cluster name that fitted before is refused now.
 */
export const SCHEMA_HASH_LENGTH = 6;
export const schemaWaitConfigMapName = (name: string) => `${name}-schema-wait`;
export const configMapName = (name: string) => `${name}-config`;
export const pinnedConfigMapName = (name: string) => `${name}-pinned`;
export const dynamicConfigMapName = (name: string) => `${name}-dynamic-config`;
export const serverServiceAccountName = (name: string) => `${name}-server`;
export const jobServiceAccountName = (name: string) => `${name}-jobs`;
/** The UI's Deployment, Service, ServiceAccount, Ingress and budget. */
export const uiName = (name: string) => `${name}-ui`;
/** The admin tools' Deployment, ServiceAccount and budget. */
export const adminToolsName = (name: string) => `${name}-admin-tools`;
/** The namespace Job: its name carries a hash of what it creates, so a change runs a new Job. */
export const namespaceJobName = (name: string, hash: string) => `${name}-namespaces-${hash}`;
export const remoteClustersJobName = (name: string, hash: string) => `${name}-remote-clusters-${hash}`;
/** A cert-manager Certificate (its Secret adds `-tls`, its common name is the same). */
export const certificateName = (name: string, suffix: string) => `${name}-${suffix}`;
export const networkPolicyName = (name: string, suffix: string) => `${name}-${suffix}`;
export const dashboardConfigMapName = (name: string) => `${name}-dashboard`;
/** The cluster-scoped admission policies that guard the pinned ConfigMap. */
export const pinnedGuardNames = (namespace: string, name: string) => ['guard', 'env-guard', 'env-guard-update', 'config-guard'].map((s) => `${namespace}-${pinnedConfigMapName(name)}-${s}`);

/** Stand-in for the 8 hex digits of a hashed Job name, which depend on content known later. */
export const HASH_PLACEHOLDER = '########';
/** The same for a schema Job's shorter hash. */
export const SCHEMA_HASH_PLACEHOLDER = '#'.repeat(SCHEMA_HASH_LENGTH);

/** One derived name and the longest name Kubernetes (or cert-manager) allows for it. */
export interface DerivedName {
  readonly kind: string;
  readonly name: string;
  /** The most characters the object's name may have. */
  readonly limit: number;
  /** The prop that added this object, when it is not always there. */
  readonly cause?: string;
}

/** What decides which objects a cluster emits. */
export interface NamedFeatures {
  readonly roles: string[];
  readonly storeRoles: string[];
  readonly certificateSuffixes: string[];
  readonly ui: boolean;
  readonly adminTools: boolean;
  readonly namespaces: boolean;
  readonly remoteClusters: boolean;
  readonly networkPolicySuffixes: string[];
  readonly monitoring: boolean;
  /** The namespace, when the cluster-scoped pinned-values policies (named after it) are on. */
  readonly pinnedGuardNamespace?: string;
}

// A Service name is a DNS-1035 label; a Job's name becomes its pods' job-name label (63); cert-manager
// labels the Secret with its Certificate's name (63), and X.509 caps the common name at 64.
const LABEL = 63;
const SUBDOMAIN = 253;

/** Every object name `name` derives under `features`, with its limit. */
export function derivedNames(name: string, f: NamedFeatures): DerivedName[] {
  const names: DerivedName[] = [
    { kind: 'label app.kubernetes.io/instance', name, limit: LABEL },
    { kind: 'ConfigMap', name: configMapName(name), limit: SUBDOMAIN },
    { kind: 'ConfigMap', name: pinnedConfigMapName(name), limit: SUBDOMAIN },
    { kind: 'ConfigMap', name: dynamicConfigMapName(name), limit: SUBDOMAIN },
    { kind: 'ConfigMap', name: schemaWaitConfigMapName(name), limit: SUBDOMAIN },
    { kind: 'ServiceAccount', name: serverServiceAccountName(name), limit: SUBDOMAIN },
    { kind: 'ServiceAccount', name: jobServiceAccountName(name), limit: SUBDOMAIN },
  ];
  for (const role of f.roles) {
    const cause = role === 'internal-frontend' ? 'internalFrontend' : undefined;
    names.push({ kind: 'Deployment', name: roleName(name, role), limit: SUBDOMAIN, cause });
    names.push({ kind: 'Service', name: roleName(name, role), limit: LABEL, cause });
    names.push({ kind: 'headless Service', name: headlessServiceName(name, role), limit: LABEL, cause });
  }
  for (const store of f.storeRoles) {
    const cause = store === 'secondary-visibility' ? 'persistence.secondaryVisibilityStore' : undefined;
    names.push({ kind: 'schema Job', name: schemaJobName(name, store, SCHEMA_HASH_PLACEHOLDER), limit: LABEL, cause });
  }
  for (const suffix of f.certificateSuffixes) names.push({ kind: 'Certificate', name: certificateName(name, suffix), limit: LABEL, cause: 'tls' });
  if (f.ui) names.push({ kind: 'Service', name: uiName(name), limit: LABEL, cause: 'ui' });
  if (f.adminTools) names.push({ kind: 'Deployment', name: adminToolsName(name), limit: SUBDOMAIN, cause: 'adminTools' });
  if (f.namespaces) names.push({ kind: 'namespace Job', name: namespaceJobName(name, HASH_PLACEHOLDER), limit: LABEL, cause: 'namespaces' });
  if (f.remoteClusters) names.push({ kind: 'remote-cluster Job', name: remoteClustersJobName(name, HASH_PLACEHOLDER), limit: LABEL, cause: 'remoteClusters' });
  for (const suffix of f.networkPolicySuffixes) names.push({ kind: 'NetworkPolicy', name: networkPolicyName(name, suffix), limit: SUBDOMAIN, cause: 'networkPolicy' });
  if (f.monitoring) names.push({ kind: 'ConfigMap', name: dashboardConfigMapName(name), limit: SUBDOMAIN, cause: 'monitoring' });
  if (f.pinnedGuardNamespace !== undefined) {
    for (const n of pinnedGuardNames(f.pinnedGuardNamespace, name)) names.push({ kind: n.endsWith('-update') ? 'ValidatingAdmissionPolicyBinding' : 'ValidatingAdmissionPolicy', name: n, limit: SUBDOMAIN, cause: 'protectPinnedValues' });
  }
  return names;
}

/** The longest `name` the features allow, and the derived name that sets it. */
export function maxNameLength(name: string, f: NamedFeatures): { max: number; by: DerivedName } {
  let best: { max: number; by: DerivedName } | undefined;
  for (const d of derivedNames(name, f)) {
    const max = d.limit - (d.name.length - name.length);
    if (!best || max < best.max) best = { max, by: d };
  }
  return best!;
}

/**
 * `name` as a DNS-1035 label (Services derive from it) short enough for every object it derives
 * under this configuration; the error names `name`, the maximum and the object that sets it.
 */
export function checkClusterName(owner: string, name: string, f: NamedFeatures): string {
  requireDns1035Label(owner, 'name', name, LABEL, 'Services are named after it, and Kubernetes holds Service names to DNS-1035.');
  const { max, by } = maxNameLength(name, f);
  if (name.length > max) {
    const derived = by.name.replace(HASH_PLACEHOLDER, 'xxxxxxxx').replace(SCHEMA_HASH_PLACEHOLDER, 'x'.repeat(SCHEMA_HASH_LENGTH));
    throw propError(owner, 'name', name, `at most ${max} characters for this configuration`,
      `The ${by.kind} "${derived}" would have ${derived.length} characters, over the ${by.limit} allowed; shorten name${by.cause ? ` or leave out ${by.cause}` : ''}.`);
  }
  return name;
}
