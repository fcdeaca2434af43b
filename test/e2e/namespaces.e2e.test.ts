/*
 * The namespace Job, run for real: it starts together with the server pods, its script (the
 * `temporal` CLI, as in the admin-tools image) waits for the frontend through the frontend Service's
 * name, creates the namespace the app lists with its retention, and says so; run again, as a retry
 * or a re-created Job would, it finds the namespace and changes nothing; run on a namespace whose
 * retention and description were changed since, it sets the declared ones again (the server's JSON
 * is what the script reads the old ones from). A namespace it created before the cluster had
 * archival keeps archival never enabled on the server; once the app adds archival, the new Job
 * turns it on, and the server gives it the cluster's URI.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { Duration } from 'cdk8s';
import { E2eEnvironment, MINUTE } from './harness';
import { ArchivalProvider, DynamicConfigValue } from '../../lib';

const env = E2eEnvironment.setUp();
const NAMESPACE = 'e2e-bootstrap';
/** Text the shell, the kubelet ($$ and $(NAME)) and the CLI's flag parser (a leading -) could each read as syntax. */
const DESCRIPTION = '-h costs $$5 at $(TEMPORAL_ADDRESS); "quoted" \'single\' `tick` \\';

/**
 * Calls `call` until the server finds the namespace. The frontend's namespace registry is a cache
 * it refreshes periodically: a namespace created a moment ago was described and still NOT_FOUND to
 * an UpdateNamespace right after (seen once, on a CI run under heavy load). The server's refresh,
 * not the library, sets that window; the Job meets it only when rerun within seconds, and retries.
 */
async function onceRegistered<T>(call: () => Promise<T>, attempts = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: number }).code !== 5 || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

describe('the namespace Job', () => {
  it('creates the listed namespace with its retention once the frontend answers, and is idempotent', async () => {
    // Everything applied at once, schema Jobs a little late: the frontend cannot answer before the
    // schema exists, so the Job, started with the pods, must wait for it whatever the machine's speed.
    const runner = await env.up('namespaces', { namespaces: [{ name: NAMESPACE, retention: Duration.days(2), description: DESCRIPTION }], applyAtOnceJobDelayMs: 5_000 });
    try {
      const [job] = runner.namespaceJobNames;
      expect(runner.namespaceJobNames).toHaveLength(1);
      const first = runner.containerLog(job, 'create-namespaces');
      console.log(`e2e: ${job} (first run):\n${first.trim()}`);
      // It started before the frontend answered, and reached it through the Service's name.
      expect(first).toMatch(/waiting for the frontend at [\d.]+:\d+ \(attempt 1\)/);
      expect(first).toContain(`namespace ${NAMESPACE} created`);

      const connection = await Connection.connect({ address: runner.endpoint('frontend').grpc });
      try {
        const describe = () => connection.workflowService.describeNamespace({ namespace: NAMESPACE });
        const { namespaceInfo, config } = await describe();
        expect(namespaceInfo?.name).toBe(NAMESPACE);
        // Through the kubelet's expansion, the shell and the CLI, the description is the app's.
        expect(namespaceInfo?.description).toBe(DESCRIPTION);
        expect(Number(config?.workflowExecutionRetentionTtl?.seconds)).toBe(2 * 24 * 3600);

        const again = runner.containerLog(await runner.rerunJob(job), 'create-namespaces');
        console.log(`e2e: ${job} (run again):\n${again.trim()}`);
        expect(again).toContain(`namespace ${NAMESPACE} exists\n`);
        expect(again).not.toContain('created');
        expect(again).not.toContain('retention set');
        // The description the server holds, as its JSON writes it, is the declared one.
        expect(again).not.toContain('description set');
        expect(Number((await describe()).config?.workflowExecutionRetentionTtl?.seconds)).toBe(2 * 24 * 3600);

        // Someone (or an earlier app) gave the namespace another retention and description: the Job sets the declared ones.
        await onceRegistered(() => connection.workflowService.updateNamespace({ namespace: NAMESPACE, config: { workflowExecutionRetentionTtl: msToTs('5 days') }, updateInfo: { description: 'changed by hand' } }));
        expect(Number((await describe()).config?.workflowExecutionRetentionTtl?.seconds)).toBe(5 * 24 * 3600);
        const reset = runner.containerLog(await runner.rerunJob(job), 'create-namespaces');
        console.log(`e2e: ${job} (run on a changed retention):\n${reset.trim()}`);
        expect(reset).toContain(`namespace ${NAMESPACE} exists; retention set to 48h (it was ${5 * 24 * 3600}s)`);
        expect(reset).toContain(`namespace ${NAMESPACE}: description set`);
        expect(Number((await describe()).config?.workflowExecutionRetentionTtl?.seconds)).toBe(2 * 24 * 3600);
        expect((await describe()).namespaceInfo?.description).toBe(DESCRIPTION);
      } finally {
        await connection.close();
      }
    } finally {
      await runner.down();
    }
  }, 10 * MINUTE);
  /**
   * Runs the app without archival (the Job creates the namespace, archival never enabled), then on
   * the same databases with history archival to a shared claim (a folder every pod links to) and
   * `values` in its dynamic config; returns the new Job's log and the namespace's archival.
   */
  async function archivalAdded(scenario: string, values: DynamicConfigValue[]): Promise<{ log: string; again: string; state?: number | null; uri?: string | null }> {
    const namespaces = [{ name: 'e2e-archival', retention: Duration.days(1) }];
    const before = await env.up(scenario, { namespaces });
    try {
      expect(before.containerLog(before.namespaceJobNames[0], 'create-namespaces')).toContain('namespace e2e-archival created');
    } finally {
      await before.down();
    }
    const archival = { history: { provider: ArchivalProvider.filestore({ claimName: 'archive' }), uri: 'file:///archival/history' } };
    const runner = await env.up(scenario, { namespaces, cluster: { archival, dynamicConfig: { values } } });
    try {
      const [job] = runner.namespaceJobNames;
      const log = runner.containerLog(job, 'create-namespaces');
      console.log(`e2e: ${job} (archival added):\n${log.trim()}`);
      const connection = await Connection.connect({ address: runner.endpoint('frontend').grpc });
      try {
        const { config } = await connection.workflowService.describeNamespace({ namespace: 'e2e-archival' });
        // Run again: nothing more is changed.
        const again = runner.containerLog(await runner.rerunJob(job), 'create-namespaces');
        const after = (await connection.workflowService.describeNamespace({ namespace: 'e2e-archival' })).config;
        expect([after?.historyArchivalState, after?.historyArchivalUri]).toEqual([config?.historyArchivalState, config?.historyArchivalUri]);
        return { log, again, state: config?.historyArchivalState, uri: config?.historyArchivalUri };
      } finally {
        await connection.close();
      }
    } finally {
      await runner.down();
    }
  }

  it('turns archival on, at the cluster\'s URI, in a listed namespace created before the cluster had archival', async () => {
    const { log, again, state, uri } = await archivalAdded('namespaces-archival', []);
    expect(log).toContain('namespace e2e-archival: history archival enabled (it was never enabled)');
    expect(log).not.toContain('visibility archival');
    expect(state).toBe(2); // ARCHIVAL_STATE_ENABLED
    expect(uri).toBe('file:///archival/history');
    // The namespace has its URI now.
    expect(again).toContain('namespace e2e-archival exists\n');
    expect(again).not.toMatch(/archival (enabled|is still off)/);
  }, 15 * MINUTE);

  it('says archival is still off where the server skips it: its dynamic config holds that archival paused', async () => {
    const { log, state, uri } = await archivalAdded('namespaces-archival-paused', [DynamicConfigValue.of('system.historyArchivalState', 'paused')]);
    expect(log).toContain('namespace e2e-archival: history archival is still off: the server did not turn it on (is system.historyArchivalState disabled or paused in the dynamic config?)');
    expect(log).not.toContain('archival enabled');
    expect(state).toBe(1); // ARCHIVAL_STATE_DISABLED
    expect(uri ?? '').toBe('');
  }, 15 * MINUTE);
});
