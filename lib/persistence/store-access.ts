import { serverCredentialEnvNames } from './datastore';
import { Persistence } from './persistence';
import { EnvVar } from '../../imports/k8s';
import { VolumeSet } from '../pod/volumes';

const DATASTORE_TLS_VOLUME_PREFIX = 'datastore-tls';

/** The env vars through which the server config reads each store's credentials from Secrets. */
export function serverStoreCredentialEnv(persistence: Persistence): EnvVar[] {
  return persistence.stores.flatMap(({ role, store }) => store.credentialEnv(serverCredentialEnvNames(role), false));
}

/** One projected volume per store with TLS files, mounted at the store's TLS folder. */
export function storeTlsVolumes(persistence: Persistence): VolumeSet {
  const withFiles = persistence.stores.filter(({ store }) => store.tlsFiles.length > 0);
  return {
    volumes: withFiles.map(({ role, store }) => ({
      name: `${DATASTORE_TLS_VOLUME_PREFIX}-${role}`,
      projected: { sources: store.tlsFiles.map((f) => ({ secret: { name: f.ref.secretName, items: [{ key: f.ref.key, path: f.fileName }] } })) },
    })),
    mounts: withFiles.map(({ role, store }) => ({ name: `${DATASTORE_TLS_VOLUME_PREFIX}-${role}`, mountPath: store.tlsDirectory(role), readOnly: true })),
  };
}
