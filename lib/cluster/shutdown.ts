import { Duration } from 'cdk8s';
import { ShutdownOptions } from './temporal-cluster-props';
import { DynamicConfigValue } from '../config/dynamic-config';
import { goDuration } from '../config/go-duration';
import { propError, requireInteger } from '../validation';

/** The frontend's graceful shutdown, as dynamic config values and the pods' grace period. */
export interface FrontendShutdown {
  readonly failHealthCheckDuration: Duration;
  readonly drainDuration: Duration;
  /** Seconds a frontend pod gets to fail its health check, drain and exit. */
  readonly terminationGracePeriodSeconds: number;
  /** The `frontend.shutdown*` dynamic config values. */
  readonly dynamicConfig: DynamicConfigValue[];
}

/** Slack after the drain for the process to exit before the kubelet's SIGKILL. */
const EXIT_SLACK_SECONDS = 15;

export function frontendShutdown(owner: string, shutdown: ShutdownOptions | undefined, userValues: DynamicConfigValue[]): FrontendShutdown {
  for (const v of userValues) {
    if (v.key === 'frontend.shutdownDrainDuration' || v.key === 'frontend.shutdownFailHealthCheckDuration') {
      throw propError(owner, `dynamicConfig value ${v.key}`, v.value, 'no value here',
        'Set it through the shutdown prop, which also sizes the frontend pods\' termination grace period.');
    }
  }
  const failHealthCheckDuration = shutdown?.failHealthCheckDuration ?? Duration.seconds(10);
  const drainDuration = shutdown?.drainDuration ?? Duration.seconds(30);
  requireInteger(owner, 'shutdown.failHealthCheckDuration (seconds)', failHealthCheckDuration.toSeconds(), 0, 600);
  requireInteger(owner, 'shutdown.drainDuration (seconds)', drainDuration.toSeconds(), 0, 600);
  return {
    failHealthCheckDuration,
    drainDuration,
    // The kubelet must not kill a frontend before it has failed its health check and drained.
    terminationGracePeriodSeconds: Math.ceil(failHealthCheckDuration.toSeconds() + drainDuration.toSeconds()) + EXIT_SLACK_SECONDS,
    dynamicConfig: [
      DynamicConfigValue.of('frontend.shutdownFailHealthCheckDuration', goDuration(failHealthCheckDuration)),
      DynamicConfigValue.of('frontend.shutdownDrainDuration', goDuration(drainDuration)),
    ],
  };
}
