/*
 * End-to-end: the combination a production cluster uses, on the real server. Mutual TLS from
 * Secrets everywhere, an internal frontend (with its HTTP API on, which the server wraps in the
 * frontend's TLS), JWT authorization with a key set served on loopback, the namespace Job, the admin
 * tools (a command run as `kubectl exec` would run it) and the UI (its environment and files).
 *
 * Certificates, from three CAs so that a file mounted in the wrong place cannot verify by luck:
 *  - internode CA: the internode certificate (serverAuth + clientAuth), and the client certificates
 *    of the admin tools and the namespace Job, which talk to the internal frontend (internode TLS);
 *  - frontend CA: the frontend's server certificate, the SDK's client certificate and the UI's;
 *  - stranger CA: a client certificate nobody trusts.
 * Then the same cluster with the Secrets laid out as cert-manager writes them (one issuer, Secret
 * names from the Certificates), to show that layout runs too.
 */
import { Duration } from 'cdk8s';
import { Client, Connection } from '@temporalio/client';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { CertificateAuthority, IssuedCertificate, tlsSecret } from './certificates';
import { E2eEnvironment, greetThroughHistoryKill, MINUTE, NAMESPACE, SdkSession, statusOf, TASK_QUEUE } from './harness';
import { JwksServer } from './jwt';
import { ClusterRunner } from './runner';
import { greetAfterTimer } from './workflows';
import { CertificateSpecUsages } from '../../imports/cert-manager.io_certificates';
import { ClusterTls, IssuerKind, TemporalCluster, TemporalClusterProps } from '../../lib';

const env = E2eEnvironment.setUp();

const SECRETS = {
  internode: 'temporal-e2e-internode-tls',
  frontend: 'temporal-e2e-frontend-tls',
  clients: { ui: 'temporal-e2e-ui-tls', adminTools: 'temporal-e2e-admin-tools-tls', namespaceJob: 'temporal-e2e-namespace-job-tls' },
};
const INTERNAL_FRONTEND_PORTS = { grpcPort: 17236, membershipPort: 16936, httpPort: 17246 };
/** How long every pod must stay up after the cluster formed. */
const STRETCH_MS = 45_000;
const PERMISSION_DENIED = 7;

interface Pki {
  readonly frontendCa: CertificateAuthority;
  readonly internodeCa: CertificateAuthority;
  readonly internode: IssuedCertificate;
  readonly sdkClient: IssuedCertificate;
  readonly stranger: IssuedCertificate;
  readonly frontendServerName: string;
  readonly secrets: Record<string, Record<string, string>>;
}

function issue(dir: string, cluster: TemporalCluster): Pki {
  const internodeCa = CertificateAuthority.create(dir, 'internode-ca');
  const frontendCa = CertificateAuthority.create(dir, 'frontend-ca');
  const strangerCa = CertificateAuthority.create(dir, 'stranger-ca');
  const internode = internodeCa.issue('internode', { usages: ['serverAuth', 'clientAuth'], dnsNames: [cluster.internodeServerName] });
  const frontend = frontendCa.issue('frontend', { usages: ['serverAuth'], dnsNames: cluster.frontendDnsNames });
  return {
    frontendCa,
    internodeCa,
    internode,
    sdkClient: frontendCa.issue('sdk-client', { usages: ['clientAuth'] }),
    stranger: strangerCa.issue('stranger', { usages: ['clientAuth'] }),
    frontendServerName: cluster.frontendFqdn,
    secrets: {
      [SECRETS.internode]: tlsSecret(internode),
      [SECRETS.frontend]: tlsSecret(frontend),
      [SECRETS.clients.ui]: tlsSecret(frontendCa.issue('ui-client', { usages: ['clientAuth'] })),
      [SECRETS.clients.adminTools]: tlsSecret(internodeCa.issue('admin-tools-client', { usages: ['clientAuth'] })),
      [SECRETS.clients.namespaceJob]: tlsSecret(internodeCa.issue('namespace-job-client', { usages: ['clientAuth'] })),
    },
  };
}

/** The SDK's TLS options for the frontend, presenting `client` (nothing when null). */
function sdkTls(pki: Pki, client: IssuedCertificate | null = pki.sdkClient) {
  return {
    serverNameOverride: pki.frontendServerName,
    serverRootCACertificate: Buffer.from(pki.frontendCa.cert),
    clientCertPair: client ? { crt: Buffer.from(client.cert), key: Buffer.from(client.key) } : undefined,
  };
}

/** The props of the production combination, around whatever TLS the scenario uses. */
function productionProps(jwks: JwksServer, tls: ClusterTls): Partial<TemporalClusterProps> {
  return {
    tls,
    internalFrontend: { replicas: 1, ...INTERNAL_FRONTEND_PORTS },
    // The test's key set is served over loopback HTTP.
    authorization: { jwtKeySources: [jwks.url], allowPlaintextKeySources: true },
    ui: { replicas: 1, allowAnonymous: true },
    adminTools: {},
  };
}

describe('the production combination: mutual TLS, an internal frontend, JWT authorization, namespace Job, admin tools, UI', () => {
  let jwks: JwksServer;
  let pki: Pki;
  let cluster: TemporalCluster;
  let runner: ClusterRunner;
  let session: SdkSession;
  let formedAt: number;

  beforeAll(async () => {
    jwks = await JwksServer.start('127.0.0.1');
    runner = await env.up('production', {
      namespaces: [{ name: NAMESPACE, retention: Duration.days(1) }],
      cluster: productionProps(jwks, ClusterTls.fromSecrets({ internode: SECRETS.internode, frontend: SECRETS.frontend, clients: SECRETS.clients })),
      secrets: (c) => (pki = issue(path.join(env.workRoot, 'production-pki'), cluster = c)).secrets,
      timeoutMs: 4 * MINUTE,
    });
    formedAt = Date.now();
    session = await SdkSession.open(runner.endpoint('frontend').grpc, {
      tls: sdkTls(pki), register: false, metadata: { authorization: `Bearer ${jwks.token('e2e-worker', [`${NAMESPACE}:write`])}` },
    });
  }, 15 * MINUTE);

  afterAll(async () => {
    await session?.close();
    await runner?.down();
    await jwks?.close();
  }, 2 * MINUTE);

  it('forms: every role Ready (the internal frontend with its HTTPS API), and the namespace Job completed over mutual TLS', () => {
    expect(runner.roleNames).toEqual(['frontend', 'internal-frontend', 'history', 'matching', 'worker']);
    for (const role of runner.roleNames) expect([role, runner.readiness(role)?.probePassedAfterMs]).toEqual([role, expect.any(Number)]);
    expect(runner.namespaceJobNames).toHaveLength(1);
    expect(runner.containerLog(runner.namespaceJobNames[0], 'create-namespaces')).toContain(`namespace ${NAMESPACE} created`);
    expect(jwks.fetches()).toBeGreaterThan(0);
  });

  it('runs a workflow with a token over mutual TLS, through a SIGKILL of history during its timer', async () => {
    const { result, firedAt, killedAt } = await greetThroughHistoryKill(runner, session.client, 'production');
    expect(result).toBe('Hello, production after a 8000 ms timer');
    expect(firedAt).toBeGreaterThan(killedAt);
  }, 6 * MINUTE);

  it('refuses a caller without a client certificate, or from an untrusted CA', async () => {
    const address = runner.endpoint('frontend').grpc;
    for (const client of [null, pki.stranger]) {
      let error: Error | undefined;
      try {
        const c = await Connection.connect({ address, tls: sdkTls(pki, client), connectTimeout: '5 seconds' });
        await c.workflowService.getSystemInfo({});
        await c.close();
      } catch (err) {
        error = err as Error;
      }
      expect([client?.name ?? 'no certificate', error?.message]).toEqual([client?.name ?? 'no certificate', expect.any(String)]);
    }
  }, 2 * MINUTE);

  it('answers PERMISSION_DENIED without a token, with a token lacking the permission, or signed by another key', async () => {
    const address = runner.endpoint('frontend').grpc;
    // A token signed by another key is refused before any authorizer runs, already at the SDK's
    // connect (its GetSystemInfo); the others at the call itself.
    const as = (token: string | undefined) => statusOf(async () => {
      const connection = await Connection.connect({ address, tls: sdkTls(pki), metadata: token ? { authorization: `Bearer ${token}` } : {} });
      try {
        const client = new Client({ connection, namespace: NAMESPACE });
        await client.workflow.start(greetAfterTimer, { taskQueue: TASK_QUEUE, workflowId: `refused-${Date.now()}`, args: ['x', 1] });
      } finally {
        await connection.close();
      }
    });
    expect({
      noToken: await as(undefined),
      otherNamespace: await as(jwks.token('intruder', ['another-namespace:write'])),
      readOnly: await as(jwks.token('reader', [`${NAMESPACE}:read`])),
      foreignKey: await as(jwks.token('forger', [`${NAMESPACE}:admin`], { foreignKey: true })),
    }).toEqual({ noToken: PERMISSION_DENIED, otherNamespace: PERMISSION_DENIED, readOnly: PERMISSION_DENIED, foreignKey: PERMISSION_DENIED });
  }, 2 * MINUTE);

  it('the admin tools reach the cluster through the internal frontend with their own certificate, as kubectl exec would', async () => {
    const { code, output } = await runner.exec('temporal-e2e-admin-tools', ['temporal', 'operator', 'namespace', 'describe', '--namespace', NAMESPACE]);
    expect([code, output]).toEqual([0, expect.stringContaining(NAMESPACE)]);
    const health = await runner.exec('temporal-e2e-admin-tools', ['temporal', 'operator', 'cluster', 'health']);
    expect([health.code, health.output]).toEqual([0, expect.stringMatching(/SERVING/)]);
  }, 2 * MINUTE);

  it('the internal frontend serves its HTTP API to internal callers, presenting the internode certificate for the internode name', async () => {
    const { ip } = runner.endpoint('internal-frontend');
    const status = await new Promise<number>((resolve, reject) => {
      https.get({
        host: ip, port: INTERNAL_FRONTEND_PORTS.httpPort, path: '/api/v1/system-info', servername: cluster.internodeServerName,
        ca: pki.internodeCa.cert, cert: pki.internode.cert, key: pki.internode.key,
      }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
    });
    expect(status).toBe(200);
  }, MINUTE);

  it('the UI\'s environment names files its pod has, its own client certificate, and the frontend', () => {
    const { env: uiEnv, declaredEnv, mountedUnder } = runner.clientPod('temporal-e2e-ui');
    // TEMPORAL_ADDRESS, the frontend Service's name, lands on the Service's cluster IP, as in a pod.
    expect(uiEnv.TEMPORAL_ADDRESS).toBe(runner.serviceEndpoint('frontend'));
    expect(declaredEnv.TEMPORAL_TLS_SERVER_NAME).toBe(pki.frontendServerName);
    for (const name of ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']) {
      expect([name, fs.existsSync(uiEnv[name])]).toEqual([name, true]);
    }
    expect(fs.readFileSync(uiEnv.TEMPORAL_TLS_CERT, 'utf8')).toBe(pki.secrets[SECRETS.clients.ui]['tls.crt']);
    expect(fs.existsSync(mountedUnder('/etc/temporal/tls/internode/tls.key'))).toBe(false);
  });

  it('no role ends during a stretch of time after the cluster formed', async () => {
    const wait = STRETCH_MS - (Date.now() - formedAt);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    expect(Object.fromEntries(runner.roleNames.map((role) => [role, runner.alive(role)]))).toEqual(Object.fromEntries(runner.roleNames.map((role) => [role, true])));
  }, 2 * MINUTE);
});

describe('the same combination with Secrets laid out as cert-manager writes them (one issuer)', () => {
  it('forms, creates its namespace and runs a workflow with a token', async () => {
    const jwks = await JwksServer.start('127.0.0.1');
    let sdkClient: IssuedCertificate | undefined;
    let ca: CertificateAuthority | undefined;
    let frontendFqdn = '';
    const runner = await env.up('production-cm', {
      namespaces: [{ name: NAMESPACE, retention: Duration.days(1) }],
      cluster: productionProps(jwks, ClusterTls.certManager({ issuer: { name: 'e2e-ca', kind: IssuerKind.CLUSTER_ISSUER } })),
      secrets: (cluster) => {
        frontendFqdn = cluster.frontendFqdn;
        ca = CertificateAuthority.create(path.join(env.workRoot, 'production-cm-pki'), 'issuer');
        sdkClient = ca.issue('sdk-client', { usages: ['clientAuth'] });
        // What cert-manager writes for each Certificate the cluster emits: tls.crt, tls.key and the issuer's ca.crt.
        const usage = { [CertificateSpecUsages.SERVER_AUTH]: 'serverAuth', [CertificateSpecUsages.CLIENT_AUTH]: 'clientAuth' } as Record<string, 'serverAuth' | 'clientAuth'>;
        return Object.fromEntries(cluster.tls!.certificates.map((c) => [c.secretName, tlsSecret(ca!.issue(c.name, {
          usages: c.usages.map((u) => usage[u]).filter((u) => u !== undefined),
          dnsNames: c.dnsNames,
        }))]));
      },
      timeoutMs: 4 * MINUTE,
    });
    try {
      expect(runner.namespaceJobNames).toHaveLength(1);
      const session = await SdkSession.open(runner.endpoint('frontend').grpc, {
        register: false,
        tls: { serverNameOverride: frontendFqdn, serverRootCACertificate: Buffer.from(ca!.cert), clientCertPair: { crt: Buffer.from(sdkClient!.cert), key: Buffer.from(sdkClient!.key) } },
        metadata: { authorization: `Bearer ${jwks.token('e2e-worker', [`${NAMESPACE}:write`])}` },
      });
      try {
        const result = await session.client.workflow.execute(greetAfterTimer, { taskQueue: TASK_QUEUE, workflowId: `cm-${Date.now()}`, args: ['cert-manager', 1_000] });
        expect(result).toBe('Hello, cert-manager after a 1000 ms timer');
      } finally {
        await session.close();
      }
    } finally {
      await runner.down();
      await jwks.close();
    }
  }, 15 * MINUTE);
});
