import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as names from './object-names';
import { TemporalVersion } from '../versions';
import { requireDns1035Label, requireDns1123Label, requireDns1123Subdomain } from '../validation';
import { checkOneCdk8s } from '../cdk8s-copies';

/** The names and labels every object of a cluster derives from its `name` and namespace. */
export interface ClusterIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  /** Labels on every object of the cluster. */
  readonly labels: Record<string, string>;
  /** Labels every pod of the cluster carries, Jobs included: name and instance. */
  readonly clusterSelector: Record<string, string>;
  readonly configMapName: string;
  readonly pinnedConfigMapName: string;
  readonly dynamicConfigName: string;
  readonly serviceAccountName: string;
  readonly jobServiceAccountName: string;
  /** The frontend Service's fully qualified name, which TLS clients verify. */
  readonly frontendFqdn: string;
  /** The names clients reach the frontend by, which a frontend certificate must carry. */
  readonly frontendDnsNames: string[];
  /** The server name internode TLS clients verify, which the internode certificate must carry. */
  readonly internodeServerName: string;
}

export function clusterIdentity(scope: Construct, id: string, props: { name?: string; namespace?: string; clusterDomain?: string },
  version: TemporalVersion): ClusterIdentity {
  checkOneCdk8s(`TemporalCluster '${id}'`, scope);
  // The length that fits every derived name depends on the configuration: checkClusterName checks it.
  const name = requireDns1035Label(`TemporalCluster '${id}'`, 'name', props.name ?? id, 63,
    'Services are named after it, and Kubernetes holds Service names to DNS-1035.');
  const owner = `TemporalCluster '${name}'`;
  const namespace = requireDns1123Label(owner, 'namespace', props.namespace ?? Chart.of(scope).namespace ?? 'default');
  const clusterDomain = requireDns1123Subdomain(owner, 'clusterDomain', props.clusterDomain ?? 'cluster.local');
  const clusterSelector = { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': name };
  const frontendService = names.roleName(name, 'frontend');
  const frontendFqdn = `${frontendService}.${namespace}.svc.${clusterDomain}`;
  return {
    name,
    namespace,
    clusterDomain,
    labels: {
      ...clusterSelector,
      'app.kubernetes.io/version': version.version,
      'app.kubernetes.io/managed-by': 'cdk8s-temporal',
    },
    clusterSelector,
    configMapName: names.configMapName(name),
    pinnedConfigMapName: names.pinnedConfigMapName(name),
    dynamicConfigName: names.dynamicConfigMapName(name),
    serviceAccountName: names.serverServiceAccountName(name),
    jobServiceAccountName: names.jobServiceAccountName(name),
    frontendFqdn,
    frontendDnsNames: [frontendService, `${frontendService}.${namespace}`, `${frontendService}.${namespace}.svc`, frontendFqdn],
    internodeServerName: `${name}-internode.${namespace}.svc`,
  };
}

/**
 * A selector of objects without app.kubernetes.io/instance: Argo CD's label tracking (its default
 * before 3.0, and annotation+label) rewrites that label to its Application's name on every object
 * it applies. Pod templates keep theirs, so selectors of pods need no such care.
 */
export function withoutArgoTrackedLabel(selector: Readonly<Record<string, string>>): Record<string, string> {
  const { ['app.kubernetes.io/instance']: _tracked, ...rest } = selector;
  return rest;
}
