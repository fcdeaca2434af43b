import { ROLE_FACTS, RolePorts, ServiceRole } from './services/service-role';
import { requireInteger } from './validation';

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
