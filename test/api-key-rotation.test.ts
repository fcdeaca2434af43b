import * as fc from 'fast-check';
import {
  API_KEY_FILE_ENV, API_KEY_VERSION_ANNOTATION, ApiKeyRotation, ApiKeyRotationKind, CertificateRotation, FleetClientCertificate, RELOADER_ANNOTATION, SecretRef, WorkerFleet, WorkerFleetProps,
} from '../lib';
import { objects, testChart } from './support/synth';

const IMAGE = 'registry.example/orders-worker:1.4.2';
const KEY = SecretRef.of('cloud-api-key', 'key');

/** A fleet on Temporal Cloud with an API key. */
function cloudFleet(props: Partial<WorkerFleetProps> = {}) {
  const chart = testChart();
  const fleet = new WorkerFleet(chart, 'orders', {
    image: IMAGE, taskQueues: ['orders'], temporalNamespace: 'orders.a1b2c', frontend: { address: 'orders.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: KEY, ...props,
  });
  const deployment = objects(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === 'orders');
  return { chart, fleet, deployment, pod: deployment.spec.template, container: deployment.spec.template.spec.containers[0] };
}

describe('ApiKeyRotation', () => {
  test('without it, the key is an env var of the pod and nothing in the template follows the Secret (the reproduction)', () => {
    const { fleet, pod, container, deployment } = cloudFleet();
    expect(container.env.find((e: any) => e.name === 'TEMPORAL_API_KEY').valueFrom).toEqual({ secretKeyRef: { name: 'cloud-api-key', key: 'key' } });
    expect(pod.metadata.annotations).toBeUndefined();
    expect(deployment.metadata.annotations).toBeUndefined();
    expect(fleet.apiKeyRotation).toBeUndefined();
  });

  test('fails when version() leaves the pod template alone: a new version is a new template, so a rolling restart', () => {
    const first = cloudFleet({ apiKeyRotation: ApiKeyRotation.version('key-2026-11'), podAnnotations: { team: 'orders' } });
    const second = cloudFleet({ apiKeyRotation: ApiKeyRotation.version('key-2026-12'), podAnnotations: { team: 'orders' } });
    expect(first.pod.metadata.annotations).toEqual({ team: 'orders', [API_KEY_VERSION_ANNOTATION]: 'key-2026-11' });
    expect(second.pod.metadata.annotations[API_KEY_VERSION_ANNOTATION]).toBe('key-2026-12');
    expect(first.fleet.apiKeyRotation).toBe(ApiKeyRotationKind.VERSION);
  });

  test('fails when reloader() does not name the key\'s Secret on the Deployment, or drops the certificate\'s when both rotate with Reloader', () => {
    expect(cloudFleet({ apiKeyRotation: ApiKeyRotation.reloader() }).deployment.metadata.annotations).toEqual({ [RELOADER_ANNOTATION]: 'cloud-api-key' });
    const both = cloudFleet({
      apiKeyRotation: ApiKeyRotation.reloader(), clientCertificate: FleetClientCertificate.fromSecret('orders-client-tls'), certificateRotation: CertificateRotation.reloader(),
    });
    expect(both.deployment.metadata.annotations[RELOADER_ANNOTATION].split(',').sort()).toEqual(['cloud-api-key', 'orders-client-tls']);
    // One Secret for both: named once.
    const same = cloudFleet({
      apiKey: SecretRef.of('orders-client-tls', 'api-key'), apiKeyRotation: ApiKeyRotation.reloader(),
      clientCertificate: FleetClientCertificate.fromSecret('orders-client-tls'), certificateRotation: CertificateRotation.reloader(),
    });
    expect(same.deployment.metadata.annotations[RELOADER_ANNOTATION]).toBe('orders-client-tls');
  });

  test('fails when processReloads() mounts no refreshable file: the whole folder (never a subPath) and its path in the env', () => {
    const { pod, container } = cloudFleet({ apiKeyRotation: ApiKeyRotation.processReloads() });
    const mount = container.volumeMounts.find((m: any) => m.name === 'api-key');
    expect(mount).toEqual({ name: 'api-key', mountPath: '/etc/temporal/api-key', readOnly: true });
    expect(pod.spec.volumes.find((v: any) => v.name === 'api-key').secret).toMatchObject({ secretName: 'cloud-api-key', items: [{ key: 'key', path: 'api-key' }] });
    expect(container.env.find((e: any) => e.name === API_KEY_FILE_ENV)).toEqual({ name: API_KEY_FILE_ENV, value: '/etc/temporal/api-key/api-key' });
    // The SDK's env config still gets the key the pod started with.
    expect(container.env.some((e: any) => e.name === 'TEMPORAL_API_KEY')).toBe(true);
  });

  test('fails when a rotation is accepted without an API key, or something other than an ApiKeyRotation', () => {
    for (const rotation of [ApiKeyRotation.reloader(), ApiKeyRotation.version('1'), ApiKeyRotation.processReloads()]) {
      expect(() => cloudFleet({ apiKey: undefined, apiKeyRotation: rotation })).toThrow(/apiKeyRotation.*no value: the fleet sends no API key/);
    }
    for (const bad of ['reloader', { kind: 'Reloader' }, true]) {
      expect(() => cloudFleet({ apiKeyRotation: bad as never })).toThrow(/apiKeyRotation.*an ApiKeyRotation \(ApiKeyRotation.reloader\(\)/);
    }
  });

  test('fails when version() takes an empty, padded, over-long or unprintable version', () => {
    const printable = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\x21-\x7e]+$/.test(s));
    fc.assert(fc.property(printable, fc.constantFrom(' ', '\t', '\n', '\u00a0'), fc.boolean(), (v, pad, front) => {
      expect(() => ApiKeyRotation.version(front ? pad + v : v + pad)).toThrow(/ApiKeyRotation.version.*version.*printable ASCII/);
    }));
    fc.assert(fc.property(printable, (v) => expect(ApiKeyRotation.version(v).kind).toBe(ApiKeyRotationKind.VERSION)));
    for (const bad of ['', 'a\u0000b', 'a  b', 'x'.repeat(254), 'clé', 42 as never]) expect(() => ApiKeyRotation.version(bad)).toThrow(/version/);
    expect(ApiKeyRotation.version('key 2 of 2026').kind).toBe(ApiKeyRotationKind.VERSION);
  });

  test('fails when podAnnotations may also set the version annotation, in any letter case of its name', () => {
    // (An upper-case or padded prefix is no annotation key at all, and refused as such.)
    for (const key of [API_KEY_VERSION_ANNOTATION, 'temporal.io/API-Key-Version']) {
      expect(() => cloudFleet({ apiKeyRotation: ApiKeyRotation.version('2'), podAnnotations: { [key]: '1' } })).toThrow(/podAnnotations.*no temporal.io\/api-key-version annotation/);
    }
  });

  test('fails when the user env may set the key file\'s variable, in any case', () => {
    for (const name of [API_KEY_FILE_ENV, API_KEY_FILE_ENV.toLowerCase()]) {
      expect(() => cloudFleet({ env: { [name]: { value: '/x' } as never } })).toThrow(/env.*The fleet sets TEMPORAL_WORKER_API_KEY_FILE from apiKeyRotation/);
    }
  });
});
