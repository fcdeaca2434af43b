import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { cluster, find, objects, testChart } from './support/synth';
import { RemoteCluster, TemporalClusterProps } from '../lib';

const west: RemoteCluster = { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example.com:7233' };
const south: RemoteCluster = { name: 'south', initialFailoverVersion: 3, rpcAddress: '10.0.0.7:8233', enabled: false };

function registration(props: Partial<TemporalClusterProps> = {}) {
  const chart = testChart();
  const c = cluster(chart, { enableGlobalNamespace: true, remoteClusters: [west, south], ...props });
  return { c, chart, job: find(chart, 'Job', c.remoteClusterRegistration!.name) };
}

interface FakeCli {
  /** Lines the stand-in prints for `cluster list -o jsonl`. */
  readonly rows: string[];
  /** How many upserts fail with "the remote does not answer" before one succeeds. */
  readonly unreachableTimes?: number;
  /** An upsert error that is final. */
  readonly refusal?: string;
  /** Whether `upsert --help` mentions --enable-replication (CLI 1.7 and later). */
  readonly knowsReplicationFlag?: boolean;
}

/**
 * Runs the Job's real script with a stand-in `temporal` CLI that records each call's arguments,
 * separated by "|". `sleep` is a no-op so that waiting costs nothing.
 */
function runScript(command: string[], cli: FakeCli): { status: number | null; out: string; err: string; calls: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rc-'));
  const log = join(dir, 'calls');
  writeFileSync(join(dir, 'rows'), cli.rows.map((r) => `${r}\n`).join(''));
  writeFileSync(join(dir, 'temporal'), [
    '#!/bin/sh',
    `printf '%s|' "$@" >> ${log}; echo >> ${log}`,
    'case "$*" in',
    `  *"upsert --help"*) echo "  --frontend-address string"; echo "  --enable-connection"; ${cli.knowsReplicationFlag ? 'echo "  --enable-replication";' : ''} exit 0;;`,
    '  *"cluster upsert"*)',
    `    n=$(cat ${dir}/failures 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/failures`,
    `    if [ "$n" -lt ${cli.unreachableTimes ?? 0} ]; then echo "Error: unable to upsert cluster: Unable connect to remote cluster x:1 with error: connection refused." >&2; exit 1; fi`,
    cli.refusal ? `    echo "Error: unable to upsert cluster: ${cli.refusal}" >&2; exit 1;;` : '    echo "Upserted cluster"; exit 0;;',
    `  *"cluster list"*) cat ${dir}/rows; exit 0;;`,
    'esac',
    'exit 0',
  ].join('\n'));
  writeFileSync(join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'temporal'), 0o755);
  chmodSync(join(dir, 'sleep'), 0o755);
  try {
    const r = spawnSync(command[0], command.slice(1), { env: { PATH: `${dir}:/usr/bin:/bin`, TEMPORAL_ADDRESS: 'fe:7233' }, encoding: 'utf-8' });
    return { status: r.status, out: r.stdout, err: r.stderr, calls: readFileSync(log, 'utf-8').trim().split('\n') };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** One row as `temporal operator cluster list -o jsonl` prints it (protojson: int64 as a string). */
const row = (name: string, address: string, version: number) =>
  JSON.stringify({ clusterName: name, historyShardCount: 512, clusterId: 'c0ffee', address, initialFailoverVersion: String(version), isConnectionEnabled: true });
const rows = [row('temporal', 'temporal-frontend.temporal.svc.cluster.local:7233', 1), row('west', west.rpcAddress, 2), row('south', south.rpcAddress, 3)];

describe('RemoteClusterRegistration', () => {
  test('defaults', () => {
    expect(registration().job).toMatchSnapshot();
  });

  test('keeps only this cluster in the static clusterInformation', () => {
    const { c } = registration();
    expect(c.serverConfig).toMatch(/clusterInformation:\n\s+\{\{ env \"TEMPORAL_CURRENT_CLUSTER_NAME\" \| quote \}\}:\n\s+enabled: true\n\s+initialFailoverVersion: 1\n\s+rpcAddress: temporal-frontend.temporal.svc.cluster.local:7233\n\s+httpAddress: temporal-frontend.temporal.svc.cluster.local:7243\n(?!\s+\S+:\n\s+enabled)/);
    expect(c.serverConfig).not.toContain('west');
    expect(c.serverConfig).not.toContain('10.0.0.7');
    expect(c.serverConfig).toContain('masterClusterName: {{ env "TEMPORAL_CURRENT_CLUSTER_NAME" | quote }}');
  });

  test('never asks for remote-cluster authentication, which the stock server cannot provide (1.32: remoteClusterAuth.require needs a TokenProvider)', () => {
    const { c } = registration({ internalFrontend: {}, authorization: { jwtKeySources: ['https://idp.example.com/jwks.json'] } });
    expect(c.serverConfig).toContain('authorization:');
    expect(c.serverConfig).not.toMatch(/remoteClusterAuth|tokenProvider/i);
  });

  test('passes each remote as four arguments to the CLI through the frontend, never inside the script', () => {
    const { job, c } = registration();
    const container = job.spec.template.spec.containers[0];
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('remote-clusters');
    expect(container.image).toBe('temporalio/admin-tools:1.32.2');
    expect(container.env).toEqual([{ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress }]);
    expect(container.command.slice(3)).toEqual(['register-remote-clusters', 'west', west.rpcAddress, '2', 'true', 'south', south.rpcAddress, '3', 'false']);
    expect(container.command[2]).not.toContain('west');
  });

  test('the script waits for the frontend, upserts each remote with the connection flag given explicitly, and reports each', () => {
    const { status, out, calls } = runScript(registration().job.spec.template.spec.containers[0].command, { rows });
    expect(status).toBe(0);
    expect(calls).toEqual([
      'operator|cluster|health|--address|fe:7233|',
      'operator|cluster|upsert|--help|',
      `operator|cluster|upsert|--address|fe:7233|--frontend-address|${west.rpcAddress}|--enable-connection=true|`,
      'operator|cluster|list|--address|fe:7233|-o|jsonl|',
      `operator|cluster|upsert|--address|fe:7233|--frontend-address|${south.rpcAddress}|--enable-connection=false|`,
      'operator|cluster|list|--address|fe:7233|-o|jsonl|',
    ]);
    expect(out).toContain(`remote cluster west at ${west.rpcAddress}: registered, connection enabled: true, initial failover version 2`);
    expect(out).toContain(`remote cluster south at ${south.rpcAddress}: registered, connection enabled: false, initial failover version 3`);
  });

  test('the script also sets the replication flag when the CLI has it (1.7 and later)', () => {
    const { status, calls } = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers[0].command, { rows, knowsReplicationFlag: true });
    expect(status).toBe(0);
    expect(calls[2]).toBe(`operator|cluster|upsert|--address|fe:7233|--frontend-address|${west.rpcAddress}|--enable-connection=true|--enable-replication=true|`);
  });

  test('the script waits for a remote that does not answer yet', () => {
    const { status, out } = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers[0].command, { rows, unreachableTimes: 2 });
    expect(status).toBe(0);
    expect(out).toMatch(/waiting for remote cluster west at .* to answer \(attempt 1\): .*Unable connect to remote cluster/);
    expect(out).toContain('(attempt 2)');
    expect(out).toContain('registered');
  });

  describe('the script fails', () => {
    test('at once when the remote refuses for good (the server\'s own checks)', () => {
      const r = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers[0].command,
        { rows, refusal: 'Unable connect to remote cluster with invalid config: Cannot add remote cluster due to failover version increment mismatch.' });
      expect(r.status).toBe(1);
      expect(r.err).toMatch(/failed to register remote cluster west at .*: .*failover version increment mismatch/);
      expect(r.calls.filter((c) => c.includes('upsert|--address'))).toHaveLength(1);
    });
    test('when the cluster at the address has another name', () => {
      const r = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers[0].command, { rows: [row('east', west.rpcAddress, 2)] });
      expect(r.status).toBe(1);
      expect(r.err).toContain(`the cluster at ${west.rpcAddress} calls itself "east", but this cluster lists it as west`);
      expect(r.err).toContain('temporal operator cluster remove --name east');
    });
    test('when the remote has another initial failover version', () => {
      const r = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers[0].command, { rows: [row('west', west.rpcAddress, 5)] });
      expect(r.status).toBe(1);
      expect(r.err).toContain('has initial failover version 5, but this cluster lists it with 2');
    });
  });

  test('a changed list makes a new Job name; no Job without remote clusters', () => {
    const first = registration().c.remoteClusterRegistration!.name;
    expect(first).toMatch(/^temporal-remote-clusters-[0-9a-f]{8}$/);
    expect(registration({ remoteClusters: [west] }).c.remoteClusterRegistration!.name).not.toBe(first);
    expect(registration({ remoteClusters: [{ ...west, enabled: false }] }).c.remoteClusterRegistration!.name).not.toBe(first);
    const chart = testChart();
    expect(cluster(chart, { enableGlobalNamespace: true }).remoteClusterRegistration).toBeUndefined();
    expect(objects(chart).filter((o) => o.metadata?.labels?.['app.kubernetes.io/component'] === 'remote-clusters')).toEqual([]);
  });

  describe('fails when', () => {
    const bad = (props: Partial<TemporalClusterProps>) => () => cluster(testChart(), { enableGlobalNamespace: true, ...props });
    test('global namespaces are off', () => {
      expect(bad({ enableGlobalNamespace: false, remoteClusters: [west] })).toThrow(/remoteClusters is \["west"\]; expected no remote clusters while enableGlobalNamespace is false\. .*Set enableGlobalNamespace: true on every cluster/);
    });
    test('the master is another cluster', () => {
      expect(bad({ remoteClusters: [west], masterClusterName: 'west' })).toThrow(/masterClusterName is "west"; expected this cluster's own name \(temporal\)\. .*Master cluster is not specified in cluster info/);
    });
    test('an address is not host:port, whatever else it is', () => {
      for (const rpcAddress of ['', 'west', 'west:', 'west:0', 'west:70000', 'http://west:7233', 'west:7233/x', '-west:7233', 'we st:7233', 'west:7233;rm -rf /', '$(id):1']) {
        expect(bad({ remoteClusters: [{ ...west, rpcAddress }] })).toThrow(/remoteClusters\[0\].rpcAddress is .*; expected the host:port of the remote cluster's public frontend gRPC port/);
      }
      fc.assert(fc.property(fc.string(), (rpcAddress) => {
        fc.pre(!/^[a-zA-Z0-9.\-[\]:]+:\d+$/.test(rpcAddress));
        expect(bad({ remoteClusters: [{ ...west, rpcAddress }] })).toThrow(/rpcAddress is/);
      }), { numRuns: 100 });
      expect(bad({ remoteClusters: [{ ...west, rpcAddress: '[fd00::7]:7233' }] })).not.toThrow();
    });
    test('two remotes share an address', () => {
      expect(bad({ remoteClusters: [west, { ...south, rpcAddress: west.rpcAddress }] })).toThrow(/remoteClusters\[1\].rpcAddress is .*; expected an address no other remote cluster has; west already has it/);
    });
    test('a remote still carries httpAddress, which the server takes from the remote itself', () => {
      expect(bad({ remoteClusters: [{ ...west, httpAddress: 'west:7243' } as RemoteCluster] })).toThrow(/remoteClusters\[0\].httpAddress is "west:7243"; expected no value/);
    });
  });
});
