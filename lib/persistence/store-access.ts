import { Datastore, serverCredentialEnvNames, StoreRole } from './datastore';
import { Persistence } from './persistence';
import { EnvVar } from '../../imports/k8s';
import { joinVolumes, NO_VOLUMES, VolumeSet } from '../pod/volumes';

const DATASTORE_TLS_VOLUME_PREFIX = 'datastore-tls';

/** The env vars through which the server config reads each store's credentials from Secrets. */
export function serverStoreCredentialEnv(persistence: Persistence): EnvVar[] {
  return persistence.stores.flatMap(({ role, store }) => store.credentialEnv(serverCredentialEnvNames(role), false));
}

/** The projected volume of one store's TLS files, mounted at the store's TLS folder; none without files. */
export function storeTlsVolume(role: StoreRole, store: Datastore): VolumeSet {
  if (store.tlsFiles.length === 0) return NO_VOLUMES;
  const name = `${DATASTORE_TLS_VOLUME_PREFIX}-${role}`;
  return {
    volumes: [{ name, projected: { sources: store.tlsFiles.map((f) => ({ secret: { name: f.ref.secretName, items: [{ key: f.ref.key, path: f.fileName }] } })) } }],
    mounts: [{ name, mountPath: store.tlsDirectory(role), readOnly: true }],
  };
}

/** Every store's TLS volume: the servers talk to all of them. */
export function storeTlsVolumes(persistence: Persistence): VolumeSet {
  return joinVolumes(...persistence.stores.map(({ role, store }) => storeTlsVolume(role, store)));
}
