/*
 * The namespace Job holds every description twice (as is and JSON-escaped). kubectl apply
 * (client-side, and Argo CD's default sync) copies the whole Job into its last-applied annotation,
 * and the API server holds an object's annotations to 262144 bytes: a Job over that cannot be
 * applied so. test/kube/namespace-job-size.kube.test.ts applies the boundary to a real API server.
 */
import { Duration, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { cluster, testChart } from './support/synth';
import { accepted, longestAccepted, withDescription } from './support/namespace-job-size';
import { Datastore, Persistence, SearchAttributeType } from '../lib';
import { clientSideApplyAnnotationBytes, withLongestArgoCdTracking } from '../lib/operations/last-applied';

const LIMIT = 262144;

describe('the namespace Job and kubectl apply (client-side)', () => {
  test('fails when the Job, descriptions and all, would carry more than 262144 bytes of annotations once applied client-side', () => {
    const run = () => Testing.synth(withDescription('x', 130_000).chart);
    expect(run).toThrow(/\[test\/temporal\/Namespaces\] TemporalCluster 'temporal': namespaces is "1 namespaces, a namespace Job whose annotations would be \d+ bytes once applied with kubectl apply \(client-side\) under Argo CD's tracking at its longest"; expected a namespace Job whose annotations, with the kubectl.kubernetes.io\/last-applied-configuration copy of the whole Job that kubectl apply adds and Argo CD's argocd.argoproj.io\/tracking-id annotation and app.kubernetes.io\/instance label at their longest \(an application name of 317 characters, <namespace>_<name>\), are at most 262144 bytes\. The API server refuses more \("metadata.annotations: Too long: may not be more than 262144 bytes"\), so kubectl apply and Argo CD's default sync fail on the Job\. Shorten the descriptions \(each is in the Job twice, as is and JSON-escaped\), the largest first: namespaces\[0\]\.description \(130000 bytes\)\./);
  });

  test('fails when the Job fits kubectl alone but not once Argo CD adds its tracking at its longest: the boundary is the tracked Job\'s', () => {
    const longest = longestAccepted('x');
    const job = (count: number) => withDescription('x', count).c.namespaceBootstrap!.resource.toJson();
    expect(clientSideApplyAnnotationBytes(withLongestArgoCdTracking(job(longest)))).toBeLessThanOrEqual(LIMIT);
    expect(clientSideApplyAnnotationBytes(withLongestArgoCdTracking(job(longest + 1)))).toBeGreaterThan(LIMIT);
    // Without the tracking the Job one more would apply: the room left is the tracking's, over 700 bytes (the id twice, the label once).
    const untracked = clientSideApplyAnnotationBytes(job(longest + 1));
    expect(LIMIT - untracked).toBeGreaterThan(700);
    expect(accepted('x', longest + 1)).toBe(false);
  });

  test('the longest tracking is Argo CD\'s id <application>:<group>/<kind>:<namespace>/<name> of a 317-character application, and its instance label cut to 63, over what the object has', () => {
    fc.assert(fc.property(fc.constantFrom('batch/v1', 'v1', 'apps/v1', 'cert-manager.io/v1'), fc.stringMatching(/^[A-Z][a-zA-Z]{0,15}$/), fc.stringMatching(/^[a-z][-a-z0-9]{0,40}$/),
      fc.option(fc.stringMatching(/^[a-z][-a-z0-9]{0,40}$/), { nil: undefined }), (apiVersion, kind, name, namespace) => {
        const object = { apiVersion, kind, metadata: { name, namespace, labels: { 'app.kubernetes.io/instance': 'temporal', keep: 'k' }, annotations: { own: 'o' } } };
        const tracked = withLongestArgoCdTracking(object);
        const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
        // An object without a namespace takes the Application's destination namespace: at most 63 characters.
        expect(tracked.metadata.annotations).toEqual({ 'own': 'o', 'argocd.argoproj.io/tracking-id': `${'a'.repeat(317)}:${group}/${kind}:${namespace ?? 'a'.repeat(63)}/${name}` });
        expect(tracked.metadata.labels).toEqual({ 'app.kubernetes.io/instance': 'a'.repeat(63), 'keep': 'k' });
        expect(object.metadata.labels['app.kubernetes.io/instance']).toBe('temporal');
      }), { numRuns: 30 });
  });

  test('fails naming the search attributes when they, not a description, make the Job too large', () => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'p', { defaultStore: Datastore.postgres({ host: 'pg', database: 't', user: 'u' }), visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200' }) });
    // 980 attributes of 254-character names: 261 bytes each with the type, in the Job once each: arguments under 262144 bytes, the Job over.
    const searchAttributes = Array.from({ length: 980 }, (_, i) => ({ name: `A${String(i).padStart(3, '0')}${'n'.repeat(250)}`, type: SearchAttributeType.KEYWORD }));
    cluster(chart, { persistence, namespaces: [{ name: 'a', retention: Duration.days(1), description: 'd'.repeat(1000) }, { name: 'b', retention: Duration.days(1), searchAttributes }] });
    expect(() => Testing.synth(chart)).toThrow(/under Argo CD's tracking at its longest.* Shorten or drop search attributes, the largest first: namespaces\[1\]\.searchAttributes \(255780 bytes\)\./);
  });

  test('fails when characters Go escapes longer than JSON.stringify (<, >, &: 6 bytes each in kubectl\'s JSON) fill the description', () => {
    // A description of "x" of the same length passes: only the annotation as kubectl writes it is over.
    const longest = longestAccepted('<');
    expect(longest).toBeGreaterThan(20_000);
    expect(longest).toBeLessThan(22_000);
    for (const unit of ['>', '&']) {
      expect(accepted(unit, longest)).toBe(true);
      expect(accepted(unit, longest + 1)).toBe(false);
    }
    expect(accepted('x', longest * 6)).toBe(true);
  });

  test('fails when annotations of the app on the Job, added after the cluster, take the room: the check reads the Job as written', () => {
    const count = longestAccepted('x') - 2000;
    const { chart, c } = withDescription('x', count);
    expect(() => Testing.synth(chart)).not.toThrow();
    const again = withDescription('x', count);
    again.c.namespaceBootstrap!.resource.metadata.addAnnotation('example.com/notes', 'n'.repeat(2500));
    expect(() => Testing.synth(again.chart)).toThrow(/once applied with kubectl apply \(client-side\)/);
    const patched = withDescription('x', count);
    patched.c.namespaceBootstrap!.resource.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { big: 'z'.repeat(4500) }));
    expect(() => Testing.synth(patched.chart)).toThrow(/once applied with kubectl apply \(client-side\)/);
    expect(c.namespaceBootstrap).toBeDefined();
  });

  test('fails when the namespaces\' arguments together pass 262144 bytes, at construction: each lands in the annotation at least as long', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1000, max: 60_000 }), (count, bytes) => {
      const extra = Array.from({ length: count - 1 }, (_, i) => ({ name: `n${i}`, retention: Duration.days(1), description: 'y'.repeat(bytes) }));
      // Per namespace: its name, "24h", the description as is and JSON-escaped, and "0" attributes, each with a NUL.
      const total = 2 + 4 + (bytes + 1) + (bytes + 3) + 2 + extra.reduce((sum, ns) => sum + ns.name.length + 1 + 4 + (bytes + 1) + (bytes + 3) + 2, 0);
      const run = () => withDescription('x', bytes, extra);
      if (total > LIMIT) {
        expect(run).toThrow(`TemporalCluster 'temporal': namespaces is "${count} namespaces, ${total} bytes of Job arguments"; expected at most 262144 bytes of arguments in all`);
        expect(run).toThrow(/kubectl apply \(client-side, and Argo CD's default sync\) copies the Job into its kubectl.kubernetes.io\/last-applied-configuration annotation/);
      } else {
        expect(run).not.toThrow();
      }
    }), { numRuns: 25 });
  });

  test('the estimate counts the object\'s own annotations and leaves out an old last-applied one, as kubectl does', () => {
    const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v<' } };
    const key = 'kubectl.kubernetes.io/last-applied-configuration';
    const plain = clientSideApplyAnnotationBytes(base);
    // JSON.stringify's bytes, 5 more for the "<" kubectl writes as \u003c, the newline json.Encoder adds, and the key.
    expect(plain).toBe(Buffer.byteLength(JSON.stringify(base)) + ',"annotations":{}'.length + 5 + 1 + key.length);
    expect(clientSideApplyAnnotationBytes({ ...base, metadata: { name: 'a', annotations: { [key]: 'old'.repeat(100) } } })).toBe(plain);
    const own = { ...base, metadata: { name: 'a', annotations: { n: 'v' } } };
    expect(clientSideApplyAnnotationBytes(own)).toBe(2 + Buffer.byteLength(JSON.stringify(own)) + 5 + 1 + key.length);
  });
});
