/*
 * The IPv6 scenarios of ipv6.e2e.test.ts, run inside the network namespace of ipv6-netns.ts (the
 * test starts this file there with ts-node). Each writes what it saw to the JSON file named by the
 * first argument; the test asserts on it.
 *
 *  - wildcard: the e2e cluster with `ipFamily: IpFamily.IPV6`, one pod per role at IPv6 addresses,
 *    each server listening on exactly the `0.0.0.0` its config says (runner option
 *    `keepWildcardAddresses`; only the metrics port, which every role shares, moves per role, as
 *    the roles share one namespace here). Peers dial the IPv6 addresses the others announce.
 *  - pods: two pods per role at IPv6 addresses, each bound to its own (runner rewrite 2), Services
 *    as proxies on IPv6 cluster addresses: the membership ring of eight IPv6 members.
 * Both run a workflow through a history SIGKILL.
 */
import * as fs from 'fs';
import { E2eEnvironment, greetThroughHistoryKill, SdkSession } from './harness';
import { ClusterRunner } from './runner';
import { E2E } from './app';
import { IpFamily } from '../../lib';

export interface Ipv6ScenarioResult {
  readonly scenario: string;
  /** Pod name -> its address. */
  readonly pods: Record<string, string>;
  /** Where the SDK connected. */
  readonly frontendAddress: string;
  readonly workflowResult: string;
  /** Whether the timer fired after history's SIGKILL, from the database. */
  readonly timerFiredAfterKill: boolean;
  /** Distinct members of cluster_membership that heartbeat in the last minute: `rpc_address|rpc_port`, the address as the server wrote it. */
  readonly members: string[];
}

const ROLES = ['frontend', 'history', 'matching', 'worker'];

async function runWorkflow(runner: ClusterRunner, scenario: string, frontendAddress: string, env: E2eEnvironment): Promise<Ipv6ScenarioResult> {
  const session = await SdkSession.open(frontendAddress);
  try {
    const { result, firedAt, killedAt } = await greetThroughHistoryKill(runner, session.client, `ipv6-${scenario}`);
    const members = env.postgres.query(`${scenario}_temporal`,
      "SELECT DISTINCT rpc_address, rpc_port FROM cluster_membership WHERE last_heartbeat > now() - interval '1 minute' ORDER BY rpc_address, rpc_port")
      .split('\n').map((l) => l.trim()).filter(Boolean);
    const pods = Object.fromEntries(ROLES.flatMap((role) => runner.pods(role).map((p) => [p.name, p.ip])));
    return { scenario, pods, frontendAddress, workflowResult: result, timerFiredAfterKill: firedAt > killedAt, members };
  } finally {
    await session.close();
  }
}

async function main(out: string): Promise<void> {
  process.env.CDK8S_CHECK_UPGRADE ??= 'false';
  const env = await E2eEnvironment.create();
  const results: Ipv6ScenarioResult[] = [];
  try {
    const metricsPorts = Object.fromEntries(ROLES.map((role, i) => [role, E2E.ports.metrics + 1 + i]));
    const wildcard = await env.up('ipv6wild', {
      cluster: { ipFamily: IpFamily.IPV6 }, podNetwork: 'ipv6', keepWildcardAddresses: true, replicas: 1,
      mutateProcess: (role, spec) => {
        const line = `listenAddress: 0.0.0.0:${E2E.ports.metrics}`;
        if (!spec.config.includes(line)) throw new Error(`the ${role} config has no "${line}"`);
        return { ...spec, config: spec.config.replace(line, `listenAddress: 0.0.0.0:${metricsPorts[role]}`) };
      },
    });
    try {
      results.push(await runWorkflow(wildcard, 'ipv6wild', wildcard.endpoint('frontend').grpc, env));
    } finally {
      await wildcard.down();
    }
    // Two history pods and the rollout's surge pod need 15 shards at least (shard-coverage.ts); the scenario has databases of its own.
    const pods = await env.up('ipv6pods', { cluster: { ipFamily: IpFamily.IPV6 }, podNetwork: 'ipv6', replicas: 2, numHistoryShards: 16 });
    try {
      results.push(await runWorkflow(pods, 'ipv6pods', pods.serviceEndpoint('frontend'), env));
    } finally {
      await pods.down();
    }
  } finally {
    fs.writeFileSync(out, JSON.stringify(results, null, 1));
    await env.close();
  }
}

main(process.argv[2]).then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
