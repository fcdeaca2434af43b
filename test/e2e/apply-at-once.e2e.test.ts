/*
 * A plain `kubectl apply -f dist/` creates the schema Jobs and the server Deployments at the same
 * moment; nothing orders them but the servers' schema-wait init containers. Here every pod starts at
 * once and the schema Jobs start 15 s later, with the real temporal-sql-tool: the waits must hold
 * each server back, log why, and let it go once its store reaches the release's schema version.
 */
import { Connection } from '@temporalio/client';
import { E2eEnvironment, MINUTE, registerNamespace, schemaWaitLog } from './harness';
import { TemporalVersion } from '../../lib';

const env = E2eEnvironment.setUp();
const JOB_DELAY_MS = 15_000;

describe('everything applied at once', () => {
  it('converges: the servers wait for the schema Jobs, then form a working cluster; a newer schema also lets them start, and a pod moved to another namespace (a server\'s, a schema Job\'s) stops before any store', async () => {
    const started = Date.now();
    const runner = await env.up('at_once', { applyAtOnceJobDelayMs: JOB_DELAY_MS });
    try {
      const schema = TemporalVersion.of(TemporalVersion.DEFAULT).schema;
      const logs = Object.fromEntries(['default', 'visibility']
        .map((store) => [`wait-for-${store}-schema`, schemaWaitLog(runner, 'temporal-e2e-history', store)]));
      for (const [container, log] of Object.entries(logs)) console.log(`e2e: ${container} of history:\n${log.trim().split('\n').slice(-3).join('\n')}`);
      // The first wait held the pod back while its store had no schema, and let it go when the Job
      // brought the store to the release's version; the second ran after it, when its store was ready.
      expect(logs['wait-for-default-schema']).toMatch(new RegExp(`waiting for the schema job: .* is not yet at schema ${schema.sql.replace('.', '\\.')} \\(attempt 1 of \\d+\\)`));
      expect(logs['wait-for-default-schema']).toContain(`is at ${schema.sql}`);
      expect(logs['wait-for-visibility-schema']).toContain(`is at ${schema.sqlVisibility}`);
      expect(Date.now() - started).toBeGreaterThan(JOB_DELAY_MS);
      // A store already moved to a newer schema (a later release's Job ran first) lets the servers
      // start: the server only refuses an older schema.
      env.postgres.query('at_once_temporal', "UPDATE schema_version SET curr_version = '1.99' WHERE version_partition = 0");
      expect(schemaWaitLog(runner, 'temporal-e2e-history', 'default', await runner.rerunInitContainer('temporal-e2e-history', 'wait-for-schema')))
        .toContain(`is newer than ${schema.sql}, which this server accepts`);
      // The same pod in another namespace than the cluster was synthesized for (a kustomize
      // namespace: moved it) stops before any store, naming both namespaces.
      const moved = await runner.rerunInitContainer('temporal-e2e-history', 'wait-for-schema', { namespace: 'platform-temporal' });
      console.log(`e2e: wait-for-schema of history in namespace platform-temporal:\n${moved.trim()}`);
      expect(moved).toContain(`this pod runs in namespace platform-temporal, but was synthesized for namespace temporal-e2e`);
      expect(moved).not.toContain('schema of');
      // Every other pod checks first: a schema Job in its first step, which, moved, stops before its
      // tool runs, with the same message; in its own namespace it runs its step (create-database, again).
      const job = runner.schemaJobNames[0];
      const movedJob = await runner.rerunInitContainer(job, 'create-database', { namespace: 'platform-temporal' });
      console.log(`e2e: create-database of ${job} in namespace platform-temporal:\n${movedJob.trim()}`);
      expect(movedJob.trim()).toBe('this pod runs in namespace platform-temporal, but was synthesized for namespace temporal-e2e, which its addresses, certificates and policies name:'
        + ' set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)');
      expect(await runner.rerunInitContainer(job, 'create-database')).not.toContain('this pod runs');
      const connection = await Connection.connect({ address: runner.endpoint('frontend').grpc });
      try {
        await registerNamespace(connection);
        const info = await connection.workflowService.getClusterInfo({});
        expect(info.historyShardCount).toBeGreaterThan(0);
      } finally {
        await connection.close();
      }
    } finally {
      await runner.down();
    }
  }, 10 * MINUTE);
});
