import { ApiObject } from 'cdk8s';
import type { EnvVar } from '../../imports/k8s';
import { NO_VOLUMES, secretVolume, VolumeSet } from '../pod/volumes';
import { propError } from '../validation';
import type { FleetConnection } from './fleet-connection';

/** The pod template annotation `ApiKeyRotation.version()` sets: a new value is a new template, so a rolling restart. */
export const API_KEY_VERSION_ANNOTATION = 'temporal.io/api-key-version';
/** Where `ApiKeyRotation.processReloads()` mounts the API key, and the env var that names the file. */
export const API_KEY_DIR = '/etc/temporal/api-key';
export const API_KEY_FILE_ENV = 'TEMPORAL_WORKER_API_KEY_FILE';
/** The annotation stakater Reloader watches: a rolling restart when one of the named Secrets changes. */
export const RELOADER_ANNOTATION = 'secret.reloader.stakater.com/reload';

/** How a fleet's pods come to send a rotated API key. */
export enum ApiKeyRotationKind {
  /** stakater Reloader restarts the Deployment when the key's Secret changes. */
  RELOADER = 'Reloader',
  /** A version the user bumps with each rotation, in the pod template: a new one restarts the pods. */
  VERSION = 'Version',
  /** The key is also mounted as a file, which the kubelet refreshes; the program rereads it. */
  PROCESS_RELOADS = 'ProcessReloads',
}

/**
 * How the fleet's long-running pods pick up a rotated API key (`apiKey`). The SDKs' environment
 * configuration has no file-based API key: it reads `TEMPORAL_API_KEY` (or a TOML profile's
 * `api_key`) once, when the client connects, and the kubelet never updates an env var from a
 * Secret. A pod keeps the key it started with until it restarts, and once that key is revoked or
 * expires every call is refused. The same choices as `CertificateRotation`, for the key.
 */
export class ApiKeyRotation {
  /**
   * Annotate the Deployment for stakater Reloader (`secret.reloader.stakater.com/reload`), which
   * restarts it whenever the key's Secret changes. Needs Reloader running in the cluster; under a
   * GitOps tool that reverts changes to the pod template, run it with `--reload-strategy=annotations`.
   */
  public static reloader(): ApiKeyRotation {
    return new ApiKeyRotation(ApiKeyRotationKind.RELOADER);
  }

  /**
   * Put `version` in the pod template (annotation `temporal.io/api-key-version`): change it
   * (e.g. to the new key's ID or date) when you put a new key in the Secret, and the next apply
   * rolls the pods onto it. Nothing runs in the cluster; the old key must stay valid until the rollout ends.
   * @param version 1 to 253 printable characters, without leading or trailing whitespace
   */
  public static version(version: string): ApiKeyRotation {
    const owner = 'ApiKeyRotation.version';
    if (typeof version !== 'string' || version.length === 0 || version.length > 253 || version.trim() !== version || !/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(version)) {
      throw propError(owner, 'version', version, '1 to 253 printable ASCII characters, without leading, trailing or repeated whitespace',
        'Give the new key\'s ID, or a date or counter you change with each rotation.');
    }
    return new ApiKeyRotation(ApiKeyRotationKind.VERSION, version);
  }

  /**
   * The program rereads the key: the fleet also mounts it as a file, whose path is in
   * `TEMPORAL_WORKER_API_KEY_FILE` (a Secret volume, which the kubelet refreshes about a minute
   * after the Secret changes), and the program passes its content to the client whenever it changes
   * (TypeScript `Connection.setApiKey()`, Go `client.NewAPIKeyDynamicCredentials`, Python
   * `Client.api_key`). `TEMPORAL_API_KEY` still holds the key the pod started with.
   */
  public static processReloads(): ApiKeyRotation {
    return new ApiKeyRotation(ApiKeyRotationKind.PROCESS_RELOADS);
  }

  private constructor(public readonly kind: ApiKeyRotationKind, /** @internal */ public readonly _version?: string) {}
}

/** What the fleet adds for its API key's rotation. */
export interface ResolvedApiKeyRotation {
  readonly kind: ApiKeyRotationKind;
  readonly env: EnvVar[];
  readonly volumes: VolumeSet;
  /** The pod template's annotations: the user's, with the version's. */
  readonly podAnnotations?: Record<string, string>;
  /** The Secret Reloader watches. */
  readonly reloaderSecret?: string;
}

/** The rotation of the fleet's API key, refused where there is no key. */
export function resolveApiKeyRotation(owner: string, rotation: ApiKeyRotation | undefined, connection: FleetConnection,
  podAnnotations: Record<string, string> | undefined): ResolvedApiKeyRotation | undefined {
  const prop = 'apiKeyRotation';
  if (rotation === undefined) return undefined;
  if (!(rotation instanceof ApiKeyRotation)) {
    throw propError(owner, prop, rotation, 'an ApiKeyRotation (ApiKeyRotation.reloader(), .version(...) or .processReloads())');
  }
  const key = connection.apiKey;
  if (!key) {
    throw propError(owner, prop, `ApiKeyRotation (${rotation.kind})`, 'no value: the fleet sends no API key',
      'There is nothing to rotate; drop it, or give the fleet its key (apiKey: SecretRef.of(...)).');
  }
  const base = { kind: rotation.kind, env: [], volumes: NO_VOLUMES, podAnnotations };
  if (rotation.kind === ApiKeyRotationKind.RELOADER) return { ...base, reloaderSecret: key.secretName };
  if (rotation.kind === ApiKeyRotationKind.PROCESS_RELOADS) {
    // The whole folder, never a subPath mount: the kubelet does not refresh those.
    return {
      ...base,
      env: [{ name: API_KEY_FILE_ENV, value: `${API_KEY_DIR}/api-key` }],
      volumes: { volumes: [secretVolume('api-key', key.secretName, [{ key: key.key, path: 'api-key' }])], mounts: [{ name: 'api-key', mountPath: API_KEY_DIR, readOnly: true }] },
    };
  }
  // Annotation keys are case-sensitive, but a near-spelling in podAnnotations is a mistake either way.
  const clash = Object.keys(podAnnotations ?? {}).find((k) => k.trim().toLowerCase() === API_KEY_VERSION_ANNOTATION);
  if (clash !== undefined) {
    throw propError(owner, `podAnnotations["${clash}"]`, podAnnotations![clash], `no ${API_KEY_VERSION_ANNOTATION} annotation with apiKeyRotation: ApiKeyRotation.version()`,
      'The fleet sets it from the version; give the version there only.');
  }
  return { ...base, podAnnotations: { ...podAnnotations, [API_KEY_VERSION_ANNOTATION]: rotation._version! } };
}

/** Adds `secretName` to the Deployment's Reloader annotation, keeping the Secrets already there. */
export function addReloaderSecret(deployment: ApiObject, secretName: string): void {
  const current: string | undefined = deployment.metadata.toJson().annotations?.[RELOADER_ANNOTATION];
  const names = current ? current.split(',') : [];
  if (!names.includes(secretName)) names.push(secretName);
  deployment.metadata.addAnnotation(RELOADER_ANNOTATION, names.join(','));
}
