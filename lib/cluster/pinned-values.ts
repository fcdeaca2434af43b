import { Construct } from 'constructs';
import { EnvVar, KubeConfigMap } from '../../imports/k8s';
import { PINNED_ENV } from '../config/build-server-config';

/** What never changes for a cluster; also written to the pinned ConfigMap. */
export interface PinnedValues {
  readonly numHistoryShards: number;
  readonly failoverVersionIncrement: number;
  readonly currentClusterName: string;
}

/**
 * The pinned ConfigMap. Immutable: a different value is refused by the API server, so no pod can
 * start with it.
 */
export function emitPinnedConfigMap(scope: Construct, metadata: { name: string; namespace: string; labels: Record<string, string> },
  pinned: PinnedValues): KubeConfigMap {
  return new KubeConfigMap(scope, 'Pinned', {
    metadata,
    immutable: true,
    data: {
      numHistoryShards: String(pinned.numHistoryShards),
      failoverVersionIncrement: String(pinned.failoverVersionIncrement),
      currentClusterName: pinned.currentClusterName,
    },
  });
}

/** The env vars through which the servers read pinned values from the pinned ConfigMap. */
export function pinnedEnv(configMapName: string): EnvVar[] {
  return Object.entries(pinnedEnvKeys()).map(([name, key]) => ({ name, valueFrom: { configMapKeyRef: { name: configMapName, key } } }));
}

/** Each pinned env var's key in the pinned ConfigMap. */
export function pinnedEnvKeys(): Record<string, string> {
  return Object.fromEntries((Object.keys(PINNED_ENV) as Array<keyof typeof PINNED_ENV>).map((key) => [PINNED_ENV[key], key]));
}
