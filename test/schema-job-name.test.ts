import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Datastore, Persistence, PostgresOptions, SecretRef, TemporalClusterProps } from '../lib';
import { Quantity } from '../imports/k8s';
import { SCHEMA_RESOURCES } from '../lib/operations/tool-job';
import { buildApp, clusterSpec } from './support/app-generator';
import { cluster, objects, synthOrRefusal, testChart, withoutSchemaHash } from './support/synth';

/**
 * A schema Job's pod template is immutable, so a Job whose template changes must change its name:
 * otherwise `kubectl apply` of the new output over a finished Job fails with "field is immutable".
 * That holds for a new release, for a user's change within a release, and for a newer
 * cdk8s-temporal whose own pod template differs (a library upgrade with the same app), which the
 * release in the name did not cover.
 */

type Props = Partial<TemporalClusterProps>;
const password = SecretRef.of('db', 'password');

/** The cluster's schema Jobs, by store, with a default store of `store` overrides. */
function schemaJobs(props: Props = {}, store: Partial<PostgresOptions> = {}): Record<string, any> {
  const chart = testChart();
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password, ...store }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'temporal_visibility', user: 'temporal', password }),
  });
  cluster(chart, { persistence, version: '1.32.2', ...props });
  // By the pods' component label, not the name, so that the name is what the tests look at.
  const jobs = objects(chart).filter((o) => o.kind === 'Job' && o.metadata.labels['app.kubernetes.io/component'].startsWith('schema-'));
  return Object.fromEntries(jobs.map((j) => [j.metadata.labels['app.kubernetes.io/component'].replace('schema-', ''), j]));
}

/** Changes of the props that change the default store's schema Job, the release one of them. */
const CHANGES: Array<[string, Props, Partial<PostgresOptions>]> = [
  ['the release', { version: '1.32.1' }, {}],
  ['the store host', {}, { host: 'pg2' }],
  ['the store port', {}, { port: 6432 }],
  ['the user', {}, { user: 'admin' }],
  ['the password Secret', {}, { password: SecretRef.of('db2', 'password') }],
  ['connect attributes', {}, { connectAttributes: { sslmode: 'require' } }],
  ['schema.createDatabase', { schema: { createDatabase: false } }, {}],
  ['schema.backoffLimit', { schema: { backoffLimit: 2 } }, {}],
  ['schema.ttlAfterFinished', { schema: { ttlAfterFinished: Duration.hours(1) } }, {}],
  ['the Jobs\' placement', { jobs: { nodeSelector: { pool: 'jobs' } } }, {}],
  ['pull secrets', { imagePullSecrets: ['registry'] }, {}],
];

describe('a schema Job\'s name', () => {
  const base = schemaJobs();

  test('is <cluster>-schema-<store>-<6 hex digits>, the same on every synth of the same props', () => {
    expect(Object.keys(base)).toEqual(['default', 'visibility']);
    expect(base.default.metadata.name).toMatch(/^temporal-schema-default-[0-9a-f]{6}$/);
    expect(withoutSchemaHash(base.visibility.metadata.name)).toBe('temporal-schema-visibility');
    expect(schemaJobs().default.metadata.name).toBe(base.default.metadata.name);
    expect(schemaJobs().visibility.metadata.name).toBe(base.visibility.metadata.name);
  });

  test.each(CHANGES)('changes with the Job\'s spec: %s', (_change, props, store) => {
    const changed = schemaJobs(props, store);
    expect(changed.default.spec).not.toEqual(base.default.spec);
    expect(changed.default.metadata.name).not.toBe(base.default.metadata.name);
  });

  test('two Jobs of one name always have one spec, across every change above', () => {
    const bySpec = new Map<string, string>();
    for (const [, props, store] of [['none', {}, {}] as const, ...CHANGES]) {
      for (const job of Object.values(schemaJobs(props, store))) {
        const spec = JSON.stringify(job.spec);
        const seen = bySpec.get(job.metadata.name);
        if (seen !== undefined) expect(spec).toBe(seen);
        bySpec.set(job.metadata.name, spec);
      }
    }
    expect(bySpec.size).toBeGreaterThan(CHANGES.length);
  });

  test('a change of one store\'s settings leaves the other store\'s Job as it is', () => {
    const changed = schemaJobs({}, { host: 'pg2' });
    expect(changed.visibility).toEqual(base.visibility);
  });

  test('fails when leaving the pull policy to the API server renames a Job: the name hashes each step with IfNotPresent written out, as the API server stores it', () => {
    // The names these props give with IfNotPresent written on every step: a new name would run every
    // installed cluster's schema Jobs again on its next apply, for a spec that is stored the same. They
    // changed on purpose when every Job's pod got its namespace check (4f0ef3 to e12cbd; 9a398d
    // before) and when that check compared the pod's ServiceAccount too and moved into the first step
    // (to 82d131), and when the hash began to read the spec's keys in sorted order, so that the same
    // props in another key order give the same name (to 5b22e7), and when update-schema named the
    // release's version instead of taking the image's newest folder (to c47ec5).
    expect([base.default.metadata.name, base.visibility.metadata.name]).toEqual(['temporal-schema-default-c47ec5', 'temporal-schema-visibility-262e5c']);
    for (const job of [base.default, base.visibility]) {
      const pod = job.spec.template.spec;
      for (const c of [...pod.initContainers ?? [], ...pod.containers]) expect([c.name, c.image, c.imagePullPolicy]).toEqual([c.name, 'temporalio/admin-tools:1.32.2', undefined]);
    }
  });

  test('fails when a Job writes the backoffLimit of 6 the API server stores without one, or when leaving it out renames the Job', () => {
    // The names are those the previous test pins, which the library gave with backoffLimit: 6 written.
    expect([base.default.metadata.name, base.visibility.metadata.name]).toEqual(['temporal-schema-default-c47ec5', 'temporal-schema-visibility-262e5c']);
    const chart = testChart();
    cluster(chart, { namespaces: [{ name: 'default', retention: Duration.days(1) }] });
    const jobs = [base.default, base.visibility, ...objects(chart).filter((o) => o.kind === 'Job')];
    expect(jobs.length).toBe(5);
    for (const job of jobs) expect([job.metadata.name, job.spec.backoffLimit]).toEqual([job.metadata.name, undefined]);
    // Another limit is the user's, and written.
    expect(schemaJobs({ schema: { backoffLimit: 2 } }).default.spec.backoffLimit).toBe(2);
  });

  test('changes when a newer cdk8s-temporal changes the pod template, with the app and the release unchanged', () => {
    // A library upgrade that touches the tool containers (here: their CPU request), as the quoting
    // of the MySQL database name in the create step did within release 1.32.2.
    const cpu = SCHEMA_RESOURCES.requests.cpu;
    let upgraded: Record<string, any>;
    try {
      SCHEMA_RESOURCES.requests.cpu = Quantity.fromString('60m');
      upgraded = schemaJobs();
    } finally {
      SCHEMA_RESOURCES.requests.cpu = cpu;
    }
    expect(upgraded.default.spec.template.spec.containers[0].resources.requests.cpu).toBe('60m');
    expect(upgraded.default.metadata.name).not.toBe(base.default.metadata.name);
    expect(upgraded.visibility.metadata.name).not.toBe(base.visibility.metadata.name);
    expect(schemaJobs().default.metadata.name).toBe(base.default.metadata.name);
  });
});

describe('a Job\'s name does not depend on the order the app built its props in', () => {
  /** `value` with every plain object's keys in the order `order` gives them, at any depth. */
  const reordered = (order: (keys: string[]) => string[]) => function again<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(again) as T;
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    const copy: Record<string, unknown> = {};
    for (const key of order(Object.keys(value))) copy[key] = again((value as Record<string, unknown>)[key]);
    return copy as T;
  };

  test('fails when generated apps whose props have their keys reversed or shuffled (a values file, a spread) name other Jobs, or write other bytes', () => {
    const specs = fc.sample(clusterSpec, { seed: Number(process.env.FC_SEED ?? 20261207), numRuns: Number(process.env.FC_RUNS ?? 30) });
    let synthesized = 0;
    specs.forEach((spec, i) => {
      const written = synthOrRefusal((app) => buildApp(spec, app));
      const shuffle = (keys: string[]) => keys.map((k, j) => [k, (j * 7919 + i * 104729) % 1009] as const).sort((a, b) => a[1] - b[1]).map(([k]) => k);
      expect(synthOrRefusal((app) => buildApp(spec, app, reordered((keys) => [...keys].reverse())))).toBe(written);
      expect(synthOrRefusal((app) => buildApp(spec, app, reordered(shuffle)))).toBe(written);
      if (!written.startsWith('refused: ')) synthesized++;
    });
    expect(synthesized).toBeGreaterThan(specs.length / 3);
  });

  test('fails when the Jobs\' placement written in another order names another schema Job', () => {
    const jobs = { nodeSelector: { pool: 'jobs', zone: 'a' }, tolerations: [{ key: 'dedicated', operator: 'Equal' as const, value: 'jobs', effect: 'NoSchedule' as const }] };
    const backwards = { tolerations: [{ effect: 'NoSchedule' as const, value: 'jobs', operator: 'Equal' as const, key: 'dedicated' }], nodeSelector: { zone: 'a', pool: 'jobs' } };
    expect(schemaJobs({ jobs: backwards }).default.metadata.name).toBe(schemaJobs({ jobs }).default.metadata.name);
  });

  test('fails when tolerations or pull secrets given in another order, which means nothing to a pod, name another schema Job', () => {
    const toleration = (key: string) => ({ key, operator: 'Exists' as const, effect: 'NoSchedule' as const });
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 2, maxLength: 4 }), (names) => {
      const reversed = [...names].reverse();
      const named = (props: Partial<TemporalClusterProps>) => schemaJobs(props).default.metadata.name;
      expect(named({ jobs: { tolerations: reversed.map(toleration) } })).toBe(named({ jobs: { tolerations: names.map(toleration) } }));
      expect(named({ imagePullSecrets: reversed })).toBe(named({ imagePullSecrets: names }));
      // What a Job runs still names it.
      expect(named({ imagePullSecrets: names.slice(1) })).not.toBe(named({ imagePullSecrets: names }));
    }), { numRuns: 20 });
  });
});
