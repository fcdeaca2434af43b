import * as net from 'net';

/**
 * A fixed address in front of a server that starts later, as a Kubernetes Service is: it listens
 * on a loopback port from the start and forwards each connection to `target` once one is set;
 * until then it closes connections at once, as a Service without ready endpoints refuses them.
 * The e2e runner gives each cluster's pods their addresses only as they start, while each of two
 * clusters must name the other's frontend in its own manifest beforehand.
 */
export class TcpProxy {
  public static async start(): Promise<TcpProxy> {
    const proxy = new TcpProxy();
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** `host:port` to dial, once the server behind it is up. */
  public target?: string;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor() {
    this.server = net.createServer((client) => {
      this.track(client);
      if (!this.target) {
        client.destroy();
        return;
      }
      const [host, port] = [this.target.slice(0, this.target.lastIndexOf(':')), Number(this.target.slice(this.target.lastIndexOf(':') + 1))];
      const upstream = net.connect({ host, port });
      this.track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = () => { client.destroy(); upstream.destroy(); };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
  }

  /** The address clients dial. */
  public get address(): string {
    const { address, port } = this.server.address() as net.AddressInfo;
    return `${address}:${port}`;
  }

  public async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
