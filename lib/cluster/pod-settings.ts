import type { TemporalClusterProps } from './temporal-cluster-props';
import { checkIpFamily, IpFamily } from '../pod/ip-family';
import { checkedPlacement, PodPlacement } from '../pod/placement';
import { checkPullSecrets } from '../validation';

/**
 * The pod settings a TemporalCluster gives every pod it emits (the server roles, the schema,
 * namespace and remote-cluster Jobs, the UI and the admin tools), each checked once.
 *
 * A WorkerFleet takes none of them, not even from the cluster it names: its pods run the
 * application's image, perhaps in another namespace (pull Secrets are namespaced) and on the
 * application's nodes, and a server's priority would let every worker pod preempt other
 * applications. It has props of its own.
 */
export interface ClusterPodSettings {
  /** `imagePullSecrets`: every pod of the cluster gets them; nothing overrides them. */
  readonly imagePullSecrets: string[];
  /**
   * `nodeSelector`, `tolerations`, `affinity` and `priorityClassName`: every pod of the cluster
   * gets each one its role, `jobs`, `ui` or `adminTools` does not set.
   */
  readonly placement: PodPlacement;
  /** `ipFamily`: the families of every Service the cluster emits, and its WorkerFleets' default. */
  readonly ipFamily: IpFamily;
  /** `ipFamily` as given, undefined when left out: ClusterLock tells the default from a declared IPv4. */
  readonly declaredIpFamily?: IpFamily;
}

/** The cluster-wide pod settings of `props`, checked under their own props. */
export function clusterPodSettings(owner: string, props: TemporalClusterProps): ClusterPodSettings {
  return {
    imagePullSecrets: checkPullSecrets(owner, props.imagePullSecrets),
    placement: checkedPlacement(owner, '', props),
    ipFamily: checkIpFamily(owner, 'ipFamily', props.ipFamily),
    declaredIpFamily: props.ipFamily === undefined ? undefined : checkIpFamily(owner, 'ipFamily', props.ipFamily),
  };
}
