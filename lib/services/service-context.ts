import { ReadinessCheck } from './probes';
import { ServiceRole } from './service-role';
import { ClusterSize } from './sizing';
import { TopologySpread } from './topology-spread';
import { Container, EnvVar } from '../../imports/k8s';
import type { IpFamily } from '../pod/ip-family';
import type { PodPlacement } from '../pod/placement';
import { VolumeSet } from '../pod/volumes';

/** Everything a service takes from the cluster that owns it. */
export interface ServiceContext {
  readonly clusterName: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly serverImage: string;
  /** Checks a role's image override like the cluster's own (tag or digest). */
  readonly checkImage: (prop: string, reference: string) => string;
  readonly version: string;
  /** Labels on every object of the cluster. */
  readonly labels: Record<string, string>;
  /** Pod annotations the cluster adds, such as the static config checksum. */
  readonly podAnnotations: Record<string, string>;
  /** Env vars the cluster adds to every server container. */
  readonly env: EnvVar[];
  /** The volumes of a role's pods and the server container's mounts; roles differ in which TLS keys they may read. */
  readonly podVolumes: (role: ServiceRole) => VolumeSet;
  /** Containers that must finish before the server starts (schema waits). */
  readonly initContainers: Container[];
  readonly metricsPort?: number;
  /** Replicas and resources when the role's own props do not say. */
  readonly size: ClusterSize;
  readonly serviceAccountName: string;
  /** The cluster's placement: what a role's pods get where the role's own props do not set it. */
  readonly placement: PodPlacement;
  readonly imagePullSecrets: string[];
  readonly topologySpread: TopologySpread;
  /** Seconds a pod of each role gets to shut down; a function is read at synth (history's counts dynamic config values added late). */
  readonly terminationGracePeriodSeconds: Partial<Record<ServiceRole, number | (() => number)>>;
  /** How each role's readiness is probed, from its TLS settings and release. */
  readonly readinessCheck: (role: ServiceRole) => ReadinessCheck;
  /** The pod network's IP family, which the roles' Services follow. */
  readonly ipFamily: IpFamily;
  /** The cluster's shard count, which decides how a lone history pod rolls. */
  readonly numHistoryShards: number;
}
