/*
 * The namespace Job holds every description twice (as is and JSON-escaped). kubectl apply
 * (client-side, and Argo CD's default sync) copies the whole Job into its last-applied annotation,
 * and the API server holds an object's annotations to 262144 bytes: a Job over that cannot be
 * applied so. test/kube/namespace-job-size.kube.test.ts applies the boundary to a real API server.
 */
import { Duration, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { accepted, longestAccepted, withDescription } from './support/namespace-job-size';
import { clientSideApplyAnnotationBytes } from '../lib/operations/last-applied';

const LIMIT = 262144;

describe('the namespace Job and kubectl apply (client-side)', () => {
  test('fails when the Job, descriptions and all, would carry more than 262144 bytes of annotations once applied client-side', () => {
    const run = () => Testing.synth(withDescription('x', 130_000).chart);
    expect(run).toThrow(/\[test\/temporal\/Namespaces\] TemporalCluster 'temporal': namespaces is "1 namespaces, a namespace Job whose annotations would be \d+ bytes once applied with kubectl apply \(client-side\)"; expected a namespace Job whose annotations, with the kubectl.kubernetes.io\/last-applied-configuration copy of the whole Job that kubectl apply adds, are at most 262144 bytes\. The API server refuses more \("metadata.annotations: Too long: may not be more than 262144 bytes"\), so kubectl apply and Argo CD's default sync fail on the Job\. Shorten the descriptions, the longest first: namespaces\[0\]\.description \(130000 bytes\)/);
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
