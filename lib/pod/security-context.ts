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
 * runAsNonRoot is not repeated here: every container inherits the pod's, which the restricted Pod
 * Security Standard accepts. The other three have no pod-level form, and restricted requires the
 * first and the last explicitly.
 */
export const CONTAINER_SECURITY_CONTEXT: NonNullable<Container['securityContext']> = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
