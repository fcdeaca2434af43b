import * as fc from 'fast-check';
import { CassandraConsistency, CassandraSerialConsistency, Datastore, Persistence, SecretRef } from '../lib';
import { cluster, testChart } from './support/synth';

const cassandra = (props: object) => () => Datastore.cassandra({ hosts: ['cassandra'], keyspace: 'temporal', ...props });
/** `word` in any mix of cases, the server's strings.ToUpper reading each as the word. */
const anyCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
  .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('Cassandra consistency', () => {
  test('fails when the consistency counts a fixed number of replicas, in any case the server parses: reads at it can miss writes at it', () => {
    fc.assert(fc.property(fc.constantFrom('ONE', 'TWO', 'THREE', 'LOCAL_ONE').chain(anyCase), (level) => {
      expect(cassandra({ consistency: level })).toThrow(new RegExp(`^Datastore.cassandra: consistency is "${level}"; expected a level whose reads see every write made at it: `
        + 'QUORUM, LOCAL_QUORUM, EACH_QUORUM, ALL\\. The server runs every read and write at this one level, .* a read can miss the last write.*Leave it out for LOCAL_QUORUM'));
    }));
  });

  test('fails when the consistency is ANY, which Cassandra refuses for every read', () => {
    fc.assert(fc.property(anyCase('ANY'), (level) => {
      expect(cassandra({ consistency: level })).toThrow(new RegExp(`consistency is "${level}"; expected a level whose reads see every write .*Cassandra refuses reads at ANY`));
    }));
  });

  test('the quorum levels and ALL pass and are kept as given (EACH_QUORUM with a datacenter); both serial levels pass', () => {
    for (const consistency of [CassandraConsistency.QUORUM, CassandraConsistency.LOCAL_QUORUM, CassandraConsistency.EACH_QUORUM, CassandraConsistency.ALL]) {
      for (const serialConsistency of [undefined, CassandraSerialConsistency.SERIAL, CassandraSerialConsistency.LOCAL_SERIAL]) {
        expect(cassandra({ consistency, serialConsistency, datacenter: 'dc1' })()._cassandra).toMatchObject({ consistency, serialConsistency });
      }
    }
  });

  test('fails when a level is no string or not one the server parses in any case (spaces, \'-\', none)', () => {
    fc.assert(fc.property(fc.constantFrom(' QUORUM', 'QUORUM ', 'LOCAL-QUORUM', 'local quorum', 'LOCALQUORUM', '', 'QUORUMS', 'ﬀ'), (level) => {
      expect(cassandra({ consistency: level })).toThrow(/consistency is .*; expected one of QUORUM, LOCAL_QUORUM, EACH_QUORUM, ALL \(CassandraConsistency\), in any case/);
      // The remedy names the level meant, in the enum's spelling, when there is one.
      const meant = level.trim().toUpperCase().replace(/[- ]/g, '_');
      expect(cassandra({ consistency: level })).toThrow(['QUORUM', 'LOCAL_QUORUM', 'EACH_QUORUM', 'ALL'].includes(meant)
        ? `Write "${meant}" (CassandraConsistency.${meant})` : 'Give one of CassandraConsistency, or leave it out for the server\'s default (LOCAL_QUORUM).');
    }));
    for (const level of [1, null, ['QUORUM'], { toUpperCase: () => 'QUORUM' }]) {
      expect(cassandra({ consistency: level })).toThrow(/consistency is .*; expected one of QUORUM/);
      expect(cassandra({ serialConsistency: level })).toThrow(/serialConsistency is .*; expected one of SERIAL, LOCAL_SERIAL/);
    }
    for (const level of ['QUORUM', 'ONE', '', 'LOCAL-SERIAL', ' serial']) {
      expect(cassandra({ serialConsistency: level })).toThrow(/serialConsistency is .*; expected one of SERIAL, LOCAL_SERIAL \(CassandraSerialConsistency\), in any case/);
    }
  });

  test('fails when a level in another case the server parses (strings.ToUpper: local_quorum, ı for I, ſ for S) is refused, or written other than in the enum\'s spelling', () => {
    /** `word` in any case, an I or S sometimes as the dotless ı or long ſ, which Go's ToUpper reads as I and S. */
    const respelled = (word: string) => fc.tuple(anyCase(word), fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }))
      .map(([w, odd]) => [...w].map((c, i) => (odd[i] && /i/i.test(c) ? 'ı' : odd[i] && /s/i.test(c) ? 'ſ' : c)).join(''));
    fc.assert(fc.property(fc.constantFrom('QUORUM', 'LOCAL_QUORUM', 'EACH_QUORUM', 'ALL').chain((l) => respelled(l).map((s) => [l, s])),
      fc.constantFrom('SERIAL', 'LOCAL_SERIAL').chain((l) => respelled(l).map((s) => [l, s])), ([level, consistency], [serial, serialConsistency]) => {
        expect(cassandra({ consistency, serialConsistency, datacenter: 'dc1' })()._cassandra).toMatchObject({ consistency: level, serialConsistency: serial });
      }));
    // In the server config and the EACH_QUORUM check, which compare the enum's spelling.
    const withLevels = (props: object) => {
      const chart = testChart();
      return cluster(chart, { persistence: new Persistence(chart, 'p', {
        defaultStore: cassandra(props)(), visibilityStore: Datastore.postgres({ host: 'pg', database: 'v', user: 'u', password: SecretRef.of('db', 'password') }),
      }) });
    };
    expect(withLevels({ consistency: 'local_quorum', serialConsistency: 'serial' }).persistence.defaultStore._cassandra).toMatchObject({ consistency: 'LOCAL_QUORUM', serialConsistency: 'SERIAL' });
    expect(() => withLevels({ consistency: 'each_Quorum' })).toThrow(/persistence default store's consistency is "EACH_QUORUM"; /);
  });
});

describe('Cassandra hosts and keyspace', () => {
  test('fails when hosts is a sparse list: its holes would reach the server config as empty hosts (map skips them)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 4 }), (length, hole) => {
      const hosts = Array.from({ length }, (_, i) => `c${i}`);
      delete hosts[hole % length];
      expect(cassandra({ hosts })).toThrow(new RegExp(`^Datastore.cassandra: props\\.hosts\\[${hole % length}\\] is undefined; expected an item: the list has a hole there`));
    }));
    expect(cassandra({ hosts: new Array(2) })).toThrow(/hosts\[0\] is undefined/);
  });

  test('fails when a contact point is listed twice, in any case, with a trailing dot or in another IPv6 notation: the ring has fewer ways in than the list reads', () => {
    const spelled = fc.oneof(
      fc.tuple(fc.constantFrom('cass-0.cassandra.db.svc', 'cassandra', '10.0.0.7'), fc.boolean(), fc.boolean())
        .map(([h, upper, dot]) => [h, `${upper ? h.toUpperCase() : h}${dot && !/^\d/.test(h) ? '.' : ''}`]),
      fc.constantFrom(['fd00::5', '[FD00:0:0:0:0:0:0:5]'], ['fd00::5', 'fd00:0::5'], ['::ffff:10.0.0.7', '::FFFF:a00:7']),
    );
    fc.assert(fc.property(spelled, fc.integer({ min: 0, max: 2 }), ([first, again], before) => {
      const others = ['other-1', 'other-2'].slice(0, before);
      const hosts = [first, ...others, again];
      const shown = again.startsWith('[') ? again.slice(1, -1) : again;
      expect(cassandra({ hosts })).toThrow(`Datastore.cassandra: hosts[${hosts.length - 1}] is "${shown}"; expected a contact point not already listed; hosts[0] is "${first}", the same host. Remove the repeat`);
    }), { numRuns: 60 });
    expect(cassandra({ hosts: ['cass-0.db', 'cass-1.db', 'fd00::5', 'fd00::6'] })().hosts).toEqual(['cass-0.db', 'cass-1.db', 'fd00::5', 'fd00::6']);
  });

  test('fails when the keyspace is one of Cassandra\'s system keyspaces, where the schema Job cannot create tables', () => {
    for (const keyspace of ['system', 'system_auth', 'system_schema', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema', 'system_cluster_metadata']) {
      expect(cassandra({ keyspace })).toThrow(new RegExp(`^Datastore.cassandra: keyspace is "${keyspace}"; expected a keyspace of Temporal's own, not one of Cassandra's system keyspaces\\. `));
    }
    // The create step quotes the name: another case, or a name that only starts alike, is a keyspace of its own.
    for (const keyspace of ['System', 'system_temporal', 'temporal_system']) expect(cassandra({ keyspace })().database).toBe(keyspace);
  });
});

describe('Cassandra EACH_QUORUM and the keyspace\'s replication strategy', () => {
  const withStore = (cassandraProps: object, schema?: object) => () => {
    const chart = testChart();
    return cluster(chart, { schema, persistence: new Persistence(chart, 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['cassandra'], keyspace: 'temporal', ...cassandraProps }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'temporal_visibility', user: 'u', password: SecretRef.of('db', 'password') }),
    }) });
  };

  test('fails when EACH_QUORUM is given without datacenter and the schema Job creates the keyspace: it creates a SimpleStrategy one, where Cassandra refuses it for lightweight transactions', () => {
    for (const schema of [undefined, {}, { createDatabase: true }]) {
      expect(withStore({ consistency: CassandraConsistency.EACH_QUORUM }, schema)).toThrow(new RegExp("^TemporalCluster 'temporal': persistence default store's consistency is \"EACH_QUORUM\"; "
        + 'expected EACH_QUORUM only with datacenter set, or with schema.createDatabase false .*not compatible with replication strategy.*Give datacenter.*schema\\.createDatabase: false'));
    }
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}$/), (datacenter) => {
      expect(cassandra({ consistency: CassandraConsistency.EACH_QUORUM, datacenter })()._cassandra).toMatchObject({ consistency: 'EACH_QUORUM', datacenter });
      expect(withStore({ consistency: CassandraConsistency.EACH_QUORUM, datacenter })).not.toThrow();
    }), { numRuns: 20 });
  });

  test('EACH_QUORUM without datacenter passes when the platform makes the keyspace (createDatabase false): a NetworkTopologyStrategy keyspace made beforehand takes it, and datacenter would hold the server to one datacenter', () => {
    const made = withStore({ consistency: CassandraConsistency.EACH_QUORUM }, { createDatabase: false })();
    expect(made.persistence.defaultStore._cassandra).toMatchObject({ consistency: 'EACH_QUORUM' });
    expect(made.persistence.defaultStore._cassandra?.datacenter).toBeUndefined();
  });
});
