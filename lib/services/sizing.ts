import { ServiceRole } from './service-role';

/**
 * Starting points that set replicas and resources of every role together. Measure and adjust:
 * Temporal's load depends on workflow shapes far more than on request counts.
 */
export enum ClusterSize {
  /** Development and CI: one pod per role, small requests. Not highly available. */
  SMALL = 'small',
  /** A production start: two of each stateless role, three history pods. */
  MEDIUM = 'medium',
  /** Heavier production: more history and matching pods, larger history memory. */
  LARGE = 'large',
}

export interface RoleSizing {
  readonly replicas: number;
  readonly cpu: string;
  readonly memory: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
}

/*
 * Why each role gets what it gets: the frontend is a CPU-bound gateway (TLS, auth, rate limits);
 * history holds shard caches of mutable state and needs the most memory; matching holds task queue
 * partitions in memory; the worker runs a handful of system workflows. CPU limits sit at twice the
 * request: no limit would be kinder to latency, but unbounded pods fail most platform reviews.
 * Memory limits leave room above the request for Go's heap growth.
 */
const SIZES: Record<ClusterSize, Record<ServiceRole, RoleSizing>> = {
  [ClusterSize.SMALL]: {
    [ServiceRole.FRONTEND]: { replicas: 1, cpu: '100m', memory: '256Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
    [ServiceRole.INTERNAL_FRONTEND]: { replicas: 1, cpu: '100m', memory: '128Mi', cpuLimit: '250m', memoryLimit: '256Mi' },
    [ServiceRole.HISTORY]: { replicas: 1, cpu: '200m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
    [ServiceRole.MATCHING]: { replicas: 1, cpu: '100m', memory: '256Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
    [ServiceRole.WORKER]: { replicas: 1, cpu: '100m', memory: '256Mi', cpuLimit: '250m', memoryLimit: '512Mi' },
  },
  [ClusterSize.MEDIUM]: {
    [ServiceRole.FRONTEND]: { replicas: 2, cpu: '500m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
    [ServiceRole.INTERNAL_FRONTEND]: { replicas: 2, cpu: '250m', memory: '256Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
    [ServiceRole.HISTORY]: { replicas: 3, cpu: '1', memory: '2Gi', cpuLimit: '2', memoryLimit: '4Gi' },
    [ServiceRole.MATCHING]: { replicas: 2, cpu: '500m', memory: '1Gi', cpuLimit: '1', memoryLimit: '2Gi' },
    [ServiceRole.WORKER]: { replicas: 2, cpu: '250m', memory: '512Mi', cpuLimit: '500m', memoryLimit: '1Gi' },
  },
  [ClusterSize.LARGE]: {
    [ServiceRole.FRONTEND]: { replicas: 4, cpu: '2', memory: '1Gi', cpuLimit: '4', memoryLimit: '2Gi' },
    [ServiceRole.INTERNAL_FRONTEND]: { replicas: 2, cpu: '500m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
    [ServiceRole.HISTORY]: { replicas: 6, cpu: '2', memory: '6Gi', cpuLimit: '4', memoryLimit: '8Gi' },
    [ServiceRole.MATCHING]: { replicas: 4, cpu: '1', memory: '2Gi', cpuLimit: '2', memoryLimit: '4Gi' },
    [ServiceRole.WORKER]: { replicas: 2, cpu: '500m', memory: '1Gi', cpuLimit: '1', memoryLimit: '2Gi' },
  },
};

/** Replicas and resources of `role` at `size`. */
export function roleSizing(size: ClusterSize, role: ServiceRole): RoleSizing {
  const sizing = SIZES[size]?.[role];
  if (!sizing) throw new Error(`TemporalCluster: size is ${JSON.stringify(size)}; expected one of ${Object.values(ClusterSize).join(', ')}.`);
  return sizing;
}
