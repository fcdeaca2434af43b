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

/**
 * The pod security context of a pod whose containers listen on `ports`. A port below 1024 is
 * privileged: a process without CAP_NET_BIND_SERVICE (these run as uid 1000 with every capability
 * dropped) cannot bind it, unless the pod lowers `net.ipv4.ip_unprivileged_port_start`, one of
 * Kubernetes' safe sysctls (allowed by the kubelet by default since 1.22, and by the baseline and
 * restricted Pod Security Standards). Container runtimes give pods different defaults (some 0,
 * others the kernel's 1024), so a server on port 443 would crash-loop on some clusters only. The
 * sysctl is set to the lowest port when one is privileged, and left out otherwise.
 */
export function podSecurityContextFor(ports: readonly number[], base: PodSecurityContext = POD_SECURITY_CONTEXT): PodSecurityContext {
  const lowest = Math.min(...ports);
  if (!(lowest < 1024)) return base;
  return { ...base, sysctls: [...(base.sysctls ?? []), { name: 'net.ipv4.ip_unprivileged_port_start', value: String(lowest) }] };
}

/**
 * The ports the native sidecars among `containers` (init containers with `restartPolicy: Always`,
 * such as a database proxy of `persistence.databaseAccess`) declare: they listen beside the pod's
 * own containers as the same non-root user, so a privileged one needs the pod's sysctl as much.
 */
export function sidecarPorts(containers: readonly Container[] | undefined): number[] {
  return (containers ?? []).filter((c) => c.restartPolicy === 'Always').flatMap((c) => (Array.isArray(c.ports) ? c.ports : []).map((p) => p.containerPort));
}

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
