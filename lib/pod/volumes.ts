import { Quantity, Volume, VolumeMount } from '../../imports/k8s';

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
