/*
 * A JSON Web Key Set served on loopback and tokens signed with its key: what an identity provider
 * gives a cluster with `authorization`. RS256 with a `kid`, the claims the server's default claim
 * mapper reads (`sub`, and `permissions` as `<namespace>:<role>` strings).
 */
import { createSign, generateKeyPairSync, KeyObject } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

export class JwksServer {
  /** Serves the key set at `http://<host>:<port>/.well-known/jwks.json`. */
  public static async start(host: string): Promise<JwksServer> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = 'e2e-key-1';
    const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    let fetches = 0;
    const server = http.createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return new JwksServer(server, privateKey, kid, () => fetches);
  }

  public readonly url: string;

  private constructor(private readonly server: http.Server, private readonly key: KeyObject, private readonly kid: string, public readonly fetches: () => number) {
    const { address, port } = server.address() as AddressInfo;
    this.url = `http://${address}:${port}/.well-known/jwks.json`;
  }

  /**
   * A token for `subject` with `permissions` (in the claim `claimName`, `permissions` unless given),
   * with `audience` as its `aud` claim if given, valid for an hour (or signed by another key, to be refused).
   */
  public token(subject: string, permissions: string[], options: { foreignKey?: boolean; claimName?: string; audience?: string | string[] } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { sub: subject, [options.claimName ?? 'permissions']: permissions, ...(options.audience === undefined ? {} : { aud: options.audience }), iat: now, exp: now + 3600 };
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${encode(claims)}`;
    const key = options.foreignKey ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : this.key;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
  }

  public close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
