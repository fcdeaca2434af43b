import { Duration } from 'cdk8s';
import { ClusterTls, Datastore, Persistence, TemporalCluster } from '../lib';
import { derivedNames, HASH_PLACEHOLDER, maxNameLength, NamedFeatures, SCHEMA_HASH_PLACEHOLDER } from '../lib/cluster/object-names';
import { cluster, objects, PASSWORD, testChart } from './support/synth';

const BASE: NamedFeatures = {
  roles: ['frontend', 'history', 'matching', 'worker'], storeRoles: ['default', 'visibility'], certificateSuffixes: [],
  ui: false, adminTools: false, namespaces: false, remoteClusters: false, networkPolicySuffixes: [], monitoring: false,
};

/** Every feature that adds an object, for a cluster named `name`. */
function everything(name: string) {
  const chart = testChart();
  const persistence = new Persistence(chart, `${name}-p`, {
    defaultStore: Datastore.postgres({ host: 'pg', database: 't', user: 'u', password: PASSWORD }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'v', user: 'u', password: PASSWORD }),
    secondaryVisibilityStore: Datastore.postgres({ host: 'pg', database: 'v2', user: 'u', password: PASSWORD }),
  });
  const c = new TemporalCluster(chart, name, {
    numHistoryShards: 32, persistence, internalFrontend: {}, ui: { allowAnonymous: true }, adminTools: {},
    namespaces: [{ name: 'default', retention: Duration.days(3) }], enableGlobalNamespace: true,
    remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'west.example.com:7233', tls: { caSecret: 'west-ca', clientCertificateSecret: 'to-west' } }],
    tls: ClusterTls.certManager({ issuer: { name: 'ca' } }), monitoring: {}, protectPinnedValues: {},
    frontend: { autoscaling: { minReplicas: 2, maxReplicas: 4 } },
  });
  return { chart, cluster: c };
}

describe('object names', () => {
  test('the maximum name length follows the configuration', () => {
    expect(maxNameLength('t', BASE).max).toBe(38);
    expect(maxNameLength('t', { ...BASE, roles: [...BASE.roles, 'internal-frontend'] }).max).toBe(36);
    expect(maxNameLength('t', { ...BASE, storeRoles: [...BASE.storeRoles, 'secondary-visibility'] }).max).toBe(28);
    expect(maxNameLength('t', { ...BASE, remoteClusters: true, namespaces: true }).max).toBe(38);
  });

  test('each optional object names the prop that adds it, and its limit', () => {
    const all: NamedFeatures = {
      ...BASE, roles: ['frontend', 'internal-frontend', 'history', 'matching', 'worker'], storeRoles: ['default', 'visibility', 'secondary-visibility'],
      certificateSuffixes: ['frontend'], ui: true, adminTools: true, namespaces: true, remoteClusters: true, networkPolicySuffixes: ['deny-all'],
      monitoring: true, pinnedGuardNamespace: 'temporal',
    };
    const optional = derivedNames('t', all).filter((d) => d.cause !== undefined).map((d) => [d.kind, d.name, d.limit, d.cause]);
    expect(optional).toEqual([
      ['Deployment', 't-internal-frontend', 253, 'internalFrontend'],
      ['Service', 't-internal-frontend', 63, 'internalFrontend'],
      ['headless Service', 't-internal-frontend-headless', 63, 'internalFrontend'],
      ['schema Job', `t-schema-secondary-visibility-${SCHEMA_HASH_PLACEHOLDER}`, 63, 'persistence.secondaryVisibilityStore'],
      ['Certificate', 't-frontend', 63, 'tls'],
      ['Service', 't-ui', 63, 'ui'],
      ['Deployment', 't-admin-tools', 253, 'adminTools'],
      ['namespace Job', `t-namespaces-${HASH_PLACEHOLDER}`, 63, 'namespaces'],
      ['remote-cluster Job', `t-remote-clusters-${HASH_PLACEHOLDER}`, 63, 'remoteClusters'],
      ['NetworkPolicy', 't-deny-all', 253, 'networkPolicy'],
      ['ConfigMap', 't-dashboard', 253, 'monitoring'],
      ['ValidatingAdmissionPolicy', 'temporal-t-pinned-guard', 253, 'protectPinnedValues'],
      ['ValidatingAdmissionPolicy', 'temporal-t-pinned-env-guard', 253, 'protectPinnedValues'],
      ['ValidatingAdmissionPolicyBinding', 'temporal-t-pinned-env-guard-update', 253, 'protectPinnedValues'],
      ['ValidatingAdmissionPolicy', 'temporal-t-pinned-config-guard', 253, 'protectPinnedValues'],
    ]);
    expect(derivedNames('t', BASE).map((d) => [d.kind, d.name, d.limit, d.cause])).toEqual([
      ['label app.kubernetes.io/instance', 't', 63, undefined],
      ...['config', 'pinned', 'dynamic-config', 'schema-wait'].map((n) => ['ConfigMap', `t-${n}`, 253, undefined]),
      ...['server', 'jobs'].map((n) => ['ServiceAccount', `t-${n}`, 253, undefined]),
      ...['frontend', 'history', 'matching', 'worker'].flatMap((r) => [
        ['Deployment', `t-${r}`, 253, undefined], ['Service', `t-${r}`, 63, undefined], ['headless Service', `t-${r}-headless`, 63, undefined]]),
      ...['default', 'visibility'].map((s) => ['schema Job', `t-schema-${s}-${SCHEMA_HASH_PLACEHOLDER}`, 63, undefined]),
    ]);
  });

  test('every object a cluster emits is in the derived list, so none escapes the length check', () => {
    const { chart, cluster: c } = everything('t');
    const patterns = c.derivedNames.map((d) => new RegExp(`^${d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(HASH_PLACEHOLDER, '[0-9a-f]{8}').replace(SCHEMA_HASH_PLACEHOLDER, '[0-9a-f]{6}')}$`));
    const emitted = objects(chart).filter((o) => o.metadata?.name?.includes('t')).map((o) => `${o.kind} ${o.metadata.name}`);
    expect(emitted.length).toBeGreaterThan(40);
    const missing = emitted.filter((e) => !patterns.some((p) => p.test(e.slice(e.indexOf(' ') + 1))));
    expect(missing).toEqual([]);
  });

  test('a name at the maximum synthesizes, and its longest objects fit', () => {
    const name = `a${'b'.repeat(27)}`;
    const { chart } = everything(name);
    const jobs = objects(chart).filter((o) => o.kind === 'Job').map((o) => o.metadata.name.length);
    expect(Math.max(...jobs)).toBe(63);
  });

  describe('fails when', () => {
    test('the name is longer than this configuration allows, naming name, the maximum and the object', () => {
      expect(() => cluster(testChart(), { internalFrontend: {} }, `a${'b'.repeat(36)}`))
        .toThrow(/name is "ab+"; expected at most 36 characters for this configuration. The headless Service "ab+-internal-frontend-headless" would have 64 characters, over the 63 allowed; shorten name or leave out internalFrontend/);
      expect(() => everything(`a${'b'.repeat(28)}`)).toThrow(/expected at most 28 characters for this configuration. The schema Job .* leave out persistence.secondaryVisibilityStore/);
    });
  });
});
