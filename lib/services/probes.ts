import { ROLE_FACTS, RolePorts, ServiceRole } from './service-role';
import { IntOrString, Probe } from '../../imports/k8s';

/** How a role's readiness can be observed, from what its listeners offer. */
export enum ReadinessCheck {
  /** gRPC health of the role's own service: SERVING only once the role serves (history: once it holds shards). */
  GRPC_HEALTH = 'grpc-health',
  /**
   * `GET /api/v1/system-info` on the frontend's HTTPS API: 503 until the frontend has joined the
   * ring, 200 after. The kubelet presents no client certificate, so only without mutual TLS.
   */
  HTTPS_SYSTEM_INFO = 'https-system-info',
  /**
   * A TCP connect to the gRPC port. Kubernetes gRPC probes cannot speak TLS, and the server opens
   * its listener before it serves, so under mutual TLS "Ready" only means the process is up and
   * listening: see the README's "What Ready means under TLS".
   */
  TCP_GRPC = 'tcp-grpc',
  /** A TCP connect to the membership port: a 1.30 worker role runs no gRPC server at all. */
  TCP_MEMBERSHIP = 'tcp-membership',
}

/**
 * The appProtocol of a role's gRPC and HTTP ports, for meshes, which take it (before the port
 * name) as what is on the wire: Istio parses `grpc` and `http` as cleartext HTTP/2 and HTTP and
 * resets a connection that starts with a TLS handshake, and carries `tls` and `https` through
 * opaque. A check was chosen from the same TLS settings: only GRPC_HEALTH observes a cleartext gRPC
 * listener, and the frontend's HTTP API serves TLS whenever its gRPC listener does.
 */
export function appProtocols(check: ReadinessCheck): { grpc: string; http: string } {
  const tls = check === ReadinessCheck.HTTPS_SYSTEM_INFO || check === ReadinessCheck.TCP_GRPC;
  return tls ? { grpc: 'tls', http: 'https' } : { grpc: 'grpc', http: 'http' };
}

/** The readiness and startup probe's action for a role's check. */
export function probeAction(check: ReadinessCheck, role: ServiceRole, ports: RolePorts): Pick<Probe, 'grpc' | 'httpGet' | 'tcpSocket'> {
  switch (check) {
    case ReadinessCheck.GRPC_HEALTH:
      return { grpc: { port: ports.grpc, service: ROLE_FACTS[role].healthService } };
    case ReadinessCheck.HTTPS_SYSTEM_INFO:
      return { httpGet: { path: '/api/v1/system-info', port: IntOrString.fromNumber(ports.http!), scheme: 'HTTPS' } };
    case ReadinessCheck.TCP_GRPC:
      return { tcpSocket: { port: IntOrString.fromNumber(ports.grpc) } };
    case ReadinessCheck.TCP_MEMBERSHIP:
      return { tcpSocket: { port: IntOrString.fromNumber(ports.membership) } };
  }
}
