// The users' own SDK workers (not the server's worker role): WorkerFleet and what configures it.
export * from './worker-fleet';
export * from './worker-fleet-props';
export { FleetClientCertificate } from './fleet-connection';
export type { FleetCertManagerOptions, ClientCertificateKeys } from './fleet-connection';
export * from './fleet-autoscaling';
export * from './fleet-network-policies';
export { WorkerFleetMonitoring, WORKER_FLEET_LABEL } from './worker-fleet-monitoring';
export { tallyLabelValue } from '../observability/tally-label';
export type { WorkerFleetMonitoringProps } from './worker-fleet-monitoring';
export { CertificateRotation, CertificateRotationKind, DEFAULT_KUBECTL_IMAGE } from './certificate-rotation';
export type { ApiServerAccess, ResolvedRotation, RestartPodsOptions, RestartPodsSettings } from './certificate-rotation';
export { FleetRestartSchedule, RELOADER_ANNOTATION } from './fleet-restart-schedule';
export type { FleetRestartScheduleProps } from './fleet-restart-schedule';
export { ApiKeyRotation, ApiKeyRotationKind, API_KEY_DIR, API_KEY_FILE_ENV, API_KEY_VERSION_ANNOTATION } from './api-key-rotation';
export { WORKER_BUILD_ID_ENV, WORKER_DEPLOYMENT_NAME_ENV } from './worker-deployment';
export type { WorkerDeploymentVersion } from './worker-deployment';
