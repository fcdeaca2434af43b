/**
 * How a role's pods spread over zones and nodes. Losing a zone or a node should take a fraction of
 * each role, not all of it.
 */
export class TopologySpread {
  /** Prefer spreading over zones and nodes, but schedule anyway when the cluster cannot. */
  public static soft(): TopologySpread {
    return new TopologySpread('ScheduleAnyway');
  }

  /**
   * Refuse to schedule a pod that would break the spread (maxSkew 1 over zones and nodes). The
   * scheduler then places no pod on a node without a `topology.kubernetes.io/zone` or
   * `kubernetes.io/hostname` label (missing required label): on nodes without zone labels (kind,
   * many bare-metal clusters) every pod stays Pending, so use `soft()` there.
   */
  public static hard(): TopologySpread {
    return new TopologySpread('DoNotSchedule');
  }

  /** No spread constraints. */
  public static none(): TopologySpread {
    return new TopologySpread(undefined);
  }

  private constructor(public readonly whenUnsatisfiable: 'ScheduleAnyway' | 'DoNotSchedule' | undefined) {}

  /**
   * The pod's topologySpreadConstraints for pods matching `selector`, counted per ReplicaSet
   * (`matchLabelKeys: [pod-template-hash]`, KEP-3243). Counted over every revision, a rollout
   * placed each new pod against the old pods it was about to replace: when those left, the new
   * revision could end two pods in one zone and none in another, until the next rollout.
   */
  public constraints(selector: Record<string, string>) {
    if (!this.whenUnsatisfiable) return undefined;
    return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: this.whenUnsatisfiable!,
      labelSelector: { matchLabels: selector },
      matchLabelKeys: ['pod-template-hash'],
    }));
  }
}
