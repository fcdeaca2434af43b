import { ROLE_FACTS, ROLE_ORDER, RolePorts, ServiceRole } from './service-role';
import { propError, requireInteger, requirePort } from '../validation';

/**
 * The base ports of a cluster's roles, before per-role overrides. Two Temporal deployments on one
 * Kubernetes cluster must use different membership ports: when a pod IP is reused, the members of
 * one ring keep gossiping to IP:port and can pull a pod of the other deployment into their ring.
 */
export class ServicePorts {
  /** Temporal's documented defaults: 7233/6933/7243 for the frontend, and so on. */
  public static defaults(): ServicePorts {
    return new ServicePorts(0);
  }

  /**
   * Every default port shifted by `offset`, as in Temporal's docs (7233 becomes 8233 with 1000).
   * Give each deployment on the same Kubernetes cluster its own offset.
   */
  public static offset(offset: number): ServicePorts {
    requireInteger('ServicePorts.offset', 'offset', offset, -6000, 58000);
    return new ServicePorts(offset);
  }

  private constructor(public readonly offset: number) {}

  /** The ports of `role` under this scheme. */
  public forRole(role: ServiceRole): RolePorts {
    const d = ROLE_FACTS[role].ports;
    return {
      grpc: d.grpc + this.offset,
      membership: d.membership + this.offset,
      http: d.http === undefined ? undefined : d.http + this.offset,
    };
  }
}

/** The per-role port props a role's options may carry. */
export interface RolePortOptions {
  readonly grpcPort?: number;
  readonly membershipPort?: number;
  readonly httpPort?: number;
}

/**
 * Every running role's ports: the role's own props over the base scheme. Refuses any port used
 * twice in the cluster, the metrics port included, since every role's pod listens on all of them
 * under one address in a shared-network test and one pod IP each in Kubernetes.
 */
export function resolvePorts(owner: string, options: Partial<Record<ServiceRole, RolePortOptions>>, base: ServicePorts,
  metricsPort: number): Partial<Record<ServiceRole, RolePorts>> {
  const ports: Partial<Record<ServiceRole, RolePorts>> = {};
  const used = new Map<number, string>([[metricsPort, 'metricsPort']]);
  const claim = (prop: string, port: number) => {
    requirePort(owner, prop, port);
    const holder = used.get(port);
    if (holder) throw propError(owner, prop, port, `a port no other role of the cluster uses; ${holder} is already ${port}`);
    used.set(port, prop);
  };
  for (const role of ROLE_ORDER) {
    const o = options[role];
    if (!o) continue;
    const d = base.forRole(role);
    const key = role === ServiceRole.INTERNAL_FRONTEND ? 'internalFrontend' : role;
    if (d.http === undefined && o.httpPort !== undefined) {
      throw propError(owner, `${key}.httpPort`, o.httpPort, 'no value: only frontends serve HTTP');
    }
    // The servers use the internal frontend's HTTP API for Nexus worker targets and callbacks, but it
    // serves the whole HTTP API as cluster admin, wrapped in the frontend's TLS: off unless a port is given.
    const http = role === ServiceRole.INTERNAL_FRONTEND ? o.httpPort : d.http === undefined ? undefined : (o.httpPort ?? d.http);
    const p: RolePorts = { grpc: o.grpcPort ?? d.grpc, membership: o.membershipPort ?? d.membership, http };
    claim(`${key}.grpcPort`, p.grpc);
    claim(`${key}.membershipPort`, p.membership);
    if (p.http !== undefined) claim(`${key}.httpPort`, p.http);
    ports[role] = p;
  }
  return ports;
}
