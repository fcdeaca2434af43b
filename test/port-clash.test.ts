// The test harnesses' start on other ports when a port they picked was taken before they bound it
// (test/support/processes.ts: the e2e runner and PostgreSQL, the kube control plane), checked on
// real sockets: a port is occupied on purpose, no server is started.
import * as net from 'net';
import { freePort, lostPortToAnotherProcess, portTaken, retryOnPortClash } from './support/processes';

const HOST = '127.0.0.1';

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

/** What a Temporal server logs when its ringpop listener's address is held by another process. */
const ringpopLine = (port: number) => `{"level":"fatal","ts":"2026-12-04T21:00:00.000Z","msg":"Failed to start ringpop listener",`
  + `"error":"listen tcp ${HOST}:${port}: bind: address already in use","logging-call-at":"fx.go:1133"}`;

describe('retryOnPortClash', () => {
  let occupier: net.Server;
  let occupied: number;
  const started: net.Server[] = [];

  beforeEach(async () => {
    occupier = await listen(0);
    occupied = portOf(occupier);
  });

  afterEach(async () => {
    await close(occupier);
    await Promise.all(started.splice(0).map(close));
  });

  it('starts again on another port when the port it picked was taken before it bound it', async () => {
    const tried: number[] = [];
    const server = await retryOnPortClash(3, async (attempt) => {
      // The first pick is a port another process took after freePort found it free.
      const port = attempt === 1 ? occupied : await freePort();
      tried.push(port);
      return listen(port);
    });
    started.push(server);
    expect(tried).toHaveLength(2);
    expect(tried[0]).toBe(occupied);
    expect(portOf(server)).toBe(tried[1]);
    expect(portOf(server)).not.toBe(occupied);
  });

  it('gives up after the bounded number of attempts and throws the last failure as it is', async () => {
    let calls = 0;
    const failure = retryOnPortClash(3, async () => {
      calls++;
      return listen(occupied);
    });
    await expect(failure).rejects.toThrow(/EADDRINUSE/);
    expect(calls).toBe(3);
  });

  it('fails at once, with its own error, when the start failed for another cause', async () => {
    const cause = new Error('password authentication failed for user "temporal"\nLast 40 lines of frontend.log: ...');
    let calls = 0;
    const failure = retryOnPortClash(3, async () => {
      calls++;
      throw cause;
    });
    await expect(failure).rejects.toBe(cause);
    expect(calls).toBe(1);
  });

  it('asks the retry predicate, and fails at once when it says no', async () => {
    let calls = 0;
    const failure = retryOnPortClash(3, async () => {
      calls++;
      return listen(occupied);
    }, { retry: () => false });
    await expect(failure).rejects.toThrow(/EADDRINUSE/);
    expect(calls).toBe(1);
  });

  it('reports each retry to onRetry', async () => {
    const heard: number[] = [];
    const server = await retryOnPortClash(3, async (attempt) => listen(attempt === 1 ? occupied : await freePort()), {
      onRetry: (_err, attempt) => heard.push(attempt),
    });
    started.push(server);
    expect(heard).toEqual([1]);
  });
});

describe('lostPortToAnotherProcess (the e2e runner\'s retry predicate)', () => {
  it('retries when the address a Temporal server logged as in use is still held by another process', async () => {
    const other = await listen(0);
    try {
      expect(await portTaken(HOST, portOf(other))).toBe(true);
      expect(await lostPortToAnotherProcess(new Error(`history: the process ended 3 times (a crash loop)\n${ringpopLine(portOf(other))}`))).toBe(true);
    } finally {
      await close(other);
    }
  });

  it('does not retry a clash of the start\'s own listeners: the address is free once its processes are gone', async () => {
    const port = await freePort();
    expect(await portTaken(HOST, port)).toBe(false);
    expect(await lostPortToAnotherProcess(new Error(`history: the process ended 3 times (a crash loop)\n${ringpopLine(port)}`))).toBe(false);
  });

  it('retries a clash whose message names no address (PostgreSQL\'s), and nothing else', async () => {
    expect(await lostPortToAnotherProcess(new Error('pg_ctl start failed\nLOG:  could not bind IPv4 address "127.0.0.1": Address already in use'))).toBe(true);
    expect(await lostPortToAnotherProcess(new Error('frontend: timed out after 180 s (last answer: connect ECONNREFUSED 127.21.0.11:7233)'))).toBe(false);
    expect(await lostPortToAnotherProcess(new Error('password authentication failed for user "temporal"'))).toBe(false);
  });
});
