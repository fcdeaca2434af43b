import * as fs from 'fs';
import * as path from 'path';
import { KubeApiServer } from './api-server';
import { ensureKubeTools, KubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { clientSideApplyAnnotationBytes, withLongestArgoCdTracking } from '../../lib/operations/last-applied';
import { longestAccepted, withDescription } from '../support/namespace-job-size';

/**
 * The namespace Job and `kubectl apply` (client-side), as Argo CD applies it at its longest tracking
 * (the tracking-id annotation of a 317-character application, the instance label at 63): the
 * longest description synth accepts (test/namespace-job-size.test.ts) applies so; and one
 * description more, its instance label shortened until the estimate is 262144 bytes exactly,
 * applies, while one label character more (262145) is refused by the real API server for its
 * annotations ("Too long: may not be more than 262144 bytes"): the estimate is the API server's to
 * the byte. For plain text and for "<", which kubectl's JSON writes as 6 bytes.
 */
const KEEP = process.env.KUBE_TEST_KEEP === '1';

let tools: KubeTools;
beforeAll(() => {
  tools = ensureKubeTools();
}, TOOLS_TIMEOUT_MS);

describe('the namespace Job applied client-side', () => {
  let server: KubeApiServer | undefined;
  beforeAll(async () => {
    server = await KubeApiServer.start(tools, 'namespace-job-size');
  }, 120_000);
  afterAll(async () => {
    await server?.stop(KEEP);
  });

  test.each(['x', '<'])('a description of "%s" at the longest synth accepts applies under Argo CD\'s longest tracking; one byte more is refused by the API server', async (unit) => {
    const longest = longestAccepted(unit);
    const LIMIT = 262144;
    const tracked = (count: number, labelLength = 63) => {
      const job = withLongestArgoCdTracking(withDescription(unit, count).c.namespaceBootstrap!.resource.toJson());
      job.metadata.labels['app.kubernetes.io/instance'] = 'a'.repeat(labelLength);
      return job;
    };
    // Each Job as Argo CD would apply it, in its own namespace (a namespace of another length would change the size).
    const apply = async (job: ReturnType<typeof tracked>) => {
      const file = path.join(server!.dir, `${job.metadata.name}.json`);
      fs.writeFileSync(file, JSON.stringify(job));
      return server!.kubectl(['apply', '-f', file]);
    };
    const { namespace } = withDescription(unit, 1).c.namespaceBootstrap!.resource.toJson().metadata;
    if ((await server!.kubectl(['get', 'namespace', namespace])).code !== 0) await server!.kubectlOk(`create namespace ${namespace}`, ['create', 'namespace', namespace]);
    const fits = await apply(tracked(longest));
    expect(fits.stderr).toBe('');
    expect(fits.code).toBe(0);
    // One description more, which synth refuses: its label shortened by the bytes over, it is at the limit exactly; a character more, one byte over.
    const over = clientSideApplyAnnotationBytes(tracked(longest + 1)) - LIMIT;
    expect(over).toBeGreaterThan(0);
    const atLimit = tracked(longest + 1, 63 - over);
    expect(clientSideApplyAnnotationBytes(atLimit)).toBe(LIMIT);
    const exact = await apply(atLimit);
    expect(exact.stderr).toBe('');
    expect(exact.code).toBe(0);
    const oneByteOver = tracked(longest + 1, 63 - over + 1);
    expect(clientSideApplyAnnotationBytes(oneByteOver)).toBe(LIMIT + 1);
    const refused = await apply(oneByteOver);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('metadata.annotations: Too long: may not be more than 262144 bytes');
  }, 300_000);
});
