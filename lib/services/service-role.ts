/** The roles a Temporal server process can run (`TEMPORAL_SERVICES`). */
export enum ServiceRole {
  FRONTEND = 'frontend',
  INTERNAL_FRONTEND = 'internal-frontend',
  HISTORY = 'history',
  MATCHING = 'matching',
  WORKER = 'worker',
}

/** Ports of one role. Every pod of the cluster must agree on them, so they live in the shared config. */
export interface RolePorts {
  readonly grpc: number;
  readonly membership: number;
  /** Frontends only. */
  readonly http?: number;
}

interface RoleFacts {
  readonly ports: RolePorts;
  /**
   * The grpc.health.v1 service name the role reports on. The empty name reports SERVING as soon
   * as the listener is up, long before the role is ready, so probes name the role's own service.
   */
  readonly healthService: string;
}

/** Defaults from Temporal's docs, and health names from the server source (service/<role>). */
export const ROLE_FACTS: Record<ServiceRole, RoleFacts> = {
  [ServiceRole.FRONTEND]: { ports: { grpc: 7233, membership: 6933, http: 7243 }, healthService: 'temporal.api.workflowservice.v1.WorkflowService' },
  [ServiceRole.INTERNAL_FRONTEND]: { ports: { grpc: 7236, membership: 6936, http: 7246 }, healthService: 'temporal.api.workflowservice.v1.WorkflowService' },
  [ServiceRole.HISTORY]: { ports: { grpc: 7234, membership: 6934 }, healthService: 'temporal.api.workflowservice.v1.HistoryService' },
  [ServiceRole.MATCHING]: { ports: { grpc: 7235, membership: 6935 }, healthService: 'temporal.api.workflowservice.v1.MatchingService' },
  [ServiceRole.WORKER]: { ports: { grpc: 7239, membership: 6939 }, healthService: 'temporal.api.workflowservice.v1.WorkerService' },
};

/** The order roles appear in the config and the output. */
export const ROLE_ORDER: ServiceRole[] = [
  ServiceRole.FRONTEND, ServiceRole.INTERNAL_FRONTEND, ServiceRole.HISTORY, ServiceRole.MATCHING, ServiceRole.WORKER,
];
