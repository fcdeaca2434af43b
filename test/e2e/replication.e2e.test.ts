/*
 * Multi-cluster replication, run for real: two clusters, "east" and "west", each on databases of
 * its own and on ports of its own (west's from ServicePorts.offset), both with global namespaces on.
 * Neither manifest lists the other in clusterInformation: each has the registration Job, which
 * registers the other cluster through its own frontend (temporal operator cluster upsert). Then a
 * global namespace is created on east, a workflow runs its first half there (an activity), the
 * half-done workflow shows up on west, the namespace fails over to west, and the workflow finishes
 * there, signalled and read through west's frontend.
 *
 * Each cluster names the other's frontend in its manifest before either runs, as a Service name
 * would be; the runner hands out pod addresses only as pods start, so each name is a TcpProxy that
 * forwards to the frontend once it is up, as a Service forwards to ready pods. The runner starts no
 * registration Job by itself: the test runs east's while west is still starting (so the Job must
 * wait for a remote that does not answer yet), then west's. Both clusters re-read their cluster
 * metadata every 5 s instead of every minute, so that a registration takes effect within the test.
 */
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { E2eEnvironment, MINUTE } from './harness';
import { ClusterRunner } from './runner';
import { TcpProxy } from './tcp-proxy';
import { approve, greetThenAwaitApproval } from './workflows';
import { DynamicConfigValue, TemporalClusterProps } from '../../lib';
import { pollUntil } from '../support/processes';

const env = E2eEnvironment.setUp();
const NAMESPACE = 'e2e-global';
const TASK_QUEUE = 'e2e-replication';
const EAST = { name: 'temporal-east', clusterName: 'east', initialFailoverVersion: 1 };
const WEST = { name: 'temporal-west', clusterName: 'west', initialFailoverVersion: 2, portOffset: 11000 };

/** The cluster props that make `self` replicate with `other`, which it reaches at `address`. */
function multiCluster(self: typeof EAST, other: typeof EAST, address: string): Partial<TemporalClusterProps> {
  return {
    enableGlobalNamespace: true,
    initialFailoverVersion: self.initialFailoverVersion,
    remoteClusters: [{ name: other.clusterName, initialFailoverVersion: other.initialFailoverVersion, rpcAddress: address }],
    dynamicConfig: { values: [DynamicConfigValue.of('system.clusterMetadataRefreshInterval', '5s')] },
  };
}

/** Runs the cluster's registration Job's pod and returns its log. */
async function register(runner: ClusterRunner): Promise<string> {
  const [job] = runner.jobNamesOf('remote-clusters');
  expect(runner.jobNamesOf('remote-clusters')).toHaveLength(1);
  return runner.containerLog(await runner.rerunJob(job), 'register-remote-clusters');
}

/** A worker of `greetThenAwaitApproval` on one cluster, until `stop`. */
async function startWorker(address: string): Promise<{ stop: () => Promise<void> }> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, namespace: NAMESPACE, taskQueue: TASK_QUEUE, workflowsPath: require.resolve('./workflows'), activities });
  const run = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run.catch(() => undefined);
      await connection.close();
    },
  };
}

/**
 * The kinds of a workflow's history events as one cluster holds it, named after each event's
 * attributes field: `workflowExecutionStarted`, `activityTaskCompleted`, and so on.
 */
async function eventTypes(connection: Connection, workflowId: string): Promise<string[]> {
  const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace: NAMESPACE, execution: { workflowId } });
  return (history?.events ?? []).map((e) => {
    const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
    return key ? key.replace(/EventAttributes$/, '') : 'unknown';
  });
}

describe('two clusters replicating a global namespace', () => {
  it('register each other through their Jobs, replicate a workflow to the standby, fail over and finish it there', async () => {
    const proxies = { east: await TcpProxy.start(), west: await TcpProxy.start() };
    const connections: Connection[] = [];
    const workers: Array<{ stop: () => Promise<void> }> = [];
    try {
      const east = await env.up('repl_east', { name: EAST.name, clusterName: EAST.clusterName, cluster: multiCluster(EAST, WEST, proxies.west.address), timeoutMs: 6 * MINUTE });
      proxies.east.target = east.endpoint('frontend').grpc;

      // East's Job starts while west is still starting: it must wait for west's frontend.
      const [eastLog, west] = await Promise.all([
        register(east),
        env.up('repl_west', { name: WEST.name, clusterName: WEST.clusterName, portOffset: WEST.portOffset, cluster: multiCluster(WEST, EAST, proxies.east.address) })
          .then((runner) => { proxies.west.target = runner.endpoint('frontend').grpc; return runner; }),
      ]);
      console.log(`e2e: east's registration Job:\n${eastLog.trim()}`);
      expect(eastLog).toMatch(/waiting for remote cluster west at [\d.:]+ to answer \(attempt 1\)/);
      expect(eastLog).toContain(`remote cluster west at ${proxies.west.address}: registered, connection enabled: true, initial failover version 2`);
      expect(west.endpoint('frontend').grpc).toMatch(/:18233$/);
      const westLog = await register(west);
      console.log(`e2e: west's registration Job:\n${westLog.trim()}`);
      expect(westLog).toContain(`remote cluster east at ${proxies.east.address}: registered, connection enabled: true, initial failover version 1`);

      const eastConn = await Connection.connect({ address: east.endpoint('frontend').grpc });
      const westConn = await Connection.connect({ address: west.endpoint('frontend').grpc });
      connections.push(eastConn, westConn);
      // What each cluster stored: itself, and the other at the address its Job gave.
      const clusters = async (c: Connection) => Object.fromEntries(((await c.operatorService.listClusters({})).clusters ?? [])
        .map((x) => [x.clusterName, { address: x.address, initialFailoverVersion: Number(x.initialFailoverVersion), connected: x.isConnectionEnabled }]));
      expect((await clusters(eastConn)).west).toEqual({ address: proxies.west.address, initialFailoverVersion: 2, connected: true });
      expect((await clusters(westConn)).east).toEqual({ address: proxies.east.address, initialFailoverVersion: 1, connected: true });

      // A global namespace, active on east; east's frontend knows west once it re-reads its metadata.
      await pollUntil('east to accept a global namespace replicated to west', 2 * MINUTE, async () => {
        try {
          await eastConn.workflowService.registerNamespace({
            namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('1 day'), isGlobalNamespace: true,
            clusters: [{ clusterName: 'east' }, { clusterName: 'west' }], activeClusterName: 'east',
          });
          return true;
        } catch (err) {
          if (/already exists|already registered/i.test((err as Error).message)) return true;
          console.log(`e2e: registering ${NAMESPACE} on east: ${(err as Error).message}`);
          return undefined;
        }
      });
      const activeOnWest = async () => (await westConn.workflowService.describeNamespace({ namespace: NAMESPACE }).catch(() => undefined))?.replicationConfig?.activeClusterName ?? undefined;
      expect(await pollUntil(`${NAMESPACE} to reach west`, 2 * MINUTE, activeOnWest)).toBe('east');

      // The first half on east: the activity runs, then the workflow waits for the signal.
      workers.push(await startWorker(east.endpoint('frontend').grpc));
      const eastClient = new Client({ connection: eastConn, namespace: NAMESPACE });
      const workflowId = `replicated-${Date.now()}`;
      await eastClient.workflow.start(greetThenAwaitApproval, { taskQueue: TASK_QUEUE, workflowId, args: ['replication'], workflowExecutionTimeout: '10 minutes' });
      await pollUntil('the activity to complete on east', MINUTE, async () => ((await eventTypes(eastConn, workflowId)).includes('activityTaskCompleted') ? true : undefined));
      await workers.pop()!.stop();

      // West holds the same half-done workflow: read from west's own frontend, which never forwards (dcRedirectionPolicy noop).
      const westHistory = await pollUntil('the half-done workflow to be replicated to west', 2 * MINUTE, async () => {
        const types = await eventTypes(westConn, workflowId).catch((): string[] => []);
        return types.includes('activityTaskCompleted') ? types : undefined;
      });
      expect(westHistory[0]).toBe('workflowExecutionStarted');
      expect(westHistory).not.toContain('workflowExecutionCompleted');

      // Fail over, then finish on west.
      await eastConn.workflowService.updateNamespace({ namespace: NAMESPACE, replicationConfig: { activeClusterName: 'west' } });
      await pollUntil(`${NAMESPACE} to be active on west`, 2 * MINUTE, async () => ((await activeOnWest()) === 'west' ? true : undefined));
      workers.push(await startWorker(west.endpoint('frontend').grpc));
      const handle = new Client({ connection: westConn, namespace: NAMESPACE }).workflow.getHandle(workflowId);
      await pollUntil('west to take the signal', 2 * MINUTE, async () => {
        try {
          await handle.signal(approve, 'west');
          return true;
        } catch (err) {
          console.log(`e2e: signalling on west: ${(err as Error).message}`);
          return undefined;
        }
      });
      expect(await handle.result()).toBe('Hello, replication, approved by west');
      const westEvents = await eventTypes(westConn, workflowId);
      expect(westEvents).toContain('workflowExecutionSignaled');
      expect(westEvents[westEvents.length - 1]).toBe('workflowExecutionCompleted');
      // And the end travels back to east, now the standby.
      await pollUntil('the completion to be replicated back to east', 2 * MINUTE,
        async () => ((await eventTypes(eastConn, workflowId)).includes('workflowExecutionCompleted') ? true : undefined));
    } finally {
      for (const w of workers) await w.stop();
      for (const c of connections) await c.close();
      await proxies.east.close();
      await proxies.west.close();
    }
  }, 25 * MINUTE);
});
