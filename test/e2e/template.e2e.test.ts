/*
 * End-to-end: the server's own template engine renders the config the library writes. Every value
 * a user gives that contains template syntax ("{{ env ... }}", "{{{") must reach the server as
 * the literal text it is, never as a template action, and the values the library does template
 * (credentials, the pod IP, the pinned values) must come from the env the pod gets.
 *
 * `temporal-server render-config` loads a config the way `start` does (common/config/loader.go:
 * the `# enable-template` header, sprig functions) and prints the result; it reads a config folder
 * and environment name rather than a file path, so the test lays the ConfigMap's file out that way.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { E2eTools, ensureTools } from './tools';
import { Datastore, Persistence, SecretRef, TemporalCluster, TemporalVersion } from '../../lib';

const HOSTILE = '{{ env "HOME" }}';
// A user name holds no spaces (the DSN would break): actions without them. On a MySQL store: a
// PostgreSQL user takes only the characters its connection URL reads in a user, so synth refuses braces there.
const HOSTILE_USER = 'owner{{env"HOME"}}{{.}}';

let tools: E2eTools;

beforeAll(() => {
  tools = ensureTools(TemporalVersion.DEFAULT);
}, 20 * 60 * 1000);

/** What `render-config` prints for `config`, with `env` as the pod's env. */
function renderWithServer(config: string, env: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-config-'));
  try {
    fs.writeFileSync(path.join(dir, 'render.yaml'), config);
    return execFileSync(tools.serverBin, ['--config', dir, '--env', 'render', 'render-config'], {
      encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/home/should-not-appear', ...env }, timeout: 60_000,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('values with template syntax reach the server literally, and the library\'s own templates read the pod\'s env', () => {
  const app = new App();
  const chart = new Chart(app, 'template', { namespace: 'temporal', disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'persistence', {
    defaultStore: Datastore.postgres({
      host: 'pg.db.svc', database: 'temporal', user: 'owner', password: SecretRef.of('db', 'password'),
      connectAttributes: { application_name: `temporal${HOSTILE}{{{` },
    }),
    visibilityStore: Datastore.mysql({ host: 'mysql.db.svc', database: 'visibility', user: HOSTILE_USER, password: SecretRef.of('db', 'password') }),
  });
  const cluster = new TemporalCluster(chart, 'temporal', {
    numHistoryShards: 64, failoverVersionIncrement: 100, clusterName: 'east', persistence,
    internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: [`https://idp.example.com/jwks.json?tenant={{env.HOME}}`] },
  });
  const out = renderWithServer(cluster.serverConfig, {
    POD_IP: '10.1.2.3',
    TEMPORAL_NUM_HISTORY_SHARDS: '64',
    TEMPORAL_FAILOVER_VERSION_INCREMENT: '100',
    TEMPORAL_CURRENT_CLUSTER_NAME: 'east',
    TEMPORAL_DEFAULT_STORE_PASSWORD: 'secret{{x}}',
    TEMPORAL_VISIBILITY_STORE_PASSWORD: 'other',
  });
  console.log(`render-config printed ${out.length} bytes`);
  expect(out).not.toContain('/home/should-not-appear');
  expect(out).toContain(`user: ${HOSTILE_USER}`);
  expect(out).toContain('temporal{{ env "HOME" }}{{{');
  expect(out).toContain(`tenant={{env.HOME}}`);
  expect(out).toMatch(/numHistoryShards: 64/);
  expect(out).toMatch(/failoverVersionIncrement: 100/);
  expect(out).toMatch(/currentClusterName: east/);
  expect(out).toMatch(/broadcastAddress: 10\.1\.2\.3/);
}, 2 * 60 * 1000);

test('a literal "{{" that escaped the library would stop the server: the check above can fail', () => {
  expect(() => renderWithServer('# enable-template\nlog:\n  level: "x{{y"\n', {})).toThrow();
});
