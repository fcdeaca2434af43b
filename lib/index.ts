// The public API. Each folder is one part of the design:
//   cluster/        TemporalCluster, its props, naming, and the lock of values that never change
//   services/       one Deployment per role, ports, sizing, availability
//   persistence/    datastores, Persistence, Secrets, schema Jobs and waits
//   config/         the typed server config, dynamic config, archival
//   security/       TLS, authorization, NetworkPolicies, the pinned-values guard
//   operations/     UI, admin tools, namespace Job, GitOps annotations
//   observability/  scraping, alerts, dashboard
//   pod/            pod-template pieces every workload shares
//   fleet/          the application's own SDK workers: WorkerFleet, its autoscaling, policies and alerts
export * from './versions';
export * from './cluster/temporal-cluster';
export * from './cluster/temporal-cluster-props';
export * from './cluster/replication-props';
export * from './cluster/shutdown-options';
export * from './cluster/cluster-lock';
export * from './cluster/lock-record';
export * from './cluster/pinned-values';
export type { DerivedName } from './cluster/object-names';
export * from './services/service-role';
export * from './services/service-options';
export * from './services/service-context';
export * from './services/temporal-service';
export * from './services/frontend-service';
export * from './services/internal-frontend-service';
export * from './services/history-service';
export * from './services/matching-service';
export * from './services/worker-service';
export * from './services/ports';
export * from './services/probes';
export * from './services/sizing';
export * from './services/topology-spread';
export * from './persistence/secret-ref';
export * from './persistence/config-map-ref';
export * from './persistence/datastore-options';
export * from './persistence/datastore';
export * from './persistence/mysql-collation';
export * from './persistence/persistence';
export type { DatabaseAccessOptions } from './persistence/database-access';
export type { DatabaseProxy } from './persistence/database-proxies';
export type { PasswordCommand } from './persistence/password-command';
export * from './persistence/schema/schema-options';
export * from './persistence/schema/schema-job';
export * from './persistence/schema/schema-steps';
export * from './persistence/schema/schema-wait';
export * from './config/dynamic-config';
export * from './config/archival';
export * from './security/tls';
export * from './security/cert-manager-issuer';
export * from './security/authorization';
export * from './security/network-policies';
export * from './security/pinned-values-guard';
export * from './operations/tool-job';
export * from './operations/gitops';
export * from './operations/namespace-bootstrap';
export * from './operations/remote-cluster-registration';
export * from './operations/search-attributes';
export type { ResolvedRemoteCluster } from './cluster/cluster-metadata';
export * from './operations/temporal-ui';
export * from './operations/admin-tools';
export * from './observability';
export * from './pod/images';
export * from './pod/service-account';
export { IpFamily } from './pod/ip-family';
export type { PodPlacement } from './pod/placement';
export * from './fleet';
// The Kubernetes types a databaseAccess container's resources and probes take their values in.
export { IntOrString, Quantity } from '../imports/k8s';
