import { Construct } from 'constructs';
import { EnvVar, KubeConfigMap } from '../../imports/k8s';
import { PINNED_ENV } from '../config/build-server-config';
import { pinnedKeyPattern } from '../security/pinned-values-guard';

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

/**
 * By pinned key, the line of the rendered server config (trimmed) that reads it from its env var:
 * protectPinnedValues keeps these lines in the mutable server config ConfigMap, and denies one
 * whose other lines name the key (PinnedValuesGuard.configExpression). A value the props put in the
 * config that reads as a pinned key and a colon would have the policy deny the library's own config
 * at apply, so synth refuses it here.
 */
export function pinnedConfigLines(serverConfig: string, owner = 'TemporalCluster'): Record<string, string> {
  const lines = serverConfig.split('\n').map((l) => l.trim()).filter((l) => !l.startsWith('#'));
  return Object.fromEntries(Object.keys(PINNED_ENV).map((key) => {
    const pattern = new RegExp(pinnedKeyPattern(key));
    const reading = lines.filter((l) => l.startsWith(`${key}: {{ env `));
    if (reading.length !== 1) throw new Error(`The server config reads ${key} on ${reading.length} lines, not one: a bug in cdk8s-temporal.`);
    const other = lines.find((l) => pattern.test(l) && l !== reading[0]);
    if (other !== undefined) {
      throw new Error(`${owner}: protectPinnedValues would deny this cluster's own server config, where "${other}" sets the pinned key ${key} `
        + 'beside the line that reads it from env: a value of the props (a database, user, host or other name) reads there as that key and a colon. '
        + `Expected no value that holds ${key} followed by a colon; rename it.`);
    }
    return [key, reading[0]];
  }));
}
