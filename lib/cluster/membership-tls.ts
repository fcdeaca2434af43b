import type { LockedCluster } from './lock-record';
import { BACK_AFTER_STOP } from './lock-internode-tls';
import { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { serverReadsAsTrue } from '../config/setting-choices';
import { ownValidation } from '../own-validation';
import { propError } from '../validation';
import { summaryWarning } from '../summary-warning';

/** The dynamic config switch the server reads for TLS on the membership (ringpop) port. */
export const RINGPOP_TLS_KEY = 'system.enableRingpopTLS';

/*
 * Every role reads system.enableRingpopTLS once, when it opens its membership channel
 * (common/membership/ringpop/factory.go, getTChannel under a sync.Once), and then listens with the
 * internode server settings (tls.Listen) and dials its peers with the internode client settings
 * (tls.Dialer): the same certificate, CA and server name as the gRPC ports, client certificates
 * required as `requireClientAuth` says for the internode port. A pod that read one value cannot
 * gossip with one that read the other, and a dynamic config edit restarts no pod, so a rolling
 * change splits the ring until the last old pod is gone. What the lock records is what ran.
 */

/** Whether a cluster's membership ports serve TLS: the prop, the user's switch, and what the lock recorded. */
export class MembershipTls {
  /** The value the lock recorded for the cluster (true for one new to it), once a ClusterLock checked it. */
  private settled?: boolean;
  /** The entry of a locked cluster, whose value no later switch may change either. */
  private lockedAs?: { readonly key: string; readonly fieldRecorded: boolean };

  /**
   * `given`: the `membershipTls` prop; `dynamicConfig` holds the user's switch, read when the app
   * is complete (cluster.dynamicConfig.add() may set it after the cluster is built).
   */
  constructor(private readonly owner: string, private readonly hasTls: boolean, private readonly given: boolean | undefined, private readonly dynamicConfig: DynamicConfig) {
    if (given !== undefined && typeof given !== 'boolean') throw propError(owner, 'membershipTls', given, 'true or false');
    if (given === true && !hasTls) {
      throw propError(owner, 'membershipTls', true, 'false or no value while the cluster has no tls',
        'The membership ports are served with the internode TLS settings, which are empty without tls: every role would exit at start. '
        + 'Give the cluster tls (ClusterTls.fromSecrets or ClusterTls.certManager), or drop membershipTls.');
    }
    dynamicConfig._late = () => this.libraryValues();
    dynamicConfig.node.addValidation(ownValidation({ validate: () => this.contradictions() }));
    dynamicConfig.node.addValidation(ownValidation({ validate: () => summaryWarning(this.plaintextNote()) }));
  }

  /**
   * The user's switch as the server reads it: a value it cannot read as true keeps its default,
   * false; undefined without one. Only a value without constraints counts: the server matches a
   * global key's constraints exactly against none, so a constrained value is never read (and is refused).
   */
  public get switched(): boolean | undefined {
    const value = this.unconstrained();
    return value === undefined ? undefined : serverReadsAsTrue(value.value);
  }

  /** What the app says: the prop, else the switch; undefined when it says nothing. */
  public get declared(): boolean | undefined {
    return this.given ?? this.switched;
  }

  /**
   * Whether the membership ports serve TLS: as declared, else as the lock recorded (on for a cluster
   * new to the lock), else off. Without a lock the library cannot tell a new cluster from one an
   * older version deployed with plaintext ports, whose ring a rollout would split.
   */
  public get on(): boolean {
    return this.hasTls && (this.declared ?? this.settled ?? false);
  }

  /** `{ membershipTls }` for a cluster with tls; `{}` without, so that the entry of such a cluster stays as it was. */
  public record(): Pick<LockedCluster, 'membershipTls'> {
    return this.hasTls ? { membershipTls: this.on } : {};
  }

  /**
   * Takes the value of the lock entry `locked` (the cluster's, or the one it was) as the default,
   * and returns why the app cannot have what it declares, if it cannot. An entry without the field
   * was written before the lock recorded it: its cluster ran what its switch said (off without one).
   */
  public settle(key: string, locked: LockedCluster | undefined): string | undefined {
    if (!this.hasTls) return undefined;
    if (locked === undefined) {
      this.settled = true;
      return undefined;
    }
    this.settled = locked.membershipTls ?? this.switched ?? false;
    this.lockedAs = { key, fieldRecorded: locked.membershipTls !== undefined };
    return this.lockRefusal();
  }

  /** Why the app cannot have what it declares on a locked cluster (also for a switch added after the lock checked it), if it cannot. */
  private lockRefusal(): string | undefined {
    const declared = this.declared;
    const was = this.settled;
    if (this.lockedAs === undefined || declared === undefined || declared === was) return undefined;
    const { key, fieldRecorded } = this.lockedAs;
    const [namespace, name] = key.split('/');
    const value = this.unconstrained()!;
    const how = this.given !== undefined ? `membershipTls: ${declared}` : `dynamicConfig ${value.key}: ${JSON.stringify(value.value)}`;
    const recorded = fieldRecorded ? `${was}` : `${was}, what its pods ran before the lock recorded the field (${RINGPOP_TLS_KEY} ${was ? 'on' : 'left out'})`;
    return `cluster ${key}: membershipTls is locked at ${recorded}, but the app now says ${how}. Each role reads ${RINGPOP_TLS_KEY} once, at start: during a rolling `
      + `change the pods that serve the membership port over TLS cannot gossip with those that serve it plaintext, the ring splits in two, and each half takes `
      + `every history shard. To change it, stop the whole cluster first: kubectl scale deployment -n ${namespace} -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=${name} --replicas=0, `
      + `wait until no pod of it runs, set "membershipTls": ${declared} in the entry ${key} of the lock file, synthesize and apply ${BACK_AFTER_STOP}. `
      + `Or keep membershipTls: ${was}.`;
  }

  /**
   * Why the synth summary warns, when it should: the cluster has tls, its membership ports serve
   * plaintext, and the app never said so; the lock kept its recorded value (what the cluster ran
   * before the lock recorded the field, or before it had tls), or there is no lock to tell a new
   * cluster from an old one. Not refused: the ring works, a change needs the whole cluster stopped,
   * and refusing would fail the first synth of every such cluster after a library upgrade.
   */
  private plaintextNote(): string | undefined {
    if (!this.hasTls || this.on || this.declared !== undefined) return undefined;
    const plaintext = `${this.owner} has tls, but its membership (ringpop) ports serve plaintext`;
    const keep = 'Set membershipTls: false to keep them so (and silence this warning); then only NetworkPolicies keep other pods off those ports.';
    if (this.lockedAs === undefined) {
      return `${plaintext}: without a ClusterLock the library cannot tell a new cluster from one an older library deployed with plaintext membership ports. `
        + `Set membershipTls: true for a new cluster, or synthesize with a ClusterLock, which turns them on for a cluster new to it. ${keep}`;
    }
    const [namespace, name] = this.lockedAs.key.split('/');
    return `${plaintext}: the lock's entry ${this.lockedAs.key} ${this.lockedAs.fieldRecorded ? 'records membershipTls false' : `was written while its pods ran them plaintext (before the lock recorded membershipTls, or before the cluster had tls)`}, `
      + `and a rolling change would split the ring. To serve them over TLS, stop the whole cluster: kubectl scale deployment -n ${namespace} -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=${name} --replicas=0, `
      + `wait until no pod of it runs, set "membershipTls": true in the entry ${this.lockedAs.key} of the lock file, synthesize and apply ${BACK_AFTER_STOP}. ${keep}`;
  }

  /** What the library writes itself: the switch, when the ports serve TLS and the app did not set it. */
  private libraryValues(): DynamicConfigValue[] {
    if (!this.on || this.switched !== undefined) return [];
    const value = DynamicConfigValue.of(RINGPOP_TLS_KEY, true);
    value._setBy = `${this.owner} sets it itself, from membershipTls (on with tls unless the lock recorded it off).`;
    return [value];
  }

  private unconstrained(): DynamicConfigValue | undefined {
    return this.dynamicConfig.valuesOf(RINGPOP_TLS_KEY).find((v) => Object.values(v.constraints).every((c) => c === undefined));
  }

  /** The prop and the switch say one thing, in whatever spelling the switch is given, and the switch is one the server reads. */
  private contradictions(): string[] {
    const value = this.unconstrained();
    const constrained = this.dynamicConfig.valuesOf(RINGPOP_TLS_KEY).filter((v) => v !== value);
    if (constrained.length) {
      return [propError(this.owner, `dynamicConfig ${constrained[0].key}`, constrained[0].constraints, 'no constraints (the key is global)',
        'The server reads a global key only from a value without constraints, so this one is never read, and the pods run another value than the lock records. Give the value without constraints, or set membershipTls.').message];
    }
    const late = this.lockRefusal();
    if (late !== undefined) return [late];
    if (this.given === undefined || value === undefined || serverReadsAsTrue(value.value) === this.given) return [];
    return [propError(this.owner, `dynamicConfig ${value.key}`, value.value, `${this.given}, as membershipTls says, or no value`,
      `The server would read it as ${!this.given}. The library writes ${RINGPOP_TLS_KEY} from membershipTls: drop the value, or change membershipTls.`).message];
  }
}
