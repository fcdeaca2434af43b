import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { ownStep } from './support/namespace-checks';
import { cluster, find, objects, testChart } from './support/synth';
import { parse } from 'yaml';
import { ClusterTls, RemoteCluster, RemoteClusterRegistration, ServicePorts, TemporalClusterProps } from '../lib';
import { canonicalHost } from '../lib/persistence/store-identity';

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
  /** A frontend address whose upserts never answer. */
  readonly silentAt?: string;
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
    `    case "$*" in *"--frontend-address ${cli.silentAt ?? '(none)'} "*) echo "Error: unable to upsert cluster: Unable connect to remote cluster x:1 with error: i/o timeout." >&2; exit 1;; esac`,
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

  test('fails when a RemoteClusterRegistration is built outside its cluster: its remotes would skip the cluster\'s and the app\'s checks', () => {
    const { c } = registration();
    const pod = {
      clusterName: 'temporal', namespace: 'temporal', labels: {}, image: 'temporalio/admin-tools:1.32.2', volumes: [], volumeMounts: [],
      serviceAccountName: 'temporal-jobs', imagePullSecrets: [], frontendAddress: 'temporal-frontend:7233',
    };
    const expected = /RemoteClusterRegistration 'rogue': remoteClusters is \[(.*)\]; expected the remote clusters a TemporalCluster resolves from its remoteClusters prop\. A registration Job outside its cluster/;
    // Hand-written remotes (an internal frontend of the app, say), the cluster's own list copied, and an empty list alike.
    const internal = { name: 'east', initialFailoverVersion: 2, rpcAddress: 'temporal-internal-frontend:7236', host: 'temporal-internal-frontend', enabled: true };
    expect(() => new RemoteClusterRegistration(testChart(), 'rogue', { ...pod, remoteClusters: [internal] })).toThrow(expected);
    expect(() => new RemoteClusterRegistration(testChart(), 'rogue', { ...pod, remoteClusters: c.remoteClusters })).toThrow(expected);
    expect(() => new RemoteClusterRegistration(testChart(), 'rogue', { ...pod, remoteClusters: [] })).toThrow(expected);
    // The cluster's own Job is built, with the remotes as arguments.
    expect(c.remoteClusterRegistration?.resource.toJson().spec.template.spec.containers.map(ownStep)[0].command.slice(3, 5)).toEqual(['register-remote-clusters', 'south']);
  });

  test('keeps only this cluster in the static clusterInformation', () => {
    const { c } = registration();
    expect(c.serverConfig).toMatch(/clusterInformation:\n\s+\{\{ env \"TEMPORAL_CURRENT_CLUSTER_NAME\" \| quote \}\}:\n\s+enabled: true\n\s+initialFailoverVersion: 1\n\s+rpcAddress: temporal-frontend.temporal.svc.cluster.local:7233\n\s+httpAddress: temporal-frontend.temporal.svc.cluster.local:7243\n(?!\s+\S+:\n\s+enabled)/);
    expect(c.serverConfig).not.toContain('west');
    expect(c.serverConfig).not.toContain('10.0.0.7');
    expect(c.serverConfig).toContain('masterClusterName: {{ env "TEMPORAL_CURRENT_CLUSTER_NAME" | quote }}');
  });

  test('is refused under authorization: the stock server attaches no token to its calls to a remote (1.32: remoteClusterAuth.require needs a TokenProvider), so the remote\'s authorizer would deny them', () => {
    expect(() => registration({ internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks.json'] } }))
      .toThrow(/remoteClusters is \["west","south"\]; expected no remote clusters while authorization is on/);
  });

  test('passes each remote as four arguments to the CLI through the frontend, never inside the script', () => {
    const { job, c } = registration();
    const container = job.spec.template.spec.containers.map(ownStep)[0];
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('remote-clusters');
    expect(container.image).toBe('temporalio/admin-tools:1.32.2');
    expect(container.env).toEqual([{ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress }]);
    // In name order, whatever the app's.
    expect(container.command.slice(3)).toEqual(['register-remote-clusters', 'south', south.rpcAddress, '3', 'false', 'west', west.rpcAddress, '2', 'true']);
    expect(container.command[2]).not.toContain('west');
  });

  test('the script waits for the frontend, upserts each remote with the connection flag given explicitly, and reports each', () => {
    const { status, out, calls } = runScript(registration().job.spec.template.spec.containers.map(ownStep)[0].command, { rows });
    expect(status).toBe(0);
    expect(calls).toEqual([
      'operator|cluster|health|--address|fe:7233|',
      'operator|cluster|upsert|--help|',
      `operator|cluster|upsert|--address|fe:7233|--frontend-address|${south.rpcAddress}|--enable-connection=false|`,
      'operator|cluster|list|--address|fe:7233|-o|jsonl|',
      `operator|cluster|upsert|--address|fe:7233|--frontend-address|${west.rpcAddress}|--enable-connection=true|`,
      'operator|cluster|list|--address|fe:7233|-o|jsonl|',
    ]);
    expect(out).toContain(`remote cluster west at ${west.rpcAddress}: registered, connection enabled: true, initial failover version 2`);
    expect(out).toContain(`remote cluster south at ${south.rpcAddress}: registered, connection enabled: false, initial failover version 3`);
  });

  test('the script also sets the replication flag when the CLI has it (1.7 and later)', () => {
    const { status, calls } = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command, { rows, knowsReplicationFlag: true });
    expect(status).toBe(0);
    expect(calls[2]).toBe(`operator|cluster|upsert|--address|fe:7233|--frontend-address|${west.rpcAddress}|--enable-connection=true|--enable-replication=true|`);
  });

  test('fails when a remote that never answers holds up the remotes after it: each other one is registered, then the Job fails naming it', () => {
    // Before: the script gave up on the first silent remote with exit 1, and the remotes after it (in name order) were never registered.
    const north: RemoteCluster = { name: 'north', initialFailoverVersion: 4, rpcAddress: 'north.example.com:7233', enabled: false };
    const command = registration({ remoteClusters: [west, north, south] }).job.spec.template.spec.containers.map(ownStep)[0].command;
    const r = runScript(command, { rows: [...rows, row('north', north.rpcAddress, 4)], silentAt: north.rpcAddress });
    expect(r.status).toBe(1);
    expect(r.err).toContain(`gave up: remote cluster north at ${north.rpcAddress} did not answer`);
    for (const remote of [south, west]) expect(r.out).toContain(`remote cluster ${remote.name} at ${remote.rpcAddress}: registered`);
    expect(r.err).toMatch(/remote clusters that did not answer, left as they were \(the others are registered\): north; the Job fails so that it runs again$/m);
    expect(r.calls.filter((c) => c.includes(`--frontend-address|${north.rpcAddress}|`))).toHaveLength(120);
  });

  test('the script waits for a remote that does not answer yet', () => {
    const { status, out } = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command, { rows, unreachableTimes: 2 });
    expect(status).toBe(0);
    expect(out).toMatch(/waiting for remote cluster west at .* to answer \(attempt 1\): .*Unable connect to remote cluster/);
    expect(out).toContain('(attempt 2)');
    expect(out).toContain('registered');
  });

  describe('the script fails', () => {
    test('at once when the remote refuses for good (the server\'s own checks)', () => {
      const r = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command,
        { rows, refusal: 'Unable connect to remote cluster with invalid config: Cannot add remote cluster due to failover version increment mismatch.' });
      expect(r.status).toBe(1);
      expect(r.err).toMatch(/failed to register remote cluster west at .*: .*failover version increment mismatch/);
      expect(r.calls.filter((c) => c.includes('upsert|--address'))).toHaveLength(1);
    });
    test('when the cluster at the address has another name', () => {
      const r = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command, { rows: [row('east', west.rpcAddress, 2)] });
      expect(r.status).toBe(1);
      expect(r.err).toContain(`the cluster at ${west.rpcAddress} calls itself "east", but this cluster lists it as west`);
      expect(r.err).toContain('temporal operator cluster remove --name east');
    });
    test('when a registration is left at the address from a cluster no longer there (a remote renamed or rebuilt in place), whichever row the list prints first', () => {
      // Passed before when the new row came first; with the old row first, it said the cluster calls itself by the old name.
      const command = registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command;
      for (const listed of [[row('west-old', west.rpcAddress, 4), row('west', west.rpcAddress, 2)], [row('west', west.rpcAddress, 2), row('west-old', west.rpcAddress, 4)]]) {
        const r = runScript(command, { rows: [rows[0], ...listed] });
        expect(r.status).toBe(1);
        expect(r.err).toContain(`remote cluster west at ${west.rpcAddress}: registered, but this cluster also has a registration left at that address from a cluster that is no longer there`);
        expect(r.err).toContain(': west-old. Its servers would keep dialing it there, and reach west. Remove each with: temporal operator cluster remove --name <name>');
      }
      // Two rows at the address, neither of the declared name: both named.
      const r = runScript(command, { rows: [row('a', west.rpcAddress, 4), row('b', west.rpcAddress, 2)] });
      expect(r.status).toBe(1);
      expect(r.err).toContain(`the clusters registered at ${west.rpcAddress} are a b, none of them west`);
      // Rows at other addresses are other remotes.
      expect(runScript(command, { rows: [...rows, row('north', 'north.example.com:7233', 4)] }).status).toBe(0);
    });
    test('when the cluster list shows no cluster at the address (the list failed, or names it otherwise): it says so, not that the remote calls itself ""', () => {
      // Before: 'the cluster at ... calls itself "", ...remove the wrong registration with: temporal operator cluster remove --name ' (no name).
      const command = registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command;
      for (const listed of [['Error: unable to list clusters: context deadline exceeded'], [rows[0]]]) {
        const r = runScript(command, { rows: listed });
        expect([r.status, r.err]).toEqual([1, expect.stringContaining(`remote cluster west at ${west.rpcAddress}: the upsert passed, but temporal operator cluster list shows no cluster at that address`)]);
        expect(r.err).toContain(`(its last line: ${listed[listed.length - 1]}); run the Job again once the frontend answers`);
        expect(r.err).not.toContain('calls itself');
      }
    });
    test('at once on a failover version conflict, naming the stale registration a renamed remote leaves as a cause', () => {
      const r = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command,
        { rows, refusal: 'Unable connect to remote cluster with invalid config: Cannot add remote cluster due to initial failover version conflict.' });
      expect(r.status).toBe(1);
      expect(r.err).toMatch(/failed to register remote cluster west at .*initial failover version conflict.*has initial failover version 2: a remote renamed or rebuilt, whose old registration is left \(remove it with: temporal operator cluster remove --name <name>, once no global namespace lists it/);
    });
    test('fails when a removal it prescribes leaves out narrowing the namespaces first (1.32 refuses to remove a cluster a global namespace of both lists)', () => {
      // Before: each message said only "temporal operator cluster remove --name <name>", which the server refuses
      // ("cannot remove cluster ...: still referenced by namespace ...") while a global namespace of both lists the cluster.
      const command = registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command;
      const narrow = 'once no global namespace lists it (the server refuses before: take it out of each with temporal operator namespace update --namespace <namespace> --cluster <each cluster kept>)';
      const cases: FakeCli[] = [
        { rows: [row('east', west.rpcAddress, 2)] },
        { rows: [row('west-old', west.rpcAddress, 4), row('west', west.rpcAddress, 2)] },
        { rows: [row('a', west.rpcAddress, 4), row('b', west.rpcAddress, 2)] },
        { rows, refusal: 'Cannot add remote cluster due to initial failover version conflict.' },
      ];
      for (const cli of cases) {
        const r = runScript(command, cli);
        expect([r.status, r.err]).toEqual([1, expect.stringContaining(`temporal operator cluster remove --name ${cli.rows[0].startsWith('{"clusterName":"east"') ? 'east' : '<name>'}, ${narrow}`)]);
      }
    });
    test('when the remote has another initial failover version', () => {
      const r = runScript(registration({ remoteClusters: [west] }).job.spec.template.spec.containers.map(ownStep)[0].command, { rows: [row('west', west.rpcAddress, 5)] });
      expect(r.status).toBe(1);
      expect(r.err).toContain('has initial failover version 5, but this cluster lists it with 2');
    });
  });

  test('fails when the same remotes listed in another order name another Job (and run it again): the args are in one order', () => {
    const remotes = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), enabled: fc.boolean() }), { selector: (r) => r.name, minLength: 2, maxLength: 4 })
      .filter((list) => !list.some((r) => r.name === 'active'))
      .map((list) => list.map((r, i): RemoteCluster => ({ ...r, initialFailoverVersion: i + 2, rpcAddress: `temporal-frontend.${r.name}.example.com:7233` })));
    fc.assert(fc.property(remotes, fc.nat(), (list, seed) => {
      const shuffled = list.map((_, i) => list[(i + seed) % list.length]).reverse();
      const of = (remoteClusters: RemoteCluster[]) => {
        const { job, c } = registration({ remoteClusters });
        return { name: c.remoteClusterRegistration!.name, command: job.spec.template.spec.containers.map(ownStep)[0].command };
      };
      expect(of(shuffled)).toEqual(of(list));
      expect(of(list.slice(1)).name).not.toBe(of(list).name);
    }), { numRuns: 20 });
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
    test('an address with a scheme, a path, spaces, a trailing dot, an unbracketed IPv6 host or no port names the address it most likely means', () => {
      // Refused before with a generic remedy ("give an address they can reach"), naming no fix.
      const host = fc.constantFrom('west.example.com', 'temporal-frontend.west', '10.1.2.3', 'fd00::5');
      const mistakes = fc.record({ scheme: fc.constantFrom('', 'dns:///', 'https://', 'grpc://'), path: fc.constantFrom('', '/', '/api/v1'),
        space: fc.constantFrom('', ' '), dot: fc.boolean(), port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), brackets: fc.boolean() });
      fc.assert(fc.property(host, mistakes, (h, m) => {
        const ipv6 = h.includes(':');
        const written = ipv6 && m.brackets ? `[${h}]` : !ipv6 && !/^\d/.test(h) && m.dot ? `${h}.` : h;
        const rpcAddress = `${m.space}${m.scheme}${written}${m.port === undefined ? '' : `:${m.port}`}${m.path}${m.space}`;
        const meant = `${ipv6 ? `[${h}]` : h}:${m.port ?? 7233}`;
        fc.pre(rpcAddress !== meant);
        expect(bad({ remoteClusters: [{ ...west, rpcAddress }] })).toThrow(`remoteClusters[0].rpcAddress is ${JSON.stringify(rpcAddress)}; expected the host:port of the remote cluster's public frontend gRPC port`);
        expect(bad({ remoteClusters: [{ ...west, rpcAddress }] })).toThrow(`Give "${meant}"${m.port === undefined ? ' (7233 is the frontend\'s default gRPC port' : ipv6 && !m.brackets ? ` (if ${m.port} is the port` : ':'}`);
      }), { seed: 2207, numRuns: 80 });
      // No guess where none is sure: the generic remedy.
      expect(bad({ remoteClusters: [{ ...west, rpcAddress: 'we st:7233' }] })).toThrow(/give an address they can reach\.$/);
    });
    test('an address on the pod\'s loopback, in any spelling, at a port of this cluster\'s own servers: each pod would dial itself', () => {
      // Passed: the registration Job waited for its own frontend, which then refused "Cannot update current cluster metadata from rpc calls".
      const loopback = fc.oneof(
        fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.integer({ min: 1, max: 254 })).map(([a, b, c]) => `127.${a}.${b}.${c}`),
        fc.constantFrom('localhost', 'LOCALHOST', 'ip6-localhost', 'ip6-loopback', 'temporal.localhost', '[::1]', '[0:0:0:0:0:0:0:1]', '0.0.0.0', '[::]'),
      );
      const ROLE_PORTS = [7233, 7234, 7235, 7239, 6933, 6934, 6935, 6939, 7243];
      fc.assert(fc.property(loopback, fc.constantFrom(0, 1, 1000), fc.constantFrom(...ROLE_PORTS, 9090, 7236, 15001), fc.boolean(), (host, offset, base, second) => {
        const port = base === 9090 || base === 15001 ? base : base + offset;
        const own = base !== 15001 && !(base === 7236);
        const remotes = [...(second ? [south] : []), { ...west, rpcAddress: `${host}:${port}` }];
        const build = bad({ ports: ServicePorts.offset(offset), remoteClusters: remotes });
        if (own) {
          expect(build).toThrow(new RegExp(`remoteClusters\\[${remotes.length - 1}\\]\\.rpcAddress is "${host.replace(/[.[\]]/g, '\\$&')}:${port}"; expected the address of another cluster's frontend; `
            + `on the pod's loopback, ${port} is (the \\S+ \\S+ port|metricsPort) of this cluster\\. Each server pod dials it on its own loopback, where it reaches this cluster itself`));
        } else {
          // Another port may be a tunnel's (a sidecar; processes sharing one host, as the e2e tests run them).
          expect(build).not.toThrow();
        }
      }), { seed: 2207, numRuns: 120 });
    });
    test('two remotes share an address, however it is written (host case, IPv6 spelling)', () => {
      expect(bad({ remoteClusters: [west, { ...south, rpcAddress: west.rpcAddress }] })).toThrow(/remoteClusters\[1\].rpcAddress is .*; expected an address no other remote cluster has; west already has it/);
      // Fails when the address is written another way: the host in another case, an IPv6 address spelled out.
      expect(bad({ remoteClusters: [west, { ...south, rpcAddress: west.rpcAddress.toUpperCase() }] })).toThrow(/remoteClusters\[1\].rpcAddress is .*; expected an address no other remote cluster has; west already has it/);
      expect(bad({ remoteClusters: [{ ...west, rpcAddress: '[fd00::1]:7233' }, { ...south, rpcAddress: '[FD00:0:0:0:0:0:0:1]:7233' }] }))
        .toThrow(/remoteClusters\[1\].rpcAddress is "\[FD00:0:0:0:0:0:0:1\]:7233"; expected an address no other remote cluster has; west already has it/);
    });
    test('two remotes share an address, one written relative and one fully qualified (search path, case, the cluster\'s own domain)', () => {
      const twice = (a: string, b: string, props: Partial<TemporalClusterProps> = {}) =>
        bad({ ...props, remoteClusters: [{ ...west, rpcAddress: a }, { ...south, rpcAddress: b }] });
      const same = /remoteClusters\[1\].rpcAddress is "[^"]+"; expected an address no other remote cluster has; west already has it/;
      const error = (f: () => unknown) => {
        try {
          f();
          return 'no error';
        } catch (e) {
          return (e as Error).message;
        }
      };
      for (const [a, b] of [
        ['temporal-frontend.ns:7233', 'temporal-frontend.ns.svc.cluster.local:7233'],
        ['temporal-frontend.ns:7233', 'temporal-frontend.ns.svc:7233'],
        ['temporal-frontend.ns.svc:7233', 'TEMPORAL-FRONTEND.NS.SVC.CLUSTER.LOCAL:7233'],
        ['Temporal-Frontend.ns.svc.cluster.local:7233', 'temporal-frontend.ns:7233'],
        // One label is a Service of the cluster's own namespace (the chart's, "temporal").
        ['temporal-frontend:7233', 'temporal-frontend.temporal.svc.cluster.local:7233'],
        ['west.example.com:7233', 'WEST.example.com:7233'],
      ]) {
        expect([a, b, error(twice(a, b))]).toEqual([a, b, expect.stringMatching(same)]);
      }
      // The cluster's own DNS domain, as clusterDomain names it.
      expect(twice('temporal-frontend.ns:7233', 'temporal-frontend.ns.svc.corp.internal:7233', { clusterDomain: 'corp.internal' })).toThrow(same);
      // The same reading for the spellings rpcAddress refuses before (a trailing dot), pods and addresses.
      const dns = { namespace: 'temporal', clusterDomain: 'cluster.local' };
      expect(['x.ns', 'x.ns.svc', 'X.NS.SVC.CLUSTER.LOCAL.', 'x.ns.svc.cluster.local'].map((h) => canonicalHost(h, dns))).toEqual(Array(4).fill('service:x.ns'));
      expect(['x', 'x.temporal.svc.cluster.local.'].map((h) => canonicalHost(h, dns))).toEqual(['service:x.temporal', 'service:x.temporal']);
      expect(['pg-0.pg.ns.svc', 'pg-0.pg.ns.svc.cluster.local.', 'pg-1.pg.ns.svc'].map((h) => canonicalHost(h, dns))).toEqual(['pod:pg-0.pg.ns', 'pod:pg-0.pg.ns', 'pod:pg-1.pg.ns']);
      expect(['10-0-0-5.ns.pod.cluster.local', '10.0.0.5', '[FD00::1]', 'fd00:0::1', 'x.ns.', 'west.example.com.'].map((h) => canonicalHost(h, dns)))
        .toEqual(['10.0.0.5', '10.0.0.5', 'fd00::1', 'fd00::1', 'x.ns', 'west.example.com']);
      // A trailing dot is refused before: rpcAddress takes a name without one.
      expect(twice('temporal-frontend.ns:7233', 'temporal-frontend.ns.svc.cluster.local.:7233')).toThrow(/remoteClusters\[1\].rpcAddress is .*; expected the host:port/);
      // Other ports, other Services, and a domain that is not the cluster's are other addresses.
      for (const [a, b, props] of [
        ['temporal-frontend.ns:7233', 'temporal-frontend.ns.svc.cluster.local:8233', {}],
        ['temporal-frontend.ns:7233', 'temporal-frontend.other.svc.cluster.local:7233', {}],
        ['temporal-frontend.ns:7233', 'temporal-frontend.ns.example.com:7233', {}],
        ['temporal-frontend.ns:7233', 'temporal-frontend.ns.svc.cluster.local:7233', { clusterDomain: 'corp.internal' }],
      ] as const) {
        expect([a, b, error(twice(a, b, props))]).toEqual([a, b, 'no error']);
      }
    });
    test('a remote still carries httpAddress, which the server takes from the remote itself', () => {
      expect(bad({ remoteClusters: [{ ...west, httpAddress: 'west:7243' } as RemoteCluster] })).toThrow(/props\.remoteClusters\[0\]\.httpAddress is not a prop of RemoteCluster: .* The server takes a remote cluster's HTTP address from the remote itself when it is registered; remove httpAddress\.$/);
    });
  });
  describe('TLS towards remote clusters', () => {
    const tlsWest: RemoteCluster = { ...west, tls: { caSecret: 'west-ca', clientCertificateSecret: 'east-to-west' } };
    const localTls = ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', requireClientAuth: false });
    /** The server config as the server reads it: the library's template actions are not YAML, so only global.tls is parsed. */
    const globalTls = (serverConfig: string) => {
      const start = serverConfig.indexOf('\n  tls:\n');
      expect(start).toBeGreaterThan(0);
      const section = serverConfig.slice(start + 1).split('\n');
      const end = section.findIndex((line, i) => i > 0 && !line.startsWith('    '));
      return parse(section.slice(0, end).join('\n')).tls;
    };
    const volumesOf = (chart: ReturnType<typeof testChart>, name: string) => {
      const spec = find(chart, 'Deployment', name).spec.template.spec;
      return { volumes: spec.volumes ?? [], mounts: spec.containers[0].volumeMounts ?? [] };
    };

    test('each remote\'s CA and the certificate presented to it are written under the host the servers dial, with its name to verify', () => {
      const { c } = registration({ tls: localTls, remoteClusters: [tlsWest, { ...south, tls: { caSecret: 'south-ca', serverName: 'south.example.com' } }] });
      const tls = globalTls(c.serverConfig);
      expect(tls.remoteClusters).toEqual({
        'temporal-frontend.west.example.com': {
          server: { certFile: '/etc/temporal/tls/remote-clusters/west/client/tls.crt', keyFile: '/etc/temporal/tls/remote-clusters/west/client/tls.key', requireClientAuth: true },
          client: { serverName: 'temporal-frontend.west.example.com', rootCaFiles: ['/etc/temporal/tls/remote-clusters/west/ca/ca.crt'] },
        },
        '10.0.0.7': { client: { serverName: 'south.example.com', rootCaFiles: ['/etc/temporal/tls/remote-clusters/south/ca/ca.crt'] } },
      });
      // This cluster's own TLS is untouched.
      expect(tls.internode.server.certFile).toBe('/etc/temporal/tls/internode/tls.crt');
    });

    test('the roles that dial a remote mount its CA and the client certificate, only those keys; matching and the client pods do not', () => {
      const { c, chart } = registration({ tls: localTls, internalFrontend: {}, remoteClusters: [tlsWest], ui: { allowAnonymous: true }, adminTools: {} });
      const dialers = [c.frontend, c.internalFrontend!, c.history, c.worker];
      expect(dialers.length).toBe(4);
      for (const svc of dialers) {
        const { volumes, mounts } = volumesOf(chart, svc.name);
        expect(volumes).toContainEqual({ name: 'tls-remote-0-ca', secret: { secretName: 'west-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 } });
        expect(volumes).toContainEqual({ name: 'tls-remote-0-client', secret: { secretName: 'east-to-west', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } });
        expect(mounts).toContainEqual({ name: 'tls-remote-0-ca', mountPath: '/etc/temporal/tls/remote-clusters/west/ca', readOnly: true });
        expect(mounts).toContainEqual({ name: 'tls-remote-0-client', mountPath: '/etc/temporal/tls/remote-clusters/west/client', readOnly: true });
      }
      const others = objects(chart).filter((o) => o.kind === 'Deployment' && !dialers.some((d) => d.name === o.metadata.name));
      expect(others.map((o) => o.metadata.labels['app.kubernetes.io/component']).sort()).toEqual(['admin-tools', 'matching', 'ui']);
      for (const o of others) expect(JSON.stringify(o)).not.toMatch(/east-to-west|west-ca/);
    });

    test('a cluster without TLS of its own still dials a TLS remote with TLS', () => {
      const { c } = registration({ remoteClusters: [{ ...west, tls: { caSecret: 'west-ca' } }] });
      const tls = globalTls(c.serverConfig);
      expect(tls.internode).toBeUndefined();
      expect(tls.frontend).toBeUndefined();
      expect(tls.refreshInterval).toBe('30m');
      expect(Object.keys(tls.remoteClusters)).toEqual(['temporal-frontend.west.example.com']);
    });

    test('a plaintext remote from a TLS cluster passes only when declared, and then writes no TLS for it', () => {
      const { c } = registration({ tls: localTls, remoteClusters: [{ ...west, allowPlaintext: true }] });
      expect(globalTls(c.serverConfig).remoteClusters).toBeUndefined();
    });

    test('under mutual TLS the registration Job presents the namespace Job\'s client certificate, and a cluster without one is refused', () => {
      const mtls = (clients?: { namespaceJob: string }) => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', requireClientAuth: true, clients });
      const { job } = registration({ tls: mtls({ namespaceJob: 'jobs-client-tls' }), remoteClusters: [tlsWest] });
      const spec = job.spec.template.spec;
      expect(spec.volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'jobs-client-tls' }) }));
      const env = spec.containers[0].env.map((e: { name: string }) => e.name);
      expect(env).toEqual(expect.arrayContaining(['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH']));
      expect(() => registration({ tls: mtls(), remoteClusters: [tlsWest] })).toThrow(/tls.clients.namespaceJob is undefined; expected the name of a kubernetes.io\/tls Secret/);
    });

    describe('fails when', () => {
      const bad = (props: Partial<TemporalClusterProps>) => () => cluster(testChart(), { enableGlobalNamespace: true, ...props });
      test('this cluster uses TLS and a remote has none, by omission or by an empty object', () => {
        expect(bad({ tls: localTls, remoteClusters: [west] })).toThrow(/remoteClusters\[0\].tls is undefined; expected the remote frontend's CA .*since this cluster uses TLS\. Give remoteClusters\[0\].tls: \{ caSecret: \.\.\. \}, or set remoteClusters\[0\].allowPlaintext: true/);
        expect(bad({ tls: ClusterTls.fromSecrets({ internode: 'internode-tls' }), remoteClusters: [{ ...west, allowPlaintext: false }] })).toThrow(/remoteClusters\[0\].tls is undefined/);
        expect(bad({ tls: localTls, remoteClusters: [{ ...west, tls: {} as never }] })).toThrow(/remoteClusters\[0\].tls.caSecret is undefined; expected a DNS-1123 subdomain/);
      });
      test('tls and allowPlaintext are both given', () => {
        expect(bad({ remoteClusters: [{ ...tlsWest, allowPlaintext: true }] })).toThrow(/remoteClusters\[0\].allowPlaintext is true; expected false or unset when tls is given/);
      });
      test('a Secret name or the server name is not one', () => {
        expect(bad({ remoteClusters: [{ ...west, tls: { caSecret: 'West_CA' } }] })).toThrow(/remoteClusters\[0\].tls.caSecret is "West_CA"; expected a DNS-1123 subdomain/);
        expect(bad({ remoteClusters: [{ ...west, tls: { caSecret: 'ca', clientCertificateSecret: '' } }] })).toThrow(/remoteClusters\[0\].tls.clientCertificateSecret is ""/);
        expect(bad({ remoteClusters: [{ ...west, tls: { caSecret: 'ca', serverName: 'west example' } }] })).toThrow(/remoteClusters\[0\].tls.serverName is "west example"; expected a DNS name or an IP address/);
      });
      test('two remotes on one host disagree on TLS, which the server keys by host', () => {
        const sameHost = { ...south, rpcAddress: 'temporal-frontend.west.example.com:8233' };
        expect(bad({ remoteClusters: [tlsWest, { ...sameHost, tls: { caSecret: 'other-ca' } }] })).toThrow(/remoteClusters\[1\].tls is .*; expected the same TLS settings as west, which is on the same host temporal-frontend.west.example.com/);
        expect(bad({ remoteClusters: [tlsWest, sameHost] })).toThrow(/remoteClusters\[1\].tls is "none"/);
        expect(bad({ remoteClusters: [tlsWest, { ...sameHost, tls: tlsWest.tls }] })).not.toThrow();
      });
    });
  });
});
