import * as fc from 'fast-check';
import { WorkerFleet } from '../lib';
import { requireNodeLabelKey } from '../lib/validation';
import { cluster, testChart } from './support/synth';

/*
 * A typo in a node label key passes the API server (any well-formed key does) and breaks placement
 * without a word: the scheduler passes a node without a required anti-affinity's topologyKey (the
 * pods are not spread), prefers nothing on a preferred term's, and finds no node for a node selector
 * or a required affinity (every pod Pending).
 */
const WELL_KNOWN = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'kubernetes.io/os', 'kubernetes.io/arch', 'node.kubernetes.io/instance-type'];
const OWNER = "frontend of TemporalCluster 'temporal'";
const antiAffinity = (topologyKey: string) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey, labelSelector: { matchLabels: { app: 'x' } } }] } });

/** A typo of `key`: a letter dropped, doubled, changed in case, or a separator added, in its name part. */
const typo = (key: string) => fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('drop', 'double', 'upper', 'dash', 'plural')).map(([at, kind]) => {
  const slash = key.indexOf('/');
  const name = key.slice(slash + 1);
  const i = at % name.length;
  const changed = kind === 'drop' ? name.slice(0, i) + name.slice(i + 1)
    : kind === 'double' ? name.slice(0, i) + name[i] + name.slice(i)
      : kind === 'upper' ? name.slice(0, i) + name[i].toUpperCase() + name.slice(i + 1)
        : kind === 'dash' ? `${name.slice(0, Math.max(1, i))}-${name.slice(Math.max(1, i))}` : `${name}s`;
  return `${key.slice(0, slash + 1)}${changed}`;
}).filter((k) => k !== key && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k.slice(k.indexOf('/') + 1)));

describe('node label keys of a placement', () => {
  test('fails when a topologyKey is a typo of a well-known node label, generated over every well-known key', () => {
    fc.assert(fc.property(fc.constantFrom(...WELL_KNOWN).chain((key) => typo(key).map((t) => [key, t] as const)), ([, t]) => {
      expect(() => requireNodeLabelKey(OWNER, 'affinity.topologyKey', t)).toThrow(`${OWNER}: affinity.topologyKey is ${JSON.stringify(t)}; expected a node label key that nodes carry`);
    }), { numRuns: 200 });
    expect(() => cluster(testChart(), { frontend: { affinity: antiAffinity('topology.kubernetes.io/zones') } })).toThrow(
      `${OWNER}: affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey is "topology.kubernetes.io/zones"; expected a node label key that nodes carry`);
    expect(() => cluster(testChart(), { frontend: { affinity: antiAffinity('kubernetes.io/host-name') } })).toThrow('Did you mean "kubernetes.io/hostname"?');
  });

  test('fails when a key under one of Kubernetes\' own prefixes is none it sets, in a node selector, a node affinity or a topologyKey, for every placed pod', () => {
    expect(() => cluster(testChart(), { nodeSelector: { 'kubernetes.io/pool': 'temporal' } }))
      .toThrow('nodeSelector key is "kubernetes.io/pool"; expected a node label key that nodes carry');
    const nodeAffinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone-name', operator: 'In', values: ['a'] }] }] } } };
    expect(() => cluster(testChart(), { history: { affinity: nodeAffinity } }))
      .toThrow('affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key is "topology.kubernetes.io/zone-name"');
    expect(() => cluster(testChart(), { ui: { affinity: antiAffinity('k8s.io/hostname') } })).toThrow('topologyKey is "k8s.io/hostname"');
    expect(() => cluster(testChart(), { jobs: { nodeSelector: { 'Kubernetes.io/hostname': 'n1' } } })).toThrow('jobs.nodeSelector key is "Kubernetes.io/hostname"');
    const chart = testChart();
    const c = cluster(chart);
    expect(() => new WorkerFleet(chart, 'fleet', { cluster: c, image: 'example/worker:1', taskQueues: ['orders'], affinity: antiAffinity('topology.kubernetes.io/zone ') } as any))
      .toThrow(/topologyKey is "topology.kubernetes.io\/zone "/);
  });

  test('well-known keys, keys of your own and the open prefixes of Kubernetes pass', () => {
    const own = ['pool', 'team', 'example.com/zone', 'topology.gke.io/zone', 'topology.k8s.aws/zone-id', 'node-role.kubernetes.io/temporal',
      'node-restriction.kubernetes.io/pool', 'feature.node.kubernetes.io/cpu-model.vendor_id', 'cloud.google.com/gke-nodepool', 'eks.amazonaws.com/nodegroup', 'kubernetes.azure.com/agentpool'];
    for (const key of [...WELL_KNOWN, 'failure-domain.beta.kubernetes.io/zone', 'beta.kubernetes.io/instance-type', ...own]) {
      expect(requireNodeLabelKey(OWNER, 'nodeSelector key', key)).toBe(key);
      expect(() => cluster(testChart(), { frontend: { nodeSelector: { [key]: 'x' }, affinity: antiAffinity(key) } })).not.toThrow();
    }
  });
});
