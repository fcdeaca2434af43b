import * as fs from 'fs';
import * as path from 'path';
import { KubeApiServer } from './api-server';
import { ensureKubeTools, KubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { longestAccepted, withDescription } from '../support/namespace-job-size';

/**
 * The namespace Job and `kubectl apply` (client-side): the longest description synth accepts
 * (test/namespace-job-size.test.ts) applies, and one character more, which synth refuses, is refused
 * by the real API server for its annotations ("Too long: may not be more than 262144 bytes"), for plain
 * text and for "<", which kubectl's JSON writes as 6 bytes.
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

  test.each(['x', '<'])('a description of "%s" at the longest synth accepts applies; one more is refused by the API server', async (unit) => {
    const longest = longestAccepted(unit);
    // Each Job as written, in its own namespace (a namespace of another length would change the size).
    const apply = async (count: number) => {
      const job = withDescription(unit, count).c.namespaceBootstrap!.resource.toJson();
      const file = path.join(server!.dir, `${job.metadata.name}.json`);
      fs.writeFileSync(file, JSON.stringify(job));
      return server!.kubectl(['apply', '-f', file]);
    };
    const { namespace } = withDescription(unit, 1).c.namespaceBootstrap!.resource.toJson().metadata;
    if ((await server!.kubectl(['get', 'namespace', namespace])).code !== 0) await server!.kubectlOk(`create namespace ${namespace}`, ['create', 'namespace', namespace]);
    const fits = await apply(longest);
    expect(fits.stderr).toBe('');
    expect(fits.code).toBe(0);
    const over = await apply(longest + 1);
    expect(over.code).not.toBe(0);
    expect(over.stderr).toContain('metadata.annotations: Too long: may not be more than 262144 bytes');
  }, 300_000);
});
