import type { ContainerResources, EnvValue } from 'cdk8s-plus-27';
import type { PodPlacement } from '../pod/placement';

/**
 * Settings every role accepts; `nodeSelector`, `tolerations`, `affinity` and `priorityClassName`
 * place its pods (the last one in place of the cluster's `priorityClassName`).
 */
export interface TemporalServiceOptions extends PodPlacement {
  /**
   * Pods of this role. 0 stops the role and leaves out its PodDisruptionBudget (with history or
   * matching at 0 the cluster serves no workflow; the schema Jobs and the objects stay).
   * @default - frontend 2, history 3, matching 2, worker 2, internal frontend 2
   */
  readonly replicas?: number;
  /**
   * CPU and memory of the server container.
   * @default - per role; see the README's sizing table
   */
  readonly resources?: ContainerResources;
  /**
   * gRPC port.
   * @default - Temporal's default for the role (7233, 7234, 7235, 7239, 7236)
   */
  readonly grpcPort?: number;
  /**
   * Membership (ringpop) port. Must differ from every other Temporal deployment on the same
   * Kubernetes cluster.
   * @default - Temporal's default for the role (6933, 6934, 6935, 6939, 6936)
   */
  readonly membershipPort?: number;
  /**
   * Extra env vars for the server container. Names the library sets itself are refused, and so are
   * PGOPTIONS, PGSERVICE and PGSERVICEFILE (driver settings go in the store's connectAttributes).
   * A `GOMEMLIMIT` here replaces the library's (90% of the memory limit): in Go's units (`900MiB`,
   * not `900Mi`, which the runtime refuses at start), above 0 and at most the memory limit.
   * @default - none
   */
  readonly env?: Record<string, EnvValue>;
  /**
   * Extra pod labels. Selector labels cannot be overridden.
   * @default - none
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Extra pod annotations.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Server image, to use a mirror or a patched build.
   * @default - the cluster's server image
   */
  readonly image?: string;
  /**
   * The role's PodDisruptionBudget. Give `maxUnavailable` or `minAvailable`, not both: a drain must
   * be able to take a pod (`minAvailable` below the replicas), and from two replicas on must not take
   * them all at once (`maxUnavailable` below the replicas, `minAvailable` at least 1).
   * @default - maxUnavailable 1: a drain takes one pod of the role at a time
   */
  readonly podDisruptionBudget?: DisruptionBudget;
}

/** How many pods of a role a voluntary disruption (a node drain) may take at once. */
export interface DisruptionBudget {
  /** @default - unset */
  readonly maxUnavailable?: number;
  /** @default - unset */
  readonly minAvailable?: number;
}

/**
 * A HorizontalPodAutoscaler for a frontend, the only stateless role. History and matching own
 * shards and task queue partitions that move whenever their pod count changes, so Temporal's
 * maintainers advise against autoscaling them, and their props do not offer it.
 */
export interface FrontendAutoscaling {
  /** Fewest pods. At least 1. */
  readonly minReplicas: number;
  /** Most pods. At least `minReplicas`. */
  readonly maxReplicas: number;
  /**
   * Target average CPU use, in percent of the CPU request. Below 100 × limit / request ÷ 1.1: a
   * pod never uses more than its limit, and the autoscaler scales up only past 110% of the target.
   * @default 70
   */
  readonly cpuUtilization?: number;
}

/** Settings of the frontends, which also serve HTTP. */
export interface FrontendServiceOptions extends TemporalServiceOptions {
  /**
   * HTTP API port. The internal frontend's HTTP API is off unless this is set: it serves only Nexus
   * endpoints with a worker target and completion callbacks, and the server wraps it in the
   * frontend's TLS settings, so under TLS it also needs frontend TLS.
   * @default - 7243 for the frontend; none (HTTP off) for the internal frontend
   */
  readonly httpPort?: number;
  /**
   * Scale the frontend with a HorizontalPodAutoscaler. The Deployment then omits `replicas`, so
   * that `kubectl apply` and the autoscaler do not fight over it. It needs a CPU request above 0.
   * @default - fixed replicas
   */
  readonly autoscaling?: FrontendAutoscaling;
}
