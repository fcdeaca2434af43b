/*
 * Multi-cluster replication, run for real: two clusters, "east" and "west", each on databases of
 * its own and on ports of its own (west's from ServicePorts.offset), both with global namespaces on.
 * Neither manifest lists the other in clusterInformation: each has the registration Job, which
 * registers the other cluster through its own frontend (temporal operator cluster upsert). Then a
 * global namespace is created on east, a workflow runs its first half there (an activity), the
 * half-done workflow shows up on west, the namespace fails over to west, and the workflow finishes
 * there, signalled and read through west's frontend.
 *
 * West runs mutual TLS at its frontend; east does not. So east dials west with TLS
 * (`remoteClusters[0].tls`: west's frontend CA, a client certificate west's frontend trusts, and the
 * name on west's certificate, since east reaches west at a proxy's IP address), in its frontend (the
 * registration), history (the replication stream) and worker; west dials east in plaintext, which it
 * must declare (`allowPlaintext`). West's registration Job presents the namespace Job's certificate.
 *
 * Each cluster names the other's frontend in its manifest before either runs, as a Service name
 * would be; the runner hands out pod addresses only as pods start, so each name is a TcpProxy that
 * forwards to the frontend once it is up, as a Service forwards to ready pods. The runner starts no
 * registration Job by itself: the test runs east's while west is still starting (so the Job must
 * wait for a remote that does not answer yet), then west's. Both clusters re-read their cluster
 * metadata every 5 s instead of every minute, so that a registration takes effect within the test.
 * The workflow starts only once each history sends to the other cluster on every shard, as its log
 * tells (replication-streams.ts): the first stream of a shard starts at its newest task, so a
 * workflow that ran before it would never show up on west by itself. A wait on replication that
 * times out prints what both clusters logged about it.
 */
import * as path from 'path';
import { Client, Connection, TLSConfig } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { CertificateAuthority, IssuedCertificate, tlsSecret } from './certificates';
import { E2eEnvironment, MINUTE } from './harness';
import { replicationReport, settledSenders } from './replication-streams';
import { ClusterRunner } from './runner';
import { TcpProxy } from './tcp-proxy';
import { approve, greetThenAwaitApproval } from './workflows';
import { ClusterTls, DynamicConfigValue, RemoteCluster, TemporalClusterProps } from '../../lib';
import { pollUntil } from '../support/processes';

const env = E2eEnvironment.setUp();
const NAMESPACE = 'e2e-global';
const TASK_QUEUE = 'e2e-replication';
const EAST = { name: 'temporal-east', clusterName: 'east', initialFailoverVersion: 1 };
const WEST = { name: 'temporal-west', clusterName: 'west', initialFailoverVersion: 2, portOffset: 11000 };

/** The name on west's frontend certificate that east and the test verify, whatever address they dial. */
const WEST_TLS_NAME = 'temporal-west-frontend.replication.e2e';
/** West's Secrets, and east's for reaching west. */
const SECRETS = {
  westInternode: 'west-internode-tls', westFrontend: 'west-frontend-tls', westJobs: 'west-jobs-client-tls',
  eastWestCa: 'east-west-frontend-ca', eastToWest: 'east-to-west-client-tls',
};

/** The cluster props that make `self` replicate with `other`, which it reaches at `address`, with `remote` added to that entry. */
function multiCluster(self: typeof EAST, other: typeof EAST, address: string, remote: Partial<RemoteCluster>): Partial<TemporalClusterProps> {
  return {
    enableGlobalNamespace: true,
    initialFailoverVersion: self.initialFailoverVersion,
    remoteClusters: [{ name: other.clusterName, initialFailoverVersion: other.initialFailoverVersion, rpcAddress: address, ...remote }],
    dynamicConfig: { values: [DynamicConfigValue.of('system.clusterMetadataRefreshInterval', '5s')] },
  };
}

/** Runs the cluster's registration Job's pod and returns its log. */
async function register(runner: ClusterRunner): Promise<string> {
  const [job] = runner.jobNamesOf('remote-clusters');
  expect(runner.jobNamesOf('remote-clusters')).toHaveLength(1);
  return runner.containerLog(await runner.rerunJob(job), 'register-remote-clusters');
}

/** `wait`'s value; if it fails, what both clusters logged about replication is printed first. */
async function reporting<T>(clusters: Record<string, ClusterRunner>, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    console.log(`e2e: replication as the clusters logged it:\n${replicationReport(clusters)}`);
    throw err;
  }
}

/** A worker of `greetThenAwaitApproval` on one cluster, until `stop`. */
async function startWorker(address: string, tls?: TLSConfig): Promise<{ stop: () => Promise<void> }> {
  const connection = await NativeConnection.connect({ address, tls });
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
    // West's CAs exist before either cluster, so that east can be given west's CA and a client certificate.
    const pki = path.join(env.workRoot, 'replication-pki');
    const westInternodeCa = CertificateAuthority.create(pki, 'west-internode-ca');
    const westFrontendCa = CertificateAuthority.create(pki, 'west-frontend-ca');
    const clientOfWest = (name: string): IssuedCertificate => westFrontendCa.issue(name, { usages: ['clientAuth'] });
    const testClient = clientOfWest('test-client');
    const westTls: TLSConfig = {
      serverNameOverride: WEST_TLS_NAME,
      serverRootCACertificate: Buffer.from(westFrontendCa.cert),
      clientCertPair: { crt: Buffer.from(testClient.cert), key: Buffer.from(testClient.key) },
    };
    try {
      const east = await env.up('repl_east', {
        name: EAST.name, clusterName: EAST.clusterName, timeoutMs: 6 * MINUTE,
        cluster: multiCluster(EAST, WEST, proxies.west.address, { tls: { caSecret: SECRETS.eastWestCa, clientCertificateSecret: SECRETS.eastToWest, serverName: WEST_TLS_NAME } }),
        secrets: () => ({ [SECRETS.eastWestCa]: { 'ca.crt': westFrontendCa.cert }, [SECRETS.eastToWest]: tlsSecret(clientOfWest('east')) }),
      });
      proxies.east.target = east.endpoint('frontend').grpc;

      // East's Job starts while west is still starting: it must wait for west's frontend.
      const [eastLog, west] = await Promise.all([
        register(east),
        env.up('repl_west', {
          name: WEST.name, clusterName: WEST.clusterName, portOffset: WEST.portOffset,
          tls: ClusterTls.fromSecrets({ internode: SECRETS.westInternode, frontend: SECRETS.westFrontend, requireClientAuth: true, clients: { namespaceJob: SECRETS.westJobs } }),
          cluster: multiCluster(WEST, EAST, proxies.east.address, { allowPlaintext: true }),
          secrets: (cluster) => ({
            [SECRETS.westInternode]: tlsSecret(westInternodeCa.issue('internode', { usages: ['serverAuth', 'clientAuth'], dnsNames: [cluster.internodeServerName] })),
            [SECRETS.westFrontend]: tlsSecret(westFrontendCa.issue('frontend', { usages: ['serverAuth'], dnsNames: [...cluster.frontendDnsNames, WEST_TLS_NAME] })),
            [SECRETS.westJobs]: tlsSecret(clientOfWest('jobs')),
          }),
        }).then((runner) => { proxies.west.target = runner.endpoint('frontend').grpc; return runner; }),
      ]);
      console.log(`e2e: east's registration Job:\n${eastLog.trim()}`);
      expect(eastLog).toMatch(/waiting for remote cluster west at [\d.:]+ to answer \(attempt 1\)/);
      expect(eastLog).toContain(`remote cluster west at ${proxies.west.address}: registered, connection enabled: true, initial failover version 2`);
      expect(west.endpoint('frontend').grpc).toMatch(/:18233$/);
      const westLog = await register(west);
      console.log(`e2e: west's registration Job:\n${westLog.trim()}`);
      expect(westLog).toContain(`remote cluster east at ${proxies.east.address}: registered, connection enabled: true, initial failover version 1`);

      const eastConn = await Connection.connect({ address: east.endpoint('frontend').grpc });
      const westConn = await Connection.connect({ address: west.endpoint('frontend').grpc, tls: westTls });
      // West refuses a client without a certificate it trusts: the TLS above is what lets the test in.
      await expect(Connection.connect({ address: west.endpoint('frontend').grpc, tls: { ...westTls, clientCertPair: undefined }, connectTimeout: '5 seconds' })
        .then((c) => c.workflowService.getSystemInfo({}).finally(() => c.close()))).rejects.toThrow();
      connections.push(eastConn, westConn);
      // What each cluster stored: itself, and the other at the address its Job gave.
      const clusters = async (c: Connection) => Object.fromEntries(((await c.operatorService.listClusters({})).clusters ?? [])
        .map((x) => [x.clusterName, { address: x.address, initialFailoverVersion: Number(x.initialFailoverVersion), connected: x.isConnectionEnabled }]));
      expect((await clusters(eastConn)).west).toEqual({ address: proxies.west.address, initialFailoverVersion: 2, connected: true });
      expect((await clusters(westConn)).east).toEqual({ address: proxies.east.address, initialFailoverVersion: 1, connected: true });
      const both = { east, west };
      const shards = Object.fromEntries(((await eastConn.operatorService.listClusters({})).clusters ?? []).map((x) => [x.clusterName, x.historyShardCount ?? 0]));

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
      const registeredAt = Date.now();
      const activeOnWest = async () => (await westConn.workflowService.describeNamespace({ namespace: NAMESPACE }).catch(() => undefined))?.replicationConfig?.activeClusterName ?? undefined;
      expect(await reporting(both, pollUntil(`${NAMESPACE} to reach west`, 2 * MINUTE, activeOnWest))).toBe('east');

      // The namespace came by west's worker; the workflow's history goes by the streams each history
      // opens to the other cluster's frontend, per shard. They open once both of its ends have read the
      // other cluster from their metadata, each on a 5 s timer of its own (so east's frontend may
      // know west seconds before east's history), and a stream's first catch-up starts at the
      // shard's newest task: a workflow that ran before would never reach west by itself. An
      // operator waits for replication to be connected before relying on it; so does the test.
      const toWest = await reporting(both, pollUntil('the replication streams east to west and west to east on every shard', 2 * MINUTE,
        async () => (settledSenders(west.log('history'), 'east', shards.west) && settledSenders(east.log('history'), 'west', shards.east))));
      console.log(`e2e: east's history sends to west on every shard since ${Math.round((Math.max(...toWest.values()) - registeredAt) / 100) / 10} s after ${NAMESPACE} was registered`);

      // The first half on east: the activity runs, then the workflow waits for the signal.
      workers.push(await startWorker(east.endpoint('frontend').grpc));
      const eastClient = new Client({ connection: eastConn, namespace: NAMESPACE });
      const workflowId = `replicated-${Date.now()}`;
      await eastClient.workflow.start(greetThenAwaitApproval, { taskQueue: TASK_QUEUE, workflowId, args: ['replication'], workflowExecutionTimeout: '10 minutes' });
      await pollUntil('the activity to complete on east', MINUTE, async () => ((await eventTypes(eastConn, workflowId)).includes('activityTaskCompleted') ? true : undefined));
      await workers.pop()!.stop();

      // West holds the same half-done workflow: read from west's own frontend, which never forwards (dcRedirectionPolicy noop).
      const westHistory = await reporting(both, pollUntil('the half-done workflow to be replicated to west', 2 * MINUTE, async () => {
        const types = await eventTypes(westConn, workflowId).catch((): string[] => []);
        return types.includes('activityTaskCompleted') ? types : undefined;
      }));
      expect(westHistory[0]).toBe('workflowExecutionStarted');
      expect(westHistory).not.toContain('workflowExecutionCompleted');

      // Fail over, then finish on west.
      await eastConn.workflowService.updateNamespace({ namespace: NAMESPACE, replicationConfig: { activeClusterName: 'west' } });
      await reporting(both, pollUntil(`${NAMESPACE} to be active on west`, 2 * MINUTE, async () => ((await activeOnWest()) === 'west' ? true : undefined)));
      workers.push(await startWorker(west.endpoint('frontend').grpc, westTls));
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
      await reporting(both, pollUntil('the completion to be replicated back to east', 2 * MINUTE,
        async () => ((await eventTypes(eastConn, workflowId)).includes('workflowExecutionCompleted') ? true : undefined)));

      // Taking a remote apart: the server refuses to remove it while a global namespace of both lists it, which is
      // why the registration Job's remedies say to narrow each namespace first.
      await expect(eastConn.operatorService.removeRemoteCluster({ clusterName: 'west' })).rejects.toThrow(/still referenced by namespace "e2e-global"/);
      expect((await clusters(eastConn)).west).toEqual({ address: proxies.west.address, initialFailoverVersion: 2, connected: true });
    } finally {
      for (const w of workers) await w.stop();
      for (const c of connections) await c.close();
      await proxies.east.close();
      await proxies.west.close();
    }
  }, 25 * MINUTE);
});
