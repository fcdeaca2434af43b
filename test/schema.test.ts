import { APPS, synthApp } from './support/apps';
import { K8sSchema } from './support/k8s-schema';

/**
 * Every example app, synthesized exactly as `cdk8s synth` runs it, must be accepted by the
 * Kubernetes API schema of both the oldest release we support and a recent one. The validator
 * treats objects as closed, so a misspelt field fails here instead of vanishing at apply time.
 */

const VERSIONS = ['v1.30.0', 'v1.36.0'];
const synthesized = new Map<string, Promise<any[]>>();

/** One synth per app per run; the tests for both versions share it. */
function objectsOf(app: string): Promise<any[]> {
  if (!synthesized.has(app)) synthesized.set(app, synthApp(app));
  return synthesized.get(app)!;
}

beforeAll(async () => {
  // Synthesize all apps in parallel up front (~2-4 s each); failures surface in each app's tests.
  await Promise.allSettled(APPS.map(objectsOf));
}, 120_000);

test('there are example apps to check', () => {
  expect(APPS.length).toBeGreaterThan(0);
});

describe.each(APPS)('apps/%s', (app) => {
  test.each(VERSIONS)('is valid against Kubernetes %s', async (version) => {
    const objects = await objectsOf(app);
    expect(objects.length).toBeGreaterThan(0);
    const schema = K8sSchema.load(version);
    const errors = objects.flatMap((o) => schema.validate(o));
    if (errors.length) {
      throw new Error(`apps/${app}: ${errors.length} schema error(s) against Kubernetes ${version}:\n  ${errors.join('\n  ')}`);
    }
  });
});

describe('the validator itself', () => {
  const schema = K8sSchema.load('v1.30.0');

  test('checks custom resources against their CRD, closed, with real ObjectMeta', () => {
    const monitor = (spec: any, metadata: any = { name: 'm' }) => schema.validate({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata, spec });
    expect(monitor({ selector: {}, endpoints: [{ port: 'metrics', interval: '30s' }] })).toEqual([]);
    expect(monitor({ selector: {}, endpoint: [{ port: 'metrics' }] }).join('\n')).toMatch(/spec.endpoint: unknown field/);
    expect(monitor({ selector: {} }, { name: 'm', label: {} }).join('\n')).toMatch(/metadata.label: unknown field/);
  });

  /** A minimal valid Deployment; `patch` mutates it before validation. */
  function deployment(patch: (d: any) => void = () => {}): string[] {
    const d: any = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, name: 'http' }],
              resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 2, memory: '1e3' } },
            }],
          },
        },
        strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
      },
    };
    patch(d);
    return schema.validate(d);
  }
  const container = (d: any) => d.spec.template.spec.containers[0];

  test('accepts a valid Deployment, IntOrString as int and string, and Quantity strings and numbers', () => {
    expect(deployment()).toEqual([]);
  });

  test('rejects an unknown field', () => {
    expect(deployment((d) => { d.spec.replica = 3; })).toEqual([
      'Deployment web: spec.replica: unknown field (did you mean "replicas"?)',
    ]);
  });

  test('rejects a wrong type, with the JSON path', () => {
    expect(deployment((d) => { container(d).ports[0].containerPort = '80'; })).toEqual([
      'Deployment web: spec.template.spec.containers[0].ports[0].containerPort: expected integer, got string',
    ]);
    expect(deployment((d) => { d.metadata.labels['app.kubernetes.io/name'] = 1; })).toEqual([
      'Deployment web: metadata.labels["app.kubernetes.io/name"]: expected string, got integer',
    ]);
  });

  test('rejects a missing required field', () => {
    expect(deployment((d) => { delete container(d).name; })).toEqual([
      'Deployment web: spec.template.spec.containers[0].name: required field is missing',
    ]);
  });

  test('rejects an IntOrString that is neither', () => {
    expect(deployment((d) => { d.spec.strategy.rollingUpdate.maxSurge = true; })).toEqual([
      'Deployment web: spec.strategy.rollingUpdate.maxSurge: expected string or integer, got boolean',
    ]);
  });

  test('rejects a malformed quantity', () => {
    expect(deployment((d) => { container(d).resources.limits.memory = '1 Gi'; })).toEqual([
      'Deployment web: spec.template.spec.containers[0].resources.limits.memory: invalid quantity "1 Gi"',
    ]);
    for (const bad of ['1GB', 'Gi', '1.2.3', '', '5mi']) {
      expect(deployment((d) => { container(d).resources.requests.cpu = bad; })).toHaveLength(1);
    }
    for (const good of ['1', '0.5', '.5', '100m', '+1k', '1E', '1e-3', '128974848', '129M', '123Mi']) {
      expect(deployment((d) => { container(d).resources.requests.cpu = good; })).toEqual([]);
    }
  });

  test('rejects an unknown kind or an apiVersion the release does not serve', () => {
    expect(schema.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'Widget w: <root>: example.com/v1 Widget does not exist in Kubernetes v1.30.0',
    ]);
    expect(schema.validate({ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'c' } })).toEqual([
      'CronJob c: <root>: batch/v1beta1 CronJob does not exist in Kubernetes v1.30.0 (it has CronJob in: batch/v1)',
    ]);
  });

  test('maps the core group to plain `v1`, and free-form objects accept anything', () => {
    expect(schema.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'a.yaml': 'x: 1' } })).toEqual([]);
    expect(schema.validate({ apiVersion: 'core/v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toHaveLength(1);
    expect(schema.validate({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [{ fieldsV1: { 'f:data': { any: 1 } } }] },
    })).toEqual([]);
  });
});
