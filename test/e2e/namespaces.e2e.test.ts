/*
 * The namespace Job, run for real: it starts together with the server pods, its script (the
 * `temporal` CLI, as in the admin-tools image) waits for the frontend through the frontend Service's
 * name, creates the namespace the app lists with its retention, and says so; run again, as a retry
 * or a re-created Job would, it finds the namespace and changes nothing.
 */
import { Connection } from '@temporalio/client';
import { Duration } from 'cdk8s';
import { E2eEnvironment, MINUTE } from './harness';

const env = E2eEnvironment.setUp();
const NAMESPACE = 'e2e-bootstrap';

describe('the namespace Job', () => {
  it('creates the listed namespace with its retention once the frontend answers, and is idempotent', async () => {
    // Everything applied at once, schema Jobs a little late: the frontend cannot answer before the
    // schema exists, so the Job, started with the pods, must wait for it whatever the machine's speed.
    const runner = await env.up('namespaces', { namespaces: [{ name: NAMESPACE, retention: Duration.days(2) }], applyAtOnceJobDelayMs: 5_000 });
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
        expect(Number(config?.workflowExecutionRetentionTtl?.seconds)).toBe(2 * 24 * 3600);

        const again = runner.containerLog(await runner.rerunJob(job), 'create-namespaces');
        console.log(`e2e: ${job} (run again):\n${again.trim()}`);
        expect(again).toContain(`namespace ${NAMESPACE} exists`);
        expect(again).not.toContain('created');
        expect(Number((await describe()).config?.workflowExecutionRetentionTtl?.seconds)).toBe(2 * 24 * 3600);
      } finally {
        await connection.close();
      }
    } finally {
      await runner.down();
    }
  }, 10 * MINUTE);
});
