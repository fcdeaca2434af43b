/*
 * End-to-end: how the real server fetches the JWT key sets, from the manifest the library writes.
 *
 * The server builds its claim mapper, whose key provider fetches every key source at once, before
 * it starts the services it runs (cmd/server/main.go), and before it touches a database: a server
 * process of any role is watched fetching without PostgreSQL, and stopped once it has. What it
 * fetches with is Go's default HTTP client, which trusts the system roots alone: a key set served
 * under a private CA is reached only through `keySourceCa`, which the pod gets as a mounted file
 * and SSL_CERT_DIR. The test takes both from the Deployment as synthesized, moving the mount under
 * a folder of its own as the runner does.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { CertificateAuthority } from './certificates';
import { E2eTools, ensureTools } from './tools';
import { ConfigMapRef, Datastore, Persistence, SecretRef, TemporalCluster, TemporalVersion } from '../../lib';

let tools: E2eTools;
let dir: string;

beforeAll(() => {
  tools = ensureTools(TemporalVersion.DEFAULT);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'key-sources-'));
}, 20 * 60 * 1000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A key set server that counts the requests it answered (a failed TLS handshake answers none). */
async function keySetServer(tls?: { cert: string; key: string }): Promise<{ url: string; fetches: () => number; close: () => Promise<void> }> {
  let fetches = 0;
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/jwks.json`,
    fetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The config and a role's server container, as the app synthesizes them. */
function synth(authorization: ConstructorParameters<typeof TemporalCluster>[2]['authorization']) {
  const app = new App();
  const chart = new Chart(app, 'keys', { namespace: 'temporal', disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'persistence', {
    // Never reached: the key sets are fetched before the server opens a connection.
    defaultStore: Datastore.postgres({ host: '127.0.0.1', port: 1, database: 'temporal', user: 'temporal', password: SecretRef.of('db', 'password') }),
    visibilityStore: Datastore.postgres({ host: '127.0.0.1', port: 1, database: 'visibility', user: 'temporal', password: SecretRef.of('db', 'password') }),
  });
  const cluster = new TemporalCluster(chart, 'temporal', { numHistoryShards: 64, persistence, internalFrontend: {}, authorization });
  const pod = (role: string) => chart.toJson().find((o: any) => o.kind === 'Deployment' && o.metadata.name === `temporal-${role}`)!.spec.template.spec;
  return { config: cluster.serverConfig, container: (role: string) => pod(role).containers[0], volume: (role: string, name: string) => pod(role).volumes.find((v: any) => v.name === name) };
}

/** Starts one role's server process with the container's env, every mounted path moved under `podDir`. */
function startRole(config: string, container: any, role: string, podDir: string, files: Record<string, string>): { process: ChildProcess; log: () => string } {
  fs.mkdirSync(podDir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(podDir, file)), { recursive: true });
    fs.writeFileSync(path.join(podDir, file), text);
  }
  fs.writeFileSync(path.join(podDir, 'config.yaml'), config);
  const env: Record<string, string> = {
    PATH: process.env.PATH!, HOME: podDir, POD_IP: '127.0.0.1', TEMPORAL_NUM_HISTORY_SHARDS: '64', TEMPORAL_FAILOVER_VERSION_INCREMENT: '10',
    TEMPORAL_CURRENT_CLUSTER_NAME: 'active', TEMPORAL_DEFAULT_STORE_PASSWORD: 'unused', TEMPORAL_VISIBILITY_STORE_PASSWORD: 'unused',
  };
  for (const e of container.env as Array<{ name: string; value?: string }>) {
    if (e.name === 'SSL_CERT_DIR' && e.value) env[e.name] = e.value.replace('/etc/temporal/', `${podDir}/etc/temporal/`);
  }
  env.TEMPORAL_SERVICES = role;
  env.TEMPORAL_SERVER_CONFIG_FILE_PATH = path.join(podDir, 'config.yaml');
  let log = '';
  const child = spawn(tools.serverBin, ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  return { process: child, log: () => log };
}

/** Waits until the process has tried the key sets (its log says it failed, or the server counted a fetch), then stops it. */
async function firstFetch(run: { process: ChildProcess; log: () => string }, fetched: () => boolean): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !fetched() && !/token keys/.test(run.log()) && run.process.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  run.process.kill('SIGKILL');
  return run.log();
}

test('every role\'s server process fetches the key sets at start, not only the frontend\'s: restrictEgress opens their ports to every role', async () => {
  const keys = await keySetServer();
  try {
    const { config, container } = synth({ jwtKeySources: [keys.url], allowPlaintextKeySources: true, allowPlaintextTokens: true });
    for (const role of ['history', 'matching', 'worker', 'internal-frontend']) {
      const before = keys.fetches();
      const log = await firstFetch(startRole(config, container(role), role, path.join(dir, `plain-${role}`), {}), () => keys.fetches() > before);
      expect([role, keys.fetches() - before, log.match(/token keys[^\n]*/)?.[0]]).toEqual([role, 1, undefined]);
    }
  } finally {
    await keys.close();
  }
}, 5 * 60 * 1000);

test('a key set served under a private CA: refused by the system roots, fetched with keySourceCa mounted and in SSL_CERT_DIR', async () => {
  const ca = CertificateAuthority.create(dir, 'idp-ca');
  const leaf = ca.issue('idp', { usages: ['serverAuth'], ipAddresses: ['127.0.0.1'] });
  const keys = await keySetServer({ cert: leaf.cert, key: leaf.key });
  try {
    const without = synth({ jwtKeySources: [keys.url], allowPlaintextTokens: true });
    const refused = await firstFetch(startRole(without.config, without.container('history'), 'history', path.join(dir, 'no-ca'), {}), () => keys.fetches() > 0);
    expect(keys.fetches()).toBe(0);
    expect(refused).toMatch(/error during initial retrieval of token keys.*certificate signed by unknown authority/);

    // A Secret's key, or a ConfigMap's (a trust-manager Bundle's target), mounted alike.
    for (const [kind, keySourceCa] of [['secret', SecretRef.of('idp-ca', 'ca.crt')], ['configmap', ConfigMapRef.of('idp-bundle', 'trust-bundle.pem')]] as const) {
      const withCa = synth({ jwtKeySources: [keys.url], allowPlaintextTokens: true, keySourceCa });
      for (const role of ['frontend', 'history']) {
        const before = keys.fetches();
        const container = withCa.container(role);
        const mount = (container.volumeMounts as Array<{ name: string; mountPath: string }>).find((m) => m.name === 'key-source-ca')!;
        // The file where the kubelet writes it: the volume's item path, under the mount.
        const volume = withCa.volume(role, 'key-source-ca');
        const items: Array<{ key: string; path: string }> = (volume.secret ?? volume.configMap).items;
        expect(items.map((i) => i.key)).toEqual([keySourceCa.key]);
        const files = { [`${mount.mountPath}/${items[0].path}`]: ca.cert };
        const log = await firstFetch(startRole(withCa.config, container, role, path.join(dir, `ca-${kind}-${role}`), files), () => keys.fetches() > before);
        expect([kind, role, keys.fetches() - before, log.match(/token keys[^\n]*/)?.[0]]).toEqual([kind, role, 1, undefined]);
      }
    }
  } finally {
    await keys.close();
  }
}, 5 * 60 * 1000);
