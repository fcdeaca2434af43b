import { Duration, Testing } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import fc from 'fast-check';
import { ArchivalProvider, Datastore, Persistence, SecretRef, WorkerFleet } from '../lib';
import { requireUrl } from '../lib/validation';
import { cluster, testChart } from './support/synth';
import { messageOf } from './support/errors';

/*
 * No credential written where a SecretRef belongs, or inside a URL, reaches the YAML, and no synth
 * error repeats it: those messages end up in CI logs.
 */

const oidc = (clientSecret: unknown) => ({ providerUrl: 'https://idp.example.com', clientId: 'ui', clientSecret: clientSecret as SecretRef, callbackUrl: 'https://ui.example.com/auth/sso/callback' });
const fleet = (env: Record<string, EnvValue>) => {
  const chart = testChart(Testing.app());
  return new WorkerFleet(chart, 'orders', { image: 'registry.example.com/orders:1.0', taskQueues: ['orders'], temporalNamespace: 'default', cluster: cluster(chart), env });
};

const withSidecar = (sidecar: object) => {
  const chart = testChart(Testing.app());
  const store = (database: string) => Datastore.postgres({ host: '127.0.0.1', database, user: 'u', password: SecretRef.of('db', 'password') });
  return new Persistence(chart, 'p', { defaultStore: store('t'), visibilityStore: store('v'), databaseAccess: { sidecars: [{ name: 'proxy', image: 'registry.example.com/proxy:1.0', ...sidecar }] } });
};

/** Every place a credential could be written by mistake, with `secret` in it; each must be refused. */
const PLACES: Array<[string, (secret: string) => unknown]> = [
  ['Datastore.elasticsearch url', (s) => Datastore.elasticsearch({ url: `https://elastic:${s}@es.search:9200` })],
  ['Datastore.elasticsearch url with a token as user', (s) => Datastore.elasticsearch({ url: `https://${s}@es.search:9200` })],
  ['Datastore.elasticsearch url without a scheme', (s) => Datastore.elasticsearch({ url: `elastic:${s}@es.search:9200` })],
  ['Datastore host', (s) => Datastore.postgres({ host: `app:${s}@db`, database: 'd', user: 'u' })],
  ['remoteClusters rpcAddress', (s) => cluster(testChart(), { enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: `admin:${s}@west.example.com:7233` }] })],
  ['a fleet\'s frontend.address', (s) => new WorkerFleet(testChart(Testing.app()), 'w', { image: 'registry.example.com/w:1.0', taskQueues: ['q'], temporalNamespace: 'n.acct',
    frontend: { address: `user:${s}@n.acct.tmprl.cloud:7233`, tls: true } })],
  ['Datastore connectAttributes value', (s) => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', connectAttributes: { sslrootcert_url: `https://ca:${s}@pki.example.com/ca.pem` } })],
  ['Datastore password', (s) => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', password: s as never })],
  ['Datastore schemaCredentials.password', (s) => Datastore.mysql({ host: 'db', database: 'd', user: 'u', schemaCredentials: { user: 'ddl', password: s as never } })],
  ['Datastore tls.clientKey', (s) => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', tls: { clientCertificate: SecretRef.of('c', 'tls.crt'), clientKey: s as never } })],
  ['ui.oidc.clientSecret', (s) => cluster(testChart(), { ui: { oidc: oidc(s) } })],
  ['ui.oidc.providerUrl', (s) => cluster(testChart(), { ui: { oidc: { ...oidc(SecretRef.of('oidc', 'secret')), providerUrl: `https://ui:${s}@idp.example.com` } } })],
  ['authorization.jwtKeySources', (s) => cluster(testChart(), { internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: [`https://svc:${s}@idp.example.com/jwks`] } })],
  ['authorization.jwtKeySources with a token in the query', (s) => cluster(testChart(), { internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: [`https://idp.example.com/jwks?access_token=${encodeURIComponent(s)}`] } })],
  ['ui.oidc.providerUrl with a secret in the query', (s) => cluster(testChart(), { ui: { oidc: { ...oidc(SecretRef.of('oidc', 'secret')), providerUrl: `https://idp.example.com/?client_secret=${encodeURIComponent(s)}` } } })],
  ['archival s3 endpoint with a signature in the query', (s) => ArchivalProvider.s3({ region: 'us-east-1', endpoint: `https://minio.storage.svc:9000/?X-Amz-Signature=${encodeURIComponent(s)}` })],
  ['archival s3 endpoint', (s) => ArchivalProvider.s3({ region: 'us-east-1', endpoint: `https://minio:${s}@minio.storage.svc:9000` })],
  ['archival uri', (s) => cluster(testChart(), { archival: { history: { provider: ArchivalProvider.s3({ region: 'us-east-1' }), uri: `s3://AKIAEXAMPLE:${s}@bucket/history` } } })],
  ['a role\'s env', (s) => cluster(testChart(), { history: { env: { DSN: EnvValue.fromValue(`postgres://app:${s}@db.svc/app`) } } })],
  ['a fleet\'s env', (s) => fleet({ DATABASE_URL: EnvValue.fromValue(`postgres://orders:${s}@orders-db:5432/orders`) })],
  ['ui.ingress.annotations', (s) => cluster(testChart(), { ui: { oidc: oidc(SecretRef.of('oidc', 'secret')), ingress: { host: 'ui.example.com', tlsSecretName: 'ui-tls',
    annotations: { 'nginx.ingress.kubernetes.io/auth-url': `https://auth:${s}@auth.example.com/check` } } } })],
  ['a role\'s podAnnotations', (s) => cluster(testChart(), { frontend: { podAnnotations: { 'proxy.example.com/upstream': `http://proxy:${s}@proxy.svc:3128` } } })],
  ['serviceAccount.annotations', (s) => cluster(testChart(), { serviceAccount: { annotations: { 'example.com/vault': `https://role:${s}@vault.svc` } } })],
  ['a fleet\'s podAnnotations', (s) => {
    const chart = testChart(Testing.app());
    return new WorkerFleet(chart, 'orders', { image: 'registry.example.com/orders:1.0', taskQueues: ['orders'], temporalNamespace: 'default', cluster: cluster(chart),
      podAnnotations: { 'example.com/db': `postgres://orders:${s}@db/orders` } });
  }],
  ['a fleet\'s args', (s) => {
    const chart = testChart(Testing.app());
    return new WorkerFleet(chart, 'orders', { image: 'registry.example.com/orders:1.0', taskQueues: ['orders'], temporalNamespace: 'default', cluster: cluster(chart),
      args: ['--dsn', `postgres://orders:${s}@db/orders`] });
  }],
  ['passwordCommand.args', (s) => Datastore.postgres({ host: '127.0.0.1', database: 'd', user: 'u', passwordCommand: { command: '/helpers/token', args: [`--vault=https://app:${s}@vault.svc`] } })],
  ['a fleet\'s env named as a credential', (s) => fleet({ STRIPE_API_KEY: EnvValue.fromValue(s) })],
  ['a role\'s env named as a credential', (s) => cluster(testChart(), { worker: { env: { VAULT_TOKEN: EnvValue.fromValue(s) } } })],
  ['a databaseAccess sidecar\'s env named as a credential', (s) => withSidecar({ env: [{ name: 'PGPASSWORD', value: s }] })],
  ['a databaseAccess sidecar\'s args', (s) => withSidecar({ args: [`--upstream=postgres://app:${s}@db:5432`] })],
  ['a databaseAccess sidecar\'s env', (s) => withSidecar({ env: [{ name: 'UPSTREAM', value: `postgres://app:${s}@db:5432` }] })],
  ['a fleet\'s apiKey', (s) => {
    const chart = testChart(Testing.app());
    return new WorkerFleet(chart, 'orders', { image: 'registry.example.com/orders:1.0', taskQueues: ['orders'], temporalNamespace: 'default', cluster: cluster(chart), apiKey: s as never });
  }],
];

describe('a credential written into the props', () => {
  test.each(PLACES)('%s is refused without repeating it', (_, place) => {
    const message = messageOf(() => place('s3cretPassw0rd'));
    expect(message).not.toContain('s3cretPassw0rd');
    expect(message).toMatch(/expected/);
  });

  test('generated credentials, whatever their characters, never appear in the message', () => {
    expect(messageOf(() => PLACES.find(([where]) => where === 'passwordCommand.args')![1]('argument'))).toContain('argument');
    // Characters a password may hold in a URL's user-info, percent-encoded or not; not a path, which an
    // env var named as a credential may hold (the file the credential is mounted at).
    const secret = fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=._~%@\/"-]{8,24}$/).filter((s) => /[A-Za-z0-9]{4}/.test(s) && !s.startsWith('/'));
    fc.assert(fc.property(secret, fc.constantFrom(...PLACES), (s, [, place]) => {
      // A secret that is also a word of the message whatever the secret ("argument") proves nothing.
      fc.pre(!messageOf(() => place('Qz7Kx9Wv2Jp4')).includes(s));
      expect(messageOf(() => place(s))).not.toContain(s);
    }), { numRuns: 150 });
  });

  test('a URL that is no URL at all (spaces, a password with "/") is refused without its user-info', () => {
    expect(messageOf(() => requireUrl('O', 'u', 'https://user:pa ss@host/'))).not.toMatch(/pa ss|user:/);
    expect(messageOf(() => Datastore.elasticsearch({ url: 'https://elastic:pa/ss@es:9200' }))).not.toContain('pa/ss');
  });

  test('values without a password still pass: a user alone in an env URL, archival URIs, the messages of other checks', () => {
    expect(() => fleet({ REPO: EnvValue.fromValue('ssh://git@github.com/org/repo'), DB: EnvValue.fromValue('postgres://orders-db:5432/orders') })).not.toThrow();
    // A credential's env name with a path (the file it is mounted at), or empty, or from a Secret.
    expect(() => fleet({ GOOGLE_CREDENTIALS: EnvValue.fromValue('/var/run/secrets/gcp/key.json'), DB_PASSWORD: EnvValue.fromValue(''), TOKEN_URL: EnvValue.fromValue('https://idp/token') })).not.toThrow();
    expect(() => cluster(testChart(), { archival: { history: { provider: ArchivalProvider.s3({ region: 'us-east-1' }), uri: 's3://bucket/history' } } })).not.toThrow();
    // Query parameters that are no credential.
    expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks?tenant=a&keyset=b'] } })).not.toThrow();
    // An image digest is not a URL's user-info: the message keeps it.
    expect(messageOf(() => cluster(testChart(), { serverImage: `temporalio/server:1.30.9@sha256:${'a'.repeat(64)}` }))).toContain(`temporalio/server:1.30.9@sha256:${'a'.repeat(64)}`);
    expect(Duration.days(1)).toBeDefined();
  });
});
