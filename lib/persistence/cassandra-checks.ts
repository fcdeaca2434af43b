import { CassandraConsistency, CassandraSerialConsistency } from './datastore-options';
import { propError } from '../validation';

/*
 * The server hands `consistency` to gocql as the session's default (cluster.Consistency in the
 * Cassandra plugin's ConfigureCassandraCluster) and no query sets its own: every read and every
 * write runs at that one level, lightweight transactions' commits included. Reads see the last
 * write only where the replicas a read asks and those a write waited for always overlap, which
 * the quorum levels and ALL give for any replication factor. A fixed count (ONE, TWO, THREE,
 * LOCAL_ONE) overlaps only while twice it exceeds the keyspace's replication factor, which synth
 * cannot see (replicationFactor is read only when the schema Job creates the keyspace, and a
 * datacenter added later doubles it): a read can then miss the shard's new range_id or a history
 * branch's last events, and Temporal works from stale state. ANY fails every read.
 * The server parses the level in any case (strings.ToUpper before gocql's UnmarshalText, in
 * ParseConsistencyWrapper at startup and ParseConsistency when it connects): every spelling it
 * takes is taken here, and written in the enum's.
 */
const WEAK_CONSISTENCY = ['ANY', 'ONE', 'TWO', 'THREE', 'LOCAL_ONE'];
const STRONG_CONSISTENCY: string[] = [CassandraConsistency.QUORUM, CassandraConsistency.LOCAL_QUORUM, CassandraConsistency.EACH_QUORUM, CassandraConsistency.ALL];

/**
 * `value` upper-cased as Go's strings.ToUpper does: each character by its simple case mapping, so
 * one for one ("ı" is "I", "ſ" is "S"; "ﬀ", whose upper case is two letters, stays as it is).
 */
export function goToUpper(value: string): string {
  return Array.from(value, (c) => {
    const upper = c.toUpperCase();
    return Array.from(upper).length === 1 ? upper : c;
  }).join('');
}

/** The levels checked (see above) and written as the enum spells them. */
export function checkCassandraConsistency(owner: string, consistency: unknown, serialConsistency: unknown): { consistency?: CassandraConsistency; serialConsistency?: CassandraSerialConsistency } {
  const upper = typeof consistency === 'string' ? goToUpper(consistency) : undefined;
  if (consistency !== undefined) {
    if (upper !== undefined && WEAK_CONSISTENCY.includes(upper)) {
      throw propError(owner, 'consistency', consistency, `a level whose reads see every write made at it: ${STRONG_CONSISTENCY.join(', ')}`,
        upper === 'ANY' ? 'Cassandra refuses reads at ANY, and the server runs every read and write at this one level: every read would fail. Leave it out for LOCAL_QUORUM.'
          : `The server runs every read and write at this one level, and ${upper} waits for a fixed number of replicas: with a replication factor of ${upper === 'TWO' ? 4 : upper === 'THREE' ? 6 : 2} `
          + 'or more (or another datacenter added later) a read can miss the last write, and Temporal would work from stale shard ownership and history. '
          + 'Leave it out for LOCAL_QUORUM, or give QUORUM.');
    }
    if (upper === undefined || !STRONG_CONSISTENCY.includes(upper)) {
      throw propError(owner, 'consistency', consistency, `one of ${STRONG_CONSISTENCY.join(', ')} (CassandraConsistency), in any case`, spelling(consistency, STRONG_CONSISTENCY, 'CassandraConsistency', 'LOCAL_QUORUM'));
    }
  }
  const serialUpper = typeof serialConsistency === 'string' ? goToUpper(serialConsistency) : undefined;
  const serialLevels: string[] = Object.values(CassandraSerialConsistency);
  if (serialConsistency !== undefined && (serialUpper === undefined || !serialLevels.includes(serialUpper))) {
    throw propError(owner, 'serialConsistency', serialConsistency, `one of ${serialLevels.join(', ')} (CassandraSerialConsistency), in any case`,
      spelling(serialConsistency, serialLevels, 'CassandraSerialConsistency', 'LOCAL_SERIAL'));
  }
  return { consistency: upper as CassandraConsistency | undefined, serialConsistency: serialUpper as CassandraSerialConsistency | undefined };
}

/** The remedy for a level the checks do not read: its enum spelling when it is one in another spelling. */
function spelling(value: unknown, levels: readonly string[], enumName: string, serverDefault: string): string {
  const meant = typeof value === 'string' ? value.trim().toUpperCase().replace(/[- ]/g, '_') : undefined;
  return meant !== undefined && levels.includes(meant) ? `Write "${meant}" (${enumName}.${meant}): the server reads the level's name as it is, in any case, without spaces or '-'.`
    : `Give one of ${enumName}, or leave it out for the server's default (${serverDefault}).`;
}

/*
 * Cassandra's own keyspaces. The schema Job's CREATE KEYSPACE IF NOT EXISTS finds one there and
 * goes on, and setup-schema then fails to create Temporal's tables in it: Cassandra refuses a
 * CREATE in its system keyspaces to every user, superusers included ("keyspace is not
 * user-modifiable", "Cannot CREATE"). The create step quotes the name, so another case ("System")
 * is a keyspace of its own and passes.
 */
const SYSTEM_KEYSPACES = ['system', 'system_auth', 'system_schema', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema', 'system_cluster_metadata'];

export function checkCassandraKeyspace(owner: string, keyspace: string): void {
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/.test(keyspace)) {
    throw propError(owner, 'keyspace', keyspace, 'a Cassandra keyspace name: a letter, then letters, digits or _, at most 48 characters');
  }
  if (SYSTEM_KEYSPACES.includes(keyspace)) {
    throw propError(owner, 'keyspace', keyspace, 'a keyspace of Temporal\'s own, not one of Cassandra\'s system keyspaces',
      'The schema Job would find it already there and fail to create Temporal\'s tables in it (Cassandra keeps its system keyspaces to itself). Give a new name, such as "temporal".');
  }
}

/**
 * Cassandra takes EACH_QUORUM as a lightweight transaction's commit level only in a
 * NetworkTopologyStrategy keyspace (ConsistencyLevel.validateForCasCommit), and the server commits
 * executions and shard ownership that way. The schema Job creates a SimpleStrategy keyspace unless
 * the store names a datacenter; a keyspace the platform made itself (createDatabase off) may be
 * NetworkTopologyStrategy without the server being held to one datacenter.
 */
export function checkEachQuorumKeyspace(owner: string, prop: string, cassandra: { consistency?: string; datacenter?: string } | undefined, createsKeyspace: boolean): void {
  if (cassandra?.consistency !== CassandraConsistency.EACH_QUORUM || cassandra.datacenter !== undefined || !createsKeyspace) return;
  throw propError(owner, prop, cassandra.consistency, 'EACH_QUORUM only with datacenter set, or with schema.createDatabase false over a NetworkTopologyStrategy keyspace made beforehand',
    'The server writes executions and shard ownership with lightweight transactions committed at this level, which Cassandra refuses in a SimpleStrategy keyspace '
    + '("consistency level EACH_QUORUM not compatible with replication strategy"), and without datacenter the schema Job creates one. '
    + 'Give datacenter (the keyspace is then NetworkTopologyStrategy), set schema.createDatabase: false if the keyspace is made NetworkTopologyStrategy beforehand, or use LOCAL_QUORUM or QUORUM.');
}
