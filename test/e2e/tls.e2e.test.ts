/*
 * End-to-end with TLS: the e2e app with `ClusterTls.fromSecrets`, run by the runner as real server
 * processes that read the certificates from the Secret volumes the manifest mounts, and driven
 * over mutual TLS with the TypeScript SDK.
 *
 * The certificates, made with openssl for the very cluster object that is synthesized:
 *  - internode CA -> internode certificate: serverAuth + clientAuth, one SAN, DNS
 *    `cluster.internodeServerName`, and deliberately no IP SAN. The roles dial each other at
 *    127.0.0.N, so the cluster only forms because the server verifies the configured serverName,
 *    never the address it dials (Go's tls.Config.ServerName, set from internode.client.serverName).
 *  - frontend CA -> frontend server certificate (serverAuth, SANs `cluster.frontendDnsNames`) and
 *    the SDK's client certificate (clientAuth): the library trusts clients signed by the frontend
 *    Secret's CA.
 *  - system-worker CA -> the client certificate every role presents to the frontend (clientAuth). A CA of its own, so the
 *    system workers reach the frontend only if the library lists the system-worker Secret's CA
 *    among the frontend's client CAs and hands the worker that certificate.
 * Three CAs rather than one: with a single CA, a Secret mounted in the wrong place, or a CA file
 * pointing at the wrong Secret, would still verify.
 * The membership (ringpop) ports serve TLS too, by default under tls (membershipTls): each role's
 * answers a TChannel peer only over TLS with the internode certificate, and a workflow runs only
 * once the ring formed over it.
 */
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import { Client, Connection } from '@temporalio/client';
import { CertificateAuthority, describeCertificate, IssuedCertificate, tlsSecret } from './certificates';
import { HealthClient, HealthTls, SERVING } from './grpc-health';
import { E2eEnvironment, greet, MINUTE, NAMESPACE, SdkSession } from './harness';
import { ClusterRunner, TlsHealthCheck } from './runner';
import { ClusterLock, ClusterTls, ROLE_FACTS, ServiceRole, TemporalCluster } from '../../lib';
import { pollUntil } from '../support/processes';

/** The Secrets the manifest mounts; the test fills them with the certificates below. */
const SECRETS = { internode: 'temporal-e2e-internode-tls', frontend: 'temporal-e2e-frontend-tls', systemWorker: 'temporal-e2e-system-worker-tls' };
/** Bound of a connection attempt that is meant to be refused. */
const REFUSAL_TIMEOUT = '5 seconds';

const env = E2eEnvironment.setUp();

/** Everything a test needs to reach the cluster: the CAs, certificates, and the names they carry. */
interface Pki {
  readonly internodeCa: CertificateAuthority;
  readonly frontendCa: CertificateAuthority;
  readonly internode: IssuedCertificate;
  readonly frontend: IssuedCertificate;
  readonly systemWorker: IssuedCertificate;
  /** The SDK's client certificate (test client and worker). */
  readonly sdkClient: IssuedCertificate;
  /** A client certificate from a CA the frontend does not trust for clients (the internode CA). */
  readonly stranger: IssuedCertificate;
  readonly internodeServerName: string;
  /** The host of `cluster.frontend.grpcAddress`, the name clients dial and verify. */
  readonly frontendServerName: string;
}

function issueCertificates(dir: string, cluster: TemporalCluster): Pki {
  const internodeCa = CertificateAuthority.create(dir, 'internode-ca');
  const frontendCa = CertificateAuthority.create(dir, 'frontend-ca');
  const systemWorkerCa = CertificateAuthority.create(dir, 'system-worker-ca');
  return {
    internodeCa,
    frontendCa,
    internode: internodeCa.issue('internode', { usages: ['serverAuth', 'clientAuth'], dnsNames: [cluster.internodeServerName] }),
    frontend: frontendCa.issue('frontend', { usages: ['serverAuth'], dnsNames: cluster.frontendDnsNames }),
    systemWorker: systemWorkerCa.issue('system-worker', { usages: ['clientAuth'] }),
    sdkClient: frontendCa.issue('sdk-client', { usages: ['clientAuth'] }),
    stranger: internodeCa.issue('stranger', { usages: ['clientAuth'] }),
    internodeServerName: cluster.internodeServerName,
    frontendServerName: cluster.frontend.grpcAddress.slice(0, cluster.frontend.grpcAddress.lastIndexOf(':')),
  };
}

/** How a client of the frontend verifies it, with `client` as its certificate (none when undefined). */
function frontendTls(pki: Pki, client?: IssuedCertificate): HealthTls {
  return { ca: pki.frontendCa.cert, serverName: pki.frontendServerName, cert: client?.cert, key: client?.key };
}

/** The SDK's TLS options for the frontend. */
function sdkTls(pki: Pki, client?: IssuedCertificate) {
  return {
    serverNameOverride: pki.frontendServerName,
    serverRootCACertificate: Buffer.from(pki.frontendCa.cert),
    clientCertPair: client && { crt: Buffer.from(client.cert), key: Buffer.from(client.key) },
  };
}

/** The runner's extra readiness check: each role's own health service over TLS, as its peers would connect. */
function roleHealth(pki: Pki, role: string): TlsHealthCheck {
  const service = ROLE_FACTS[role as ServiceRole]?.healthService;
  if (!service) throw new Error(`no health service known for role ${role}`);
  return role === ServiceRole.FRONTEND
    ? { service, ...frontendTls(pki, pki.sdkClient) }
    : { service, ca: pki.internodeCa.cert, serverName: pki.internodeServerName, cert: pki.internode.cert, key: pki.internode.key };
}

/** The status of `service` at `address` over TLS, or the error the call failed with. */
async function healthOverTls(address: string, service: string, tls: HealthTls): Promise<number | string> {
  const health = HealthClient.connect(address, tls);
  try {
    return await health.check(service);
  } catch (err) {
    return (err as Error).message;
  } finally {
    health.close();
  }
}

/**
 * A TChannel init request (frame type 0x01, version 2, the two headers every peer sends), which a
 * plaintext ringpop listener answers with an init response (frame type 0x02).
 */
function tchannelInitRequest(): Buffer {
  const str = (s: string) => Buffer.concat([Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)]);
  const payload = Buffer.concat([Buffer.from([0, 2, 0, 2]), str('host_port'), str('127.0.0.1:1'), str('process_name'), str('e2e-probe')]);
  const header = Buffer.alloc(16);
  header.writeUInt16BE(16 + payload.length, 0);
  header[2] = 0x01;
  header.writeUInt32BE(1, 4);
  return Buffer.concat([header, payload]);
}

/** What a plaintext TChannel peer gets from `address`: the bytes received before the connection closed or 5 s passed, and whether it closed. */
function plaintextTchannel(ip: string, port: number): Promise<{ received: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: ip, port }, () => socket.write(tchannelInitRequest()));
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => done(false), 5_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
  });
}

/** A TLS handshake with `address` as a ringpop peer makes it, then a read: 'established', or the error the server sent. */
function membershipTls(ip: string, port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: ip, port, timeout: 5_000, ...options }, () => {
      // TLS 1.3 checks the client's certificate after the client's handshake ends: a refusal arrives as an alert on the first read.
      socket.write(tchannelInitRequest());
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data[2] === 0x02 ? 'established' : `answered frame type ${data[2]}`);
      });
    });
    socket.on('error', (err) => resolve(err.message));
    socket.on('timeout', () => {
      socket.destroy();
      resolve('no answer within 5 s');
    });
  });
}

/** The message a refused connection fails with; fails the test if it connects. */
async function refusal(connect: () => Promise<{ close: () => Promise<void> }>): Promise<string> {
  let connection: { close: () => Promise<void> } | undefined;
  try {
    connection = await connect();
  } catch (err) {
    return (err as Error).message;
  }
  await connection.close();
  throw new Error('the connection was accepted, but should have been refused');
}

describe('a cluster with mutual TLS between its roles and at the frontend', () => {
  let pki: Pki;
  let runner: ClusterRunner;
  let session: SdkSession;
  let client: Client;

  beforeAll(async () => {
    runner = await env.up('tls', {
      tls: ClusterTls.fromSecrets(SECRETS),
      // A cluster new to its lock: the lock is what turns the membership ports' TLS on by default.
      lock: ClusterLock.inMemory(),
      secrets: (cluster) => {
        pki = issueCertificates(path.join(env.workRoot, 'pki'), cluster);
        return {
          [SECRETS.internode]: tlsSecret(pki.internode),
          [SECRETS.frontend]: tlsSecret(pki.frontend),
          [SECRETS.systemWorker]: tlsSecret(pki.systemWorker),
        };
      },
      tlsHealth: (role) => roleHealth(pki, role),
    });
    session = await SdkSession.open(runner.endpoint('frontend').grpc, { tls: sdkTls(pki, pki.sdkClient) });
    client = session.client;
  }, 10 * MINUTE);

  afterAll(async () => {
    await session?.close();
    await runner?.down();
  }, 2 * MINUTE);

  it('probes every role by TCP, as Kubernetes does behind TLS, and each role serves its health over mutual TLS', () => {
    const lines = runner.roleNames.map((role) => {
      const r = runner.readiness(role)!;
      expect([role, r.probe]).toEqual([role, 'tcpSocket']);
      expect([role, r.tlsHealthServingAfterMs]).toEqual([role, expect.any(Number)]);
      return `${role}: port open after ${r.probePassedAfterMs} ms, health SERVING over TLS after ${r.tlsHealthServingAfterMs} ms`;
    });
    console.log(`e2e: tls: readiness of the last start of each role:\n${lines.join('\n')}`);
  });

  it('forms the cluster with an internode certificate that names no IP address', () => {
    const described = describeCertificate(pki.internode.cert);
    expect(described).toContain(`DNS:${pki.internodeServerName}`);
    expect(described).not.toContain('IP Address');
    expect(runner.roleNames.sort()).toEqual(['frontend', 'history', 'matching', 'worker']);
  });

  it('runs a workflow with an activity and a durable timer over mutual TLS', async () => {
    expect(await greet(client, 'mTLS', 3_000)).toBe('Hello, mTLS after a 3000 ms timer');
  }, 3 * MINUTE);

  it('has the system workers polling through the frontend with their own certificate', async () => {
    // The worker role's SDK client dials the frontend with the system-worker certificate; its
    // pollers on the system namespace's task queue show that the frontend accepted it.
    const pollers = await pollUntil('a system worker poller on temporal-system/default-worker-tq', MINUTE, async () => {
      const { pollers: found } = await session.connection.workflowService.describeTaskQueue({
        namespace: 'temporal-system', taskQueue: { name: 'default-worker-tq' }, taskQueueType: 1, // WORKFLOW
      });
      return found?.length ? found : undefined;
    });
    expect(pollers.length).toBeGreaterThan(0);
  }, 2 * MINUTE);

  it('refuses SDK clients without a certificate the frontend trusts (requireClientAuth defaults to true)', async () => {
    const address = runner.endpoint('frontend').grpc;
    const connect = (clientCert?: IssuedCertificate) => () => Connection.connect({ address, tls: sdkTls(pki, clientCert), connectTimeout: REFUSAL_TIMEOUT });
    const sdk = {
      noCertificate: await refusal(connect()),
      internodeCaCertificate: await refusal(connect(pki.stranger)),
      plaintext: await refusal(() => Connection.connect({ address, connectTimeout: REFUSAL_TIMEOUT })),
    };
    // The SDK only says it could not connect; grpc-js names the TLS alert the frontend sent.
    const service = ROLE_FACTS[ServiceRole.FRONTEND].healthService;
    const grpcJs = {
      noCertificate: await healthOverTls(address, service, frontendTls(pki)),
      internodeCaCertificate: await healthOverTls(address, service, frontendTls(pki, pki.stranger)),
    };
    console.log(`e2e: tls: the frontend refused (SDK / grpc-js):\n${JSON.stringify({ sdk, grpcJs }, null, 2)}`);
    expect(grpcJs.noCertificate).toMatch(/alert certificate required/);
    expect(grpcJs.internodeCaCertificate).toMatch(/alert unknown ca/);
    // The same clients with the frontend CA's certificate are served.
    expect(await healthOverTls(address, service, frontendTls(pki, pki.sdkClient))).toBe(SERVING);
    expect((await session.connection.workflowService.getSystemInfo({})).serverVersion).toBeTruthy();
  }, 2 * MINUTE);

  it('serves the HTTP API over the same mutual TLS', async () => {
    const { ip, ports } = runner.endpoint('frontend');
    const get = (client?: IssuedCertificate) => new Promise<number | string>((resolve) => {
      const request = https.get({
        host: ip, port: ports.http, path: `/api/v1/namespaces/${NAMESPACE}`, servername: pki.frontendServerName,
        ca: pki.frontendCa.cert, cert: client?.cert, key: client?.key, timeout: 10_000,
      }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
      request.on('error', (err) => resolve(err.message));
    });
    expect(await get(pki.sdkClient)).toBe(200);
    const noCertificate = await get();
    console.log(`e2e: tls: the frontend's HTTP API without a client certificate: ${noCertificate}`);
    expect(noCertificate).not.toBe(200);
  }, MINUTE);

  it('serves the internode ports only to the internode certificate', async () => {
    const address = `${runner.endpoint('history').ip}:${runner.endpoint('history').ports.grpc}`;
    const service = ROLE_FACTS[ServiceRole.HISTORY].healthService;
    const internode = { ca: pki.internodeCa.cert, serverName: pki.internodeServerName };
    expect(await healthOverTls(address, service, { ...internode, cert: pki.internode.cert, key: pki.internode.key })).toBe(SERVING);
    const sdkCertificate = await healthOverTls(address, service, { ...internode, cert: pki.sdkClient.cert, key: pki.sdkClient.key });
    const noCertificate = await healthOverTls(address, service, internode);
    console.log(`e2e: tls: history refused the SDK's certificate (${sdkCertificate}) and no certificate (${noCertificate})`);
    expect(sdkCertificate).toMatch(/alert unknown ca/);
    expect(noCertificate).toMatch(/alert certificate required/);
  }, MINUTE);

  it('serves every role\'s membership (ringpop) port over TLS with the internode certificate, and refuses plaintext peers', async () => {
    const internode = { ca: pki.internodeCa.cert, servername: pki.internodeServerName };
    const results: Record<string, { internodeCertificate: string; noCertificate: string; sdkCertificate: string; plaintext: { closed: boolean; answered: boolean; bytes: number } }> = {};
    for (const role of runner.roleNames) {
      const { ip, ports } = runner.endpoint(role);
      const plaintext = await plaintextTchannel(ip, ports.membership);
      results[role] = {
        internodeCertificate: await membershipTls(ip, ports.membership, { ...internode, cert: pki.internode.cert, key: pki.internode.key }),
        noCertificate: await membershipTls(ip, ports.membership, internode),
        sdkCertificate: await membershipTls(ip, ports.membership, { ...internode, cert: pki.sdkClient.cert, key: pki.sdkClient.key }),
        // A plaintext ringpop listener answers an init request with an init response (type 0x02); a TLS one reads no record in it and closes.
        plaintext: { closed: plaintext.closed, answered: plaintext.received.length >= 3 && plaintext.received[2] === 0x02, bytes: plaintext.received.length },
      };
    }
    console.log(`e2e: tls: membership ports:\n${JSON.stringify(results, null, 2)}`);
    for (const [role, result] of Object.entries(results)) {
      expect([role, result.plaintext.answered]).toEqual([role, false]);
      expect([role, result.internodeCertificate]).toEqual([role, 'established']);
      expect([role, result.noCertificate]).toEqual([role, expect.stringMatching(/alert certificate required/)]);
      expect([role, result.sdkCertificate]).toEqual([role, expect.stringMatching(/alert unknown ca/)]);
    }
    const file = runner.manifestObjects('ConfigMap').map((c) => c.data?.['dynamic_config.yaml']).find((f) => f !== undefined);
    expect(file).toContain('system.enableRingpopTLS:\n  - value: true');
  }, 2 * MINUTE);
});
