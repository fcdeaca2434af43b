import { DcRedirectionPolicy, RemoteCluster, TemporalClusterProps } from './temporal-cluster-props';
import { propError, requireDns1123Label, requireInteger, requireNonEmpty } from '../validation';

/** `clusterMetadata` and `dcRedirectionPolicy` of one cluster, checked. */
export interface ClusterMetadata {
  readonly clusterName: string;
  readonly failoverVersionIncrement: number;
  readonly initialFailoverVersion: number;
  readonly masterClusterName: string;
  readonly remoteClusters: RemoteCluster[];
  readonly enableGlobalNamespace: boolean;
  readonly dcRedirectionPolicy: DcRedirectionPolicy;
}

/** The rules the server enforces on clusterMetadata, some of them only by panicking at start. */
export function clusterMetadata(owner: string, name: string, props: TemporalClusterProps): ClusterMetadata {
  const clusterName = requireDns1123Label(owner, 'clusterName', props.clusterName ?? name);
  const failoverVersionIncrement = requireInteger(owner, 'failoverVersionIncrement', props.failoverVersionIncrement ?? 10, 1, 2 ** 31 - 1);
  const initialFailoverVersion = requireInteger(owner, 'initialFailoverVersion', props.initialFailoverVersion ?? 1, 1, failoverVersionIncrement - 1);
  const remoteClusters = [...(props.remoteClusters ?? [])];
  const masterClusterName = props.masterClusterName ?? clusterName;
  const versions = new Map<number, string>([[initialFailoverVersion, clusterName]]);
  const names = new Set<string>([clusterName]);
  remoteClusters.forEach((remote, i) => {
    const prop = `remoteClusters[${i}]`;
    requireDns1123Label(owner, `${prop}.name`, remote.name);
    if (names.has(remote.name)) throw propError(owner, `${prop}.name`, remote.name, 'a name no other cluster in clusterInformation has');
    names.add(remote.name);
    requireInteger(owner, `${prop}.initialFailoverVersion`, remote.initialFailoverVersion, 1, failoverVersionIncrement - 1);
    const holder = versions.get(remote.initialFailoverVersion);
    if (holder) {
      throw propError(owner, `${prop}.initialFailoverVersion`, remote.initialFailoverVersion, `a value distinct from every other cluster's; ${holder} already has it`);
    }
    versions.set(remote.initialFailoverVersion, remote.name);
    if ((remote.enabled ?? true) || (remote.rpcAddress ?? '') !== '') {
      requireNonEmpty(owner, `${prop}.rpcAddress`, remote.rpcAddress);
      const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d+)$/.exec(remote.rpcAddress);
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
        throw propError(owner, `${prop}.rpcAddress`, remote.rpcAddress, 'host:port of the remote cluster\'s frontend, such as "temporal-frontend.other.example.com:7233"');
      }
    }
  });
  if (!names.has(masterClusterName)) {
    throw propError(owner, 'masterClusterName', masterClusterName, `one of the clusters in clusterInformation (${[...names].join(', ')})`);
  }
  const dcRedirectionPolicy = props.dcRedirectionPolicy ?? DcRedirectionPolicy.NOOP;
  if (!Object.values(DcRedirectionPolicy).includes(dcRedirectionPolicy)) {
    throw propError(owner, 'dcRedirectionPolicy', dcRedirectionPolicy, `one of ${Object.values(DcRedirectionPolicy).join(', ')}`);
  }
  return {
    clusterName,
    failoverVersionIncrement,
    initialFailoverVersion,
    masterClusterName,
    remoteClusters,
    enableGlobalNamespace: props.enableGlobalNamespace ?? false,
    dcRedirectionPolicy,
  };
}
