/*
 * What kube-proxy does for a ClusterIP Service, reduced to what a client of it can observe: one
 * address (the cluster IP and the Service port) in front of the Service's ready endpoints.
 *
 *  - Each new TCP connection goes to one endpoint that is ready at that moment, taken in turn
 *    (kube-proxy's iptables mode picks at random; round robin spreads as evenly with fewer surprises
 *    in a short test). With no ready endpoint the connection is refused, as kube-proxy's REJECT rule
 *    does.
 *  - A connection stays with the endpoint it went to until one side closes it, whatever happens to
 *    the endpoint list afterwards: conntrack keeps an established flow on its backend. So a gRPC
 *    client keeps its HTTP/2 connection to a pod that has left the endpoints until that pod sends
 *    GOAWAY or closes, exactly as in a cluster.
 *  - Which endpoints are ready is the caller's answer (`endpoints`), asked again for every new
 *    connection; the runner answers from its kubelet model (readiness probe results, termination).
 */
import * as net from 'net';

export interface ProxyEndpoint {
  readonly host: string;
  readonly port: number;
}

export class ServiceProxy {
  /** Listens on `host:port` and forwards each connection to one of `endpoints()`. */
  public static async listen(host: string, port: number, endpoints: () => ProxyEndpoint[]): Promise<ServiceProxy> {
    const proxy = new ServiceProxy(host, port, endpoints);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, host, () => {
        proxy.server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** Connections refused because no endpoint was ready. */
  public refused = 0;
  /** Connections forwarded, per endpoint `host:port`. */
  public readonly forwarded = new Map<string, number>();
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private turn = 0;

  private constructor(public readonly host: string, public readonly port: number, private readonly endpoints: () => ProxyEndpoint[]) {
    this.server = net.createServer((client) => this.forward(client));
  }

  public get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  public async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: net.Socket): void {
    const ready = this.endpoints();
    if (ready.length === 0) {
      this.refused++;
      // A reset, not a clean end: the client sees the refusal at once and backs off.
      client.resetAndDestroy();
      return;
    }
    const target = ready[this.turn++ % ready.length];
    const key = `${target.host}:${target.port}`;
    this.forwarded.set(key, (this.forwarded.get(key) ?? 0) + 1);
    const backend = net.connect({ host: target.host, port: target.port });
    for (const s of [client, backend]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.once('close', () => this.sockets.delete(s));
    }
    client.pipe(backend);
    backend.pipe(client);
    // An error or a reset on one side resets the other, as a dropped backend does through conntrack.
    client.once('error', () => backend.destroy());
    backend.once('error', () => client.resetAndDestroy());
    client.once('close', () => backend.destroy());
    backend.once('close', () => client.destroy());
  }
}
