import { KeyToPath, Quantity, Volume, VolumeMount } from '../../imports/k8s';

/** Volumes of a pod and where its containers mount them. */
export interface VolumeSet {
  readonly volumes: Volume[];
  readonly mounts: VolumeMount[];
}

export const NO_VOLUMES: VolumeSet = { volumes: [], mounts: [] };

/** The sets in order, as one. */
export function joinVolumes(...sets: VolumeSet[]): VolumeSet {
  return { volumes: sets.flatMap((s) => s.volumes), mounts: sets.flatMap((s) => s.mounts) };
}

/**
 * The only writable place in a pod: root filesystems are read-only, and the tools and the server
 * write temporary files (the schema waits' probe folder, the CLI's settings) under /tmp.
 */
export const TMP_VOLUMES: VolumeSet = {
  volumes: [{ name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } }],
  mounts: [{ name: 'tmp', mountPath: '/tmp' }],
};

/*
 * The mode of every file the library mounts from a Secret: 0440, read by the owner and the group
 * only. The kubelet makes the files root-owned with the pod's fsGroup as their group (every pod the
 * library emits sets one, and its containers run in it), so the pod's own processes read them;
 * the default, 0644, would also let any other user in a container read private keys.
 */
export const SECRET_FILE_MODE = 0o440;

/** A volume of the keys `items` of the Secret `secretName`, each at its path, at SECRET_FILE_MODE. */
export function secretVolume(name: string, secretName: string, items: KeyToPath[]): Volume {
  return { name, secret: { secretName, items, defaultMode: SECRET_FILE_MODE } };
}
