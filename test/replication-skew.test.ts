import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { Datastore, Persistence, SecretRef, ServicePorts, TemporalCluster, TemporalVersion } from '../lib';

/*
 * Two clusters of one app that replicate, upgraded one at a time: a minor apart is the step of such
 * an upgrade; further apart the synth summary warns (the server compares no release across clusters).
 */

const SKEW = /runs server (\S+) and .*, which replicates with it, (\S+): more than one minor apart/;

/** The summary warnings about release skew of a synth of east on `eastVersion` and west on `westVersion`, replicating with each other. */
function skewWarnings(eastVersion: string, westVersion: string): string[] {
  const command = Symbol.for('cdk8s-temporal.synth-command');
  const global = globalThis as Record<symbol, unknown>;
  const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: true, locks: [] };
  global[command] = run;
  try {
    const app = Testing.app();
    for (const [side, version, peer] of [['east', eastVersion, 'west'], ['west', westVersion, 'east']] as const) {
      const chart = new Chart(app, `temporal-${side}`, { namespace: `temporal-${side}` });
      const persistence = new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: `pg.${side}`, database: 'temporal', user: 'u', password: SecretRef.of('db', 'password') }),
        visibilityStore: Datastore.postgres({ host: `pg.${side}`, database: 'visibility', user: 'u', password: SecretRef.of('db', 'password') }),
      });
      new TemporalCluster(chart, 'temporal', {
        clusterName: side, version, numHistoryShards: 512, persistence, ports: side === 'east' ? ServicePorts.defaults() : ServicePorts.offset(1000),
        enableGlobalNamespace: true, initialFailoverVersion: side === 'east' ? 1 : 2,
        remoteClusters: [{ name: peer, initialFailoverVersion: side === 'east' ? 2 : 1, rpcAddress: `temporal-frontend.temporal-${peer}.svc:${side === 'east' ? 8233 : 7233}` }],
      });
    }
    app.synth();
    return (run.warnings ?? []).filter((w) => SKEW.test(w));
  } finally {
    delete global[command];
  }
}

describe('clusters of one app that replicate, on different releases', () => {
  test('fails when two clusters two minors apart pass without a warning, whichever is ahead', () => {
    for (const [east, west] of [['1.32.2', '1.30.9'], ['1.30.9', '1.32.2']]) {
      const warnings = skewWarnings(east, west);
      expect(warnings).toEqual([expect.stringMatching(/^TemporalCluster 'temporal-(east|west)\/temporal' runs server 1\.30\.9 and TemporalCluster 'temporal-(east|west)\/temporal', which replicates with it, 1\.32\.2: more than one minor apart\..*Upgrade .* a minor at a time to within one minor of 1\.32\.2/)]);
    }
  });

  test('warns exactly when the releases are more than one minor apart; a minor apart (one cluster upgraded first) passes silently (generated)', () => {
    // The newest patch of each minor: older patches may be refused for advisories.
    const listed = [...new Map(TemporalVersion.listed().map((v) => [v.split('.').slice(0, 2).join('.'), v])).values()];
    fc.assert(fc.property(fc.constantFrom(...listed), fc.constantFrom(...listed), (east, west) => {
      const apart = Math.abs(Number(east.split('.')[1]) - Number(west.split('.')[1]));
      expect(skewWarnings(east, west)).toHaveLength(apart > 1 ? 1 : 0);
    }), { numRuns: 12 });
  });
});
