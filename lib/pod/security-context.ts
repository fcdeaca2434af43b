import { Container, PodSecurityContext } from '../../imports/k8s';

/*
 * Every pod the library emits runs with these. The server, admin-tools and UI images run as their
 * own user, uid and gid 1000, and write nothing outside the emptyDir mounted at /tmp.
 */
export const POD_SECURITY_CONTEXT: PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

/*
 * runAsNonRoot repeats the pod's on purpose: the schema Jobs carry this context, a Job's pod template
 * is immutable and their names change only with the release, so dropping it would make the next
 * apply over an installed release fail on its finished schema Jobs.
 */
export const CONTAINER_SECURITY_CONTEXT: NonNullable<Container['securityContext']> = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};
