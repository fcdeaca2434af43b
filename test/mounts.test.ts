import { Duration, Testing } from 'cdk8s';
import {
  ArchivalProvider, ClusterTls, Datastore, IssuerKind, Persistence, SecretRef, TemporalCluster, TemporalClusterProps,
} from '../lib';
import { ContainerFiles, containerFiles, mountProblems } from './support/mounts';
import { APPS, synthApp } from './support/apps';
import { podProblems } from './support/pod-security';
import { testChart } from './support/synth';

/** Schema files ship in the admin-tools image. */
const IMAGE_PATHS = /^\/etc\/temporal\/schema\//;

type TlsMode = 'none' | 'secrets' | 'cert-manager';
type Store = 'postgres' | 'mysql' | 'cassandra-es';

interface Combination {
  readonly tls: TlsMode;
  readonly frontendTls: boolean;
  readonly mutualTls: boolean;
  readonly internalFrontend: 'off' | 'on' | 'on with HTTP';
  readonly authorization: boolean;
  readonly ui: 'none' | 'oidc' | 'anonymous';
  readonly adminTools: boolean;
  readonly namespaces: boolean;
  readonly archival: boolean;
  readonly store: Store;
  readonly storeTls: boolean;
}

/**
 * Every combination of the settings that decide which TLS files a pod reads, each once, with the
 * other features (UI, admin tools, namespaces, archival, store type, store TLS) rotating through
 * their values so that every value meets every TLS setting at some point.
 */
function combinations(): Combination[] {
  const out: Combination[] = [];
  let i = 0;
  for (const tls of ['none', 'secrets', 'cert-manager'] as TlsMode[]) {
    for (const frontendTls of tls === 'none' ? [false] : [false, true]) {
      for (const mutualTls of frontendTls ? [true, false] : [true]) {
        for (const internalFrontend of ['off', 'on', 'on with HTTP'] as const) {
          if (internalFrontend === 'on with HTTP' && tls !== 'none' && !frontendTls) continue;
          for (const authorization of internalFrontend === 'off' ? [false] : [false, true]) {
            out.push({
              tls, frontendTls, mutualTls, internalFrontend, authorization,
              // Distinct prime periods, so that no two features always meet the same way.
              ui: (['oidc', 'anonymous', 'none'] as const)[i % 3],
              adminTools: i % 2 === 0,
              namespaces: i % 5 !== 4,
              archival: i % 7 < 3,
              store: (['postgres', 'mysql', 'cassandra-es'] as Store[])[Math.floor(i / 3) % 3],
              storeTls: Math.floor(i / 2) % 2 === 1,
            });
            i++;
          }
        }
      }
    }
  }
  return out;
}

function propsFor(c: Combination, chart: ReturnType<typeof testChart>): TemporalClusterProps {
  const storeTls = c.storeTls ? { ca: SecretRef.of('db-ca', 'ca.crt'), clientCertificate: SecretRef.of('db-client', 'tls.crt'), clientKey: SecretRef.of('db-client', 'tls.key') } : undefined;
  const password = SecretRef.of('db', 'password');
  const persistence = c.store === 'cassandra-es'
    ? new Persistence(chart, 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['cass'], keyspace: 'temporal', tls: storeTls }),
      // The servers' Elasticsearch wait cannot present a client certificate: server-authenticated TLS only.
      visibilityStore: Datastore.elasticsearch({ url: 'https://es:9200', tls: storeTls && { ca: storeTls.ca } }),
    })
    : new Persistence(chart, 'p', {
      defaultStore: (c.store === 'mysql' ? Datastore.mysql : Datastore.postgres)({ host: 'db', database: 'temporal', user: 'u', password, tls: storeTls }),
      visibilityStore: (c.store === 'mysql' ? Datastore.mysql : Datastore.postgres)({ host: 'db', database: 'visibility', user: 'u', password, tls: storeTls }),
    });
  // Client certificates only for a frontend that asks for them (the tools talk to the internal one under authorization), and mutual TLS only with frontend TLS.
  const publicMtls = c.frontendTls && c.mutualTls;
  const tools = publicMtls || c.authorization ? { adminTools: 'admin-client-tls', namespaceJob: 'namespace-client-tls' } : {};
  const clients = { ...(publicMtls ? { ui: 'ui-client-tls' } : {}), ...tools };
  const requireClientAuth = c.frontendTls ? c.mutualTls : undefined;
  const tls = c.tls === 'none' ? undefined
    : c.tls === 'secrets'
      ? ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: c.frontendTls ? 'frontend-tls' : undefined, requireClientAuth, clients })
      : ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, frontend: c.frontendTls, requireClientAuth });
  return {
    numHistoryShards: 32,
    persistence,
    tls,
    internalFrontend: c.internalFrontend === 'off' ? undefined : c.internalFrontend === 'on' ? {} : { httpPort: 7246 },
    authorization: c.authorization ? { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks.json'] } : undefined,
    ui: c.ui === 'none' ? undefined : c.ui === 'anonymous' ? { allowAnonymous: true }
      : { oidc: { providerUrl: 'https://idp.example.com', clientId: 'ui', clientSecret: SecretRef.of('oidc', 'secret'), callbackUrl: 'https://ui.example.com/auth/sso/callback' } },
    adminTools: c.adminTools ? {} : undefined,
    namespaces: c.namespaces ? [{ name: 'default', retention: Duration.days(1) }] : undefined,
    archival: c.archival ? { history: { provider: ArchivalProvider.filestore({ claimName: 'archive' }), uri: 'file:///archive/history' } } : undefined,
  };
}

function filesOf(c: Combination): ContainerFiles[] {
  const chart = testChart(Testing.app());
  new TemporalCluster(chart, 'temporal', propsFor(c, chart));
  return containerFiles(Testing.synth(chart));
}

describe('every file a pod reads is mounted there, and no pod holds a key it does not use', () => {
  const all = combinations();

  test('the combinations cover every TLS setting with every feature', () => {
    expect(all.length).toBeGreaterThanOrEqual(30);
    for (const key of ['tls', 'frontendTls', 'mutualTls', 'internalFrontend', 'authorization', 'ui', 'adminTools', 'namespaces', 'archival', 'store', 'storeTls'] as const) {
      expect(new Set(all.map((c) => c[key])).size).toBeGreaterThan(1);
    }
  });

  test.each(all.map((c) => [JSON.stringify(c), c] as const))('%s', (_, c) => {
    const containers = filesOf(c);
    expect(containers.length).toBeGreaterThan(0);
    // The check must have something to check: servers read at least their config's files.
    expect(containers.filter((x) => x.referenced.length > 0).length).toBeGreaterThan(0);
    expect(mountProblems(containers, { imagePaths: IMAGE_PATHS })).toEqual([]);
  });

  test.each(APPS)('app %s', async (file) => {
    const objects = await synthApp(file);
    const containers = containerFiles(objects);
    expect(containers.length).toBeGreaterThan(0);
    expect(mountProblems(containers, { imagePaths: IMAGE_PATHS })).toEqual([]);
    // And the rest of test/pod-security.test.ts's rules: restricted pods, no tokens, Secrets key by key at 0440.
    expect(podProblems(objects)).toEqual([]);
  }, 60_000);

  test('the check sees a missing file and a stray key', () => {
    const objects = Testing.synth((() => {
      const chart = testChart(Testing.app());
      new TemporalCluster(chart, 'temporal', propsFor({ ...all[0], tls: 'secrets', frontendTls: true, mutualTls: true }, chart));
      return chart;
    })());
    const frontend = objects.find((o) => o.metadata.name === 'temporal-frontend');
    const history = objects.find((o) => o.metadata.name === 'temporal-history');
    // The frontend loses its certificate; history gains the frontend's key.
    frontend.spec.template.spec.volumes = frontend.spec.template.spec.volumes.map((v: any) => v.name === 'tls-frontend' ? { ...v, secret: { ...v.secret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } } : v);
    history.spec.template.spec.volumes = history.spec.template.spec.volumes.map((v: any) => v.name === 'tls-frontend' ? { ...v, secret: { secretName: v.secret.secretName } } : v);
    const problems = mountProblems(containerFiles(objects), { imagePaths: IMAGE_PATHS });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/Deployment\/temporal-frontend temporal: global.tls.frontend.server.certFile names \/etc\/temporal\/tls\/frontend\/tls.crt, which no volume mounts there/),
      expect.stringMatching(/Deployment\/temporal-history temporal: mounts the private key \/etc\/temporal\/tls\/frontend\/tls.key/),
    ]));
  });
});
