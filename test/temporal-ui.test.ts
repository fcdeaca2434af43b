import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { AdminTools, ClusterTls, Datastore, DEFAULT_UI_VERSION, IssuerKind, NamespaceBootstrap, NetworkPeer, Persistence, SecretRef, TemporalUi, VisibilityKind } from '../lib';
import { k8sViolations } from './support/k8s-rules';
import { ingressAllowed } from './support/network-policy';
import { cluster, find, objects, testChart } from './support/synth';

const oidc = {
  providerUrl: 'https://idp.example.com', clientId: 'temporal-ui', clientSecret: SecretRef.of('ui-oidc', 'client-secret'),
  callbackUrl: 'https://temporal.example.com/auth/sso/callback',
};

describe('the clients of a cluster built on their own (TemporalUi, AdminTools, NamespaceBootstrap)', () => {
  const authorization = { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks.json'] };
  const outside = (owner: string, prop: string) => `${owner}: ${prop} is "(a client built outside a TemporalCluster)"; expected the client a TemporalCluster builds for `;
  test('fails when one is built outside its cluster: the UI would give every visitor the internal frontend, cluster admin past the authorizer', () => {
    const chart = testChart();
    const c = cluster(chart, { internalFrontend: {}, authorization });
    const internal = { address: 'temporal-internal-frontend:7236', env: [], volumes: [], mounts: [] };
    const shared = { clusterName: 'temporal', namespace: 'temporal', labels: {}, imagePullSecrets: [] };
    // A client written by hand, and the cluster's own client copied in: neither is the one the cluster built for the construct.
    for (const client of [internal, c.adminClient()]) {
      const scope = testChart();
      expect(() => new TemporalUi(scope, 'rogue-ui', { ...shared, frontendAddress: client.address, client, authorizationEnabled: false, allowAnonymous: true, namespaceCheckImage: 'temporalio/admin-tools:1.32.2' }))
        .toThrow(outside('ui of TemporalCluster \'temporal\'', 'client'));
      expect(() => new AdminTools(scope, 'rogue-tools', { ...shared, image: 'temporalio/admin-tools:1.32.2', client })).toThrow(outside('AdminTools \'rogue-tools\'', 'client'));
      expect(() => new NamespaceBootstrap(scope, 'rogue-ns', {
        ...shared, image: 'temporalio/admin-tools:1.32.2', volumes: [], volumeMounts: [], serviceAccountName: 'temporal-jobs', frontendAddress: client.address, clientEnv: client.env,
        namespaces: [{ name: 'orders', retention: Duration.days(1) }], visibility: VisibilityKind.ELASTICSEARCH,
      })).toThrow(outside('NamespaceBootstrap \'rogue-ns\'', 'clientEnv'));
    }
  });

  test('the cluster\'s own are built, on the frontend it chooses for each', () => {
    const chart = testChart();
    const c = cluster(chart, { internalFrontend: {}, authorization, ui: { allowAnonymous: true }, adminTools: {}, namespaces: [{ name: 'orders', retention: Duration.days(1) }] });
    expect(find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env).toContainEqual({ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress });
    expect(c.adminClient().address).toMatch(/^temporal-internal-frontend/);
    expect(find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec.containers[0].env).toContainEqual({ name: 'TEMPORAL_ADDRESS', value: c.adminClient().address });
    expect(c.namespaceBootstrap?.resource.toJson().spec.template.spec.containers[0].env).toContainEqual({ name: 'TEMPORAL_ADDRESS', value: c.adminClient().address });
  });
});

describe('TemporalUi', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart, { ui: {} });
    expect(c.ui).toBeInstanceOf(TemporalUi);
    expect(objects(chart).filter((o) => o.metadata.name === 'temporal-ui')).toMatchSnapshot();
  });

  test('points at the frontend, probes /healthz and keeps a budget', () => {
    const chart = testChart();
    const c = cluster(chart, { ui: {} });
    const container = find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0];
    expect(container.image).toBe('temporalio/ui:2.52.0');
    expect(container.env).toEqual([{ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress }, { name: 'TEMPORAL_UI_PORT', value: '8080' }]);
    // Every 10 s and a RollingUpdate: the API's defaults, which the stored Deployment carries.
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/healthz', port: 'http' } });
    expect(container.imagePullPolicy).toBeUndefined();
    expect(find(chart, 'Deployment', 'temporal-ui').spec.strategy).toEqual({ rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(find(chart, 'PodDisruptionBudget', 'temporal-ui').spec.maxUnavailable).toBe(1);
    expect(find(chart, 'PodDisruptionBudget', 'temporal-ui').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(c.ui!.url).toBe('http://temporal-ui.temporal.svc:8080');
  });

  describe('drainDuration', () => {
    const pod = (drainDuration?: Duration) => {
      const chart = testChart();
      cluster(chart, { ui: { drainDuration } });
      return find(chart, 'Deployment', 'temporal-ui').spec.template.spec;
    };

    test('a stopping pod keeps serving 10 s before SIGTERM (the kubelet\'s sleep, no binary in the image), within a 30 s grace period', () => {
      const spec = pod();
      expect(spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
      expect(spec.terminationGracePeriodSeconds).toBe(30);
    });

    test('the grace period always outlasts the sleep (the API server refuses a longer sleep), with time to exit after it', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 600 }), (seconds) => {
        const spec = pod(Duration.seconds(seconds));
        expect(spec.containers[0].lifecycle.preStop.sleep.seconds).toBe(seconds);
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(Math.max(30, seconds + 15));
      }), { numRuns: 25 });
      expect(pod(Duration.minutes(10)).terminationGracePeriodSeconds).toBe(615);
    });

    test('0 s writes no preStop, which Kubernetes before 1.33 refuses as a sleep of 0', () => {
      const spec = pod(Duration.seconds(0));
      expect(spec.containers[0].lifecycle).toBeUndefined();
      expect(spec.terminationGracePeriodSeconds).toBe(30);
    });

    test('fails when it is not whole seconds from 0 s to 600 s', () => {
      for (const [d, shown] of [[Duration.seconds(601), '601s'], [Duration.millis(1500), '1.5s'], [Duration.hours(1), '3600s']] as const) {
        expect(() => pod(d)).toThrow(`ui of TemporalCluster 'temporal': drainDuration is "${shown}"; expected a whole number of seconds, from 0s to 600s`);
      }
    });
  });

  test('opens on a namespace the cluster creates when it creates none named "default" (the UI\'s own default)', () => {
    const env = (namespaces?: string[]) => {
      const chart = testChart();
      cluster(chart, { ui: {}, namespaces: namespaces?.map((name) => ({ name, retention: Duration.days(1) })) });
      return find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env;
    };
    expect(env(['orders', 'payments'])).toContainEqual({ name: 'TEMPORAL_DEFAULT_NAMESPACE', value: 'orders' });
    for (const namespaces of [undefined, ['orders', 'default']]) {
      expect(env(namespaces).map((e: { name: string }) => e.name)).not.toContain('TEMPORAL_DEFAULT_NAMESPACE');
    }
    // The UI's config template writes the name unquoted: a name YAML reads as a number is passed over.
    expect(env(['2024', 'orders'])).toContainEqual({ name: 'TEMPORAL_DEFAULT_NAMESPACE', value: 'orders' });
    expect(env(['2024']).map((e: { name: string }) => e.name)).not.toContain('TEMPORAL_DEFAULT_NAMESPACE');
  });

  describe('values the UI\'s config template writes into its YAML unquoted', () => {
    // Checked locally against gopkg.in/yaml.v3 v3.0.1 and sigs.k8s.io/yaml v1.6.0 (go-yaml v2) on
    // 20,000 generated values: none of those let through read back as anything but the value.
    const refused = ['1234', 'true', 'null', '~', 'yes', '0x1F', '1e3', '.5', 'a: b', 'ends:', 'a #b', '*alias', '&anchor', '!tag', "'quoted'", '"quoted"',
      '- item', '? key', '[list]', '{map}', '%directive', '@reserved', '`reserved', '|block', '>folded', ' lead', 'trail ', 'tab\there', '#comment', ',comma'];
    const accepted = ['temporal-ui', 'xxxxx-xxxx.apps.googleusercontent.com', '0oa1b2c3d4e5', '3fa85f64-5717-4562-b3fc-2c963f66afa6', 'a:b', 'a#b', '-dash', 'api://temporal/.default'];

    test('fails when a client id would not read back as written, naming the prop and why', () => {
      for (const clientId of refused) {
        expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, clientId } } })).toThrow(/oidc.clientId is .*; expected text the UI's config template reads back as written\. The UI writes it unquoted into its YAML config, and /);
      }
      for (const clientId of accepted) {
        const chart = testChart();
        cluster(chart, { ui: { oidc: { ...oidc, clientId } } });
        expect(find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env).toContainEqual({ name: 'TEMPORAL_AUTH_CLIENT_ID', value: clientId });
      }
    });

    test('fails when a scope, the provider URL or the callback URL would not read back as written', () => {
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, scopes: ['openid', 'true'] } } })).toThrow(/oidc.scopes\[1\] is "true"; expected text the UI's config template reads back/);
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, scopes: ['openid', '*all'] } } })).toThrow(/oidc.scopes\[1\] is "\*all"/);
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, providerUrl: 'https://idp.example.com/a #b' } } })).toThrow(/oidc.providerUrl is .*(reads back|expected an absolute URL)/);
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, scopes: ['openid', 'api://temporal/.default'] } } })).not.toThrow();
      expect(() => new TemporalUi(testChart(), 'ui', { frontendAddress: 'f:7233', defaultNamespace: 'null' } as any)).toThrow(/defaultNamespace is "null"; expected text the UI's config template reads back/);
    });
  });

  test('uses its own client certificate against a TLS frontend, under the UI\'s env names', () => {
    const chart = testChart();
    cluster(chart, { ui: {}, tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { ui: 'ui-client-tls' } }) });
    const pod = find(chart, 'Deployment', 'temporal-ui').spec.template.spec;
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'TEMPORAL_TLS_CERT', value: '/etc/temporal/tls/client/tls.crt' },
      { name: 'TEMPORAL_TLS_KEY', value: '/etc/temporal/tls/client/tls.key' },
      { name: 'TEMPORAL_TLS_CA', value: '/etc/temporal/tls/frontend/ca.crt' },
      { name: 'TEMPORAL_TLS_SERVER_NAME', value: 'temporal-frontend.temporal.svc.cluster.local' },
      { name: 'TEMPORAL_TLS_ENABLE_HOST_VERIFICATION', value: 'true' },
    ]));
    expect(pod.volumes).toContainEqual({ name: 'tls-client', secret: { secretName: 'ui-client-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } });
  });

  test('OIDC login takes its client secret from a Secret; an Ingress publishes it', () => {
    const chart = testChart();
    cluster(chart, { ui: { oidc, ingress: { host: 'temporal.example.com', className: 'nginx', tlsSecretName: 'temporal-ui-tls' } } });
    const env = find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'TEMPORAL_AUTH_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'ui-oidc', key: 'client-secret' } } });
    expect(env).toContainEqual({ name: 'TEMPORAL_AUTH_SCOPES', value: 'openid,profile,email' });
    expect(find(chart, 'Ingress', 'temporal-ui').spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['temporal.example.com'], secretName: 'temporal-ui-tls' }],
      rules: [{ host: 'temporal.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'temporal-ui', port: { name: 'http' } } } }] } }],
    });
  });

  test('oidc.useIdTokenAsBearer sends the ID token as the bearer: TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER, written only when on', () => {
    const envOf = (useIdTokenAsBearer?: boolean) => {
      const chart = testChart();
      cluster(chart, { ui: { oidc: { ...oidc, useIdTokenAsBearer } } });
      return find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env.filter((e: any) => e.name === 'TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER');
    };
    expect(envOf(true)).toEqual([{ name: 'TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER', value: 'true' }]);
    // Off is the UI's own default (the access token): nothing written, as before the prop.
    expect(envOf(false)).toEqual([]);
    expect(envOf(undefined)).toEqual([]);
  });

  test('its NetworkPolicy admits the configured peers to the UI port only', () => {
    const chart = testChart();
    cluster(chart, { ui: { allowFrom: [NetworkPeer.namespace('ingress-nginx')] } });
    const policies = objects(chart).filter((o) => o.kind === 'NetworkPolicy');
    const uiPod = { namespace: 'temporal', labels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/component': 'ui' } };
    expect(ingressAllowed(policies, { namespace: 'ingress-nginx', labels: {} }, uiPod, 8080)).toBe(true);
    expect(ingressAllowed(policies, { namespace: 'default', labels: {} }, uiPod, 8080)).toBe(false);
  });

  describe('fails when a setting needs a newer UI release than the image\'s (the UI ignores a variable its config template does not name)', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const withImage = (image: string, useIdTokenAsBearer = true) => () => cluster(testChart(), { ui: { image, oidc: { ...oidc, useIdTokenAsBearer } } });
    // A release as the UI image's tags write it, in a mirror too: v-prefixed, a build suffix, two parts, beside a digest.
    const spellings = (major: number, minor: number, patch: number) => [
      `temporalio/ui:${major}.${minor}.${patch}`, `temporalio/ui:v${major}.${minor}.${patch}`, `registry.example.com:5000/temporalio/ui:${major}.${minor}.${patch}-fips`,
      `temporalio/ui:${major}.${minor}`, `temporalio/ui:${major}.${minor}.${patch}@${digest}`, `registry.example.com/mirror/ui:v${major}.${minor}.${patch}`,
    ];
    test('oidc.useIdTokenAsBearer with any UI before 2.39.0, however the image names it', () => {
      const older = fc.oneof(
        fc.tuple(fc.constant(2), fc.integer({ min: 0, max: 38 }), fc.integer({ min: 0, max: 30 })),
        fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 30 })),
      );
      fc.assert(fc.property(older, fc.nat(5), ([major, minor, patch], which) => {
        const image = spellings(major, minor, patch)[which];
        const shown = image.includes(`${major}.${minor}.`) ? `${major}.${minor}.${patch}` : `${major}.${minor}`;
        expect(withImage(image)).toThrow(`ui of TemporalCluster 'temporal': oidc.useIdTokenAsBearer is true; expected false or unset with the UI image ${image} (UI ${shown}), or a UI image of 2.39.0 or later. `
          + 'UI releases before 2.39.0 do not read TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER, so the UI would go on sending the access token as the bearer.');
        expect(withImage(image, false)).not.toThrow();
      }), { numRuns: 60 });
    });
    test('passes 2.39.0 and later, the default image, and an image whose reference names no release (a digest alone, a build tag)', () => {
      fc.assert(fc.property(fc.integer({ min: 39, max: 99 }), fc.integer({ min: 0, max: 30 }), fc.nat(5), (minor, patch, which) => {
        expect(withImage(spellings(2, minor, patch)[which])).not.toThrow();
      }), { numRuns: 30 });
      for (const image of [`temporalio/ui:3.0.0`, `temporalio/ui@${digest}`, `temporalio/ui:latest@${digest}`, `temporalio/ui:build-42@${digest}`, `temporalio/ui:2025-06-25@${digest}`]) {
        expect(withImage(image)).not.toThrow();
      }
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, useIdTokenAsBearer: true } } })).not.toThrow();
    });
    test('passes an image whose release is not the UI\'s: a mirror laid out by server release, an in-house image of another name with versions of its own', () => {
      for (const image of [`harbor.example.com/temporal-1.31.5/ui@${digest}`, `registry.example.com/1_31_5/ui:build-7`, 'ghcr.io/acme/temporal-ui:1.4.0',
        `registry.example.com/ui-2.38.3@${digest}`, 'acme/ui-server:2.30.0']) {
        expect(withImage(image)).not.toThrow();
      }
    });
    describe('ui.release, the UI release an image is built from when its reference does not say', () => {
      const withRelease = (image: string, release: string | undefined, useIdTokenAsBearer = true) => () => cluster(testChart(), { ui: { image, release, oidc: { ...oidc, useIdTokenAsBearer } } });
      // References that name no UI release, or another program's version, in every form the tag reading passes or misreads.
      const unnamed = [`temporalio/ui@${digest}`, `registry.example.com/acme/ui@${digest}`, 'registry.example.com/acme/ui:3.1.0', 'registry.example.com/acme/ui:build-42',
        'ghcr.io/acme/temporal-ui:1.4.0', `harbor.example.com/temporal-1.31.5/ui@${digest}`];
      test('fails when the declared release is older than a setting needs, whatever the reference says', () => {
        fc.assert(fc.property(fc.constantFrom(...unnamed), fc.integer({ min: 0, max: 38 }), fc.integer({ min: 0, max: 30 }), (image, minor, patch) => {
          expect(withRelease(image, `2.${minor}.${patch}`)).toThrow(`ui of TemporalCluster 'temporal': oidc.useIdTokenAsBearer is true; expected false or unset with the UI image ${image} (UI 2.${minor}.${patch}, as release says), or a UI image of 2.39.0 or later.`);
          expect(withRelease(image, `2.${minor}.${patch}`, false)).not.toThrow();
        }), { numRuns: 60 });
      });
      test('an in-house image named ui whose tag is its own version is read by its declared release, not its tag', () => {
        expect(withRelease('registry.example.com/acme/ui:1.4.0', undefined)).toThrow(/UI 1\.4\.0\)[^]*set release to the UI release it is built from/);
        expect(withRelease('registry.example.com/acme/ui:1.4.0', '2.52.0')).not.toThrow();
        expect(withRelease('registry.example.com/acme/ui:3.1.0', '2.38.3')).toThrow(/\(UI 2\.38\.3, as release says\)/);
      });
      test('fails when the release is not MAJOR.MINOR.PATCH', () => {
        fc.assert(fc.property(fc.oneof(
          fc.tuple(fc.nat(9), fc.nat(99)).map(([a, b]) => `${a}.${b}`),
          fc.tuple(fc.nat(9), fc.nat(99), fc.nat(30)).map(([a, b, c]) => `v${a}.${b}.${c}`),
          fc.tuple(fc.nat(9), fc.nat(99), fc.nat(30), fc.constantFrom('-rc1', '-fips', '.1', ' ')).map(([a, b, c, s]) => `${a}.${b}.${c}${s}`),
          fc.constantFrom('', 'latest', '02.52.0'),
        ), (release) => {
          expect(withRelease(`temporalio/ui@${digest}`, release)).toThrow(`ui of TemporalCluster 'temporal': release is ${JSON.stringify(release)}; expected the UI release the image is built from, as MAJOR.MINOR.PATCH`);
        }), { numRuns: 60 });
        expect(withRelease(`temporalio/ui@${digest}`, 2.52 as never)).toThrow(/release is 2\.52; expected the UI release/);
      });
      test('fails when given without ui.image and not the default image\'s release, which the library chose', () => {
        const withoutImage = (release: string, images?: object) => () => cluster(testChart(), { images, ui: { release, oidc } });
        fc.assert(fc.property(fc.tuple(fc.nat(3), fc.nat(60), fc.nat(9)).map((parts) => parts.join('.')).filter((r) => r !== DEFAULT_UI_VERSION),
          fc.constantFrom(undefined, { repository: 'registry.example.com/mirror' }, { digests: { ui: digest } }), (release, images) => {
            expect(withoutImage(release, images)).toThrow(`TemporalCluster 'temporal': ui.release is "${release}"; expected the release of the library's default UI image (${DEFAULT_UI_VERSION}), or no release, since ui.image is not set.`);
          }), { numRuns: 40 });
        expect(withoutImage(DEFAULT_UI_VERSION)).not.toThrow();
      });
      test('fails when it contradicts the official image\'s tag, which is the release', () => {
        fc.assert(fc.property(fc.constantFrom('', 'docker.io/', 'index.docker.io/'), fc.integer({ min: 39, max: 60 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (registry, minor, patch, off) => {
          const image = `${registry}temporalio/ui:2.${minor}.${patch}`;
          expect(withRelease(image, `2.${minor}.${patch + off}`)).toThrow(`release is "2.${minor}.${patch + off}"; expected the release the official image's tag names (2.${minor}.${patch}), or no release.`);
          expect(withRelease(image, `2.${minor}.${patch}`)).not.toThrow();
          expect(withRelease(`${registry}temporalio/ui:2.${minor}`, `2.${minor}.${patch}`)).not.toThrow();
        }), { numRuns: 30 });
        // The registry host in any case is the same registry: Docker.io and INDEX.DOCKER.IO pull the official image.
        const anyCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
        fc.assert(fc.property(fc.constantFrom('docker.io', 'index.docker.io', 'registry-1.docker.io').chain(anyCase), fc.integer({ min: 39, max: 60 }), (host, minor) => {
          expect(withRelease(`${host}/temporalio/ui:2.${minor}.0`, `2.${minor}.1`)).toThrow(`release is "2.${minor}.1"; expected the release the official image's tag names (2.${minor}.0), or no release.`);
        }), { numRuns: 30 });
      });
    });
  });

  describe('fails when the UI presents a client certificate and its release reads it only at start (before 2.37.3)', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    // Every way the UI gets a client certificate: cert-manager issues it, or a Secret holds it; the frontend requires one either way.
    const tlsOf = [
      () => ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER } }),
      () => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { ui: 'ui-client-tls' } }),
    ];
    const withUi = (tls: ClusterTls | undefined, image: string, release?: string) => () => cluster(testChart(), { tls, ui: { image, release, allowAnonymous: true } });
    const older = fc.oneof(
      fc.tuple(fc.constant(2), fc.integer({ min: 0, max: 36 }), fc.integer({ min: 0, max: 30 })),
      fc.tuple(fc.constant(2), fc.constant(37), fc.integer({ min: 0, max: 2 })),
      fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 30 })),
    );
    test('refused for any such release, tagged in any spelling or declared by ui.release, with either source of certificates', () => {
      fc.assert(fc.property(older, fc.nat(1), fc.nat(2), ([major, minor, patch], which, spelling) => {
        const version = `${major}.${minor}.${patch}`;
        const image = [`temporalio/ui:${version}`, `temporalio/ui:v${version}`, `registry.example.com/mirror/ui:${version}-fips`][spelling];
        expect(withUi(tlsOf[which](), image)).toThrow(`ui of TemporalCluster 'temporal': image is "${image}"; expected a UI image of 2.37.3 or later, since the UI presents a client certificate to the frontend (this one is UI ${version}). `
          + 'UI releases before 2.37.3 read the client certificate once, at start: a renewed certificate never reaches the running pods');
        expect(withUi(tlsOf[which](), `temporalio/ui@${digest}`, version)).toThrow(`(this one is UI ${version}, as release says)`);
      }), { numRuns: 60 });
    });
    test('passes 2.37.3 and later, the default image, an image that names no release, and an older UI that presents no certificate', () => {
      fc.assert(fc.property(fc.oneof(fc.tuple(fc.constant(37), fc.integer({ min: 3, max: 30 })), fc.tuple(fc.integer({ min: 38, max: 99 }), fc.integer({ min: 0, max: 30 }))), fc.nat(1), ([minor, patch], which) => {
        expect(withUi(tlsOf[which](), `temporalio/ui:2.${minor}.${patch}`)).not.toThrow();
      }), { numRuns: 30 });
      expect(() => cluster(testChart(), { tls: tlsOf[0](), ui: { allowAnonymous: true } })).not.toThrow();
      expect(withUi(tlsOf[0](), `temporalio/ui@${digest}`)).not.toThrow();
      // No client certificate: no TLS, or a frontend that asks for none, or one that serves plaintext.
      expect(withUi(undefined, 'temporalio/ui:2.30.0')).not.toThrow();
      expect(withUi(ClusterTls.certManager({ issuer: { name: 'ca' }, requireClientAuth: false }), 'temporalio/ui:2.30.0')).not.toThrow();
      expect(withUi(ClusterTls.certManager({ issuer: { name: 'ca' }, frontend: false }), 'temporalio/ui:2.30.0')).not.toThrow();
    });
    test('passes a tag that names 2.37 without its patch (it may be any 2.37.x), refuses one that names an older minor', () => {
      fc.assert(fc.property(fc.constantFrom('temporalio/ui:2.37', 'temporalio/ui:v2.37', 'registry.example.com/mirror/ui:release-2.37'), fc.nat(1), (image, which) => {
        expect(withUi(tlsOf[which](), image)).not.toThrow();
        expect(withUi(tlsOf[which](), image.replace('2.37', '2.36'))).toThrow('expected a UI image of 2.37.3 or later, since the UI presents a client certificate to the frontend (this one is UI 2.36).');
      }), { numRuns: 6 });
    });
  });

  describe('fails when', () => {
    test('an OIDC URL is not a URL or the client secret is a literal', () => {
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, callbackUrl: '/callback' } } })).toThrow(/ui of TemporalCluster 'temporal': oidc.callbackUrl is "\/callback"; expected an absolute URL \(http or https\)/);
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, clientSecret: 'hunter2' as any } } })).toThrow(/oidc.clientSecret is "\(a string\)"; expected a SecretRef/);
    });
    test('the provider URL is the discovery document\'s or has a query or fragment: the UI appends /.well-known/openid-configuration and no login ever works', () => {
      const envOf = (providerUrl: string) => () => {
        const chart = testChart();
        cluster(chart, { ui: { oidc: { ...oidc, providerUrl } } });
        return find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env.find((e: any) => e.name === 'TEMPORAL_AUTH_PROVIDER_URL').value;
      };
      for (const providerUrl of ['https://idp.example.com/.well-known/openid-configuration', 'https://idp.example.com/realms/t/.WELL-KNOWN/openid-configuration',
        'https://idp.example.com/?tenant=a', 'https://idp.example.com/#x', 'https://idp.example.com/?']) {
        expect(envOf(providerUrl)).toThrow(/oidc.providerUrl is .*; expected the issuer URL, without \/.well-known\/..., a query or a fragment.*appends \/.well-known\/openid-configuration/);
      }
      // Issuers with a path or a trailing slash (Auth0's) pass as written.
      expect(envOf('https://idp.example.com/realms/temporal')()).toBe('https://idp.example.com/realms/temporal');
      expect(envOf('https://tenant.auth0.com/')()).toBe('https://tenant.auth0.com/');
    });
    test('the provider URL spells the issuer otherwise than its discovery document (case, default port, trailing dot, dot segments): the UI compares them as text and exits', () => {
      const envOf = (providerUrl: string, allowPlaintextProvider?: boolean) => () => {
        const chart = testChart();
        cluster(chart, { ui: { oidc: { ...oidc, providerUrl, allowPlaintextProvider } } });
        return find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env.find((e: any) => e.name === 'TEMPORAL_AUTH_PROVIDER_URL').value;
      };
      const cases: Array<[string, string]> = [
        ['https://IDP.example.com/realms/Temporal', 'https://idp.example.com/realms/Temporal'],
        ['HTTPS://idp.example.com', 'https://idp.example.com'],
        ['https://idp.example.com:443/realms/t', 'https://idp.example.com/realms/t'],
        ['https://idp.example.com:/realms/t', 'https://idp.example.com/realms/t'],
        ['https://idp.example.com./realms/t', 'https://idp.example.com/realms/t'],
        ['https://idp.example.com.:8443/realms/t', 'https://idp.example.com:8443/realms/t'],
        ['https:\\\\idp.example.com\\realms', 'https://idp.example.com/realms'],
        ['https://[0:0::1]:8443/t', 'https://[::1]:8443/t'],
        ['https://idp.example.com/realms/../realms/t', 'https://idp.example.com/realms/t'],
        ['https://idp.example.com/realms/./t', 'https://idp.example.com/realms/t'],
        ['https://idp.example.com/realms/%2E%2e/realms/t', 'https://idp.example.com/realms/t'],
        ['https://idp.example.com//realms//t', 'https://idp.example.com/realms/t'],
      ];
      for (const [providerUrl, issuer] of cases) {
        const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        expect(envOf(providerUrl)).toThrow(new RegExp(`ui of TemporalCluster 'temporal': oidc.providerUrl is "${escaped(JSON.stringify(providerUrl).slice(1, -1))}"; `
          + `expected the issuer as the provider's discovery document writes it: scheme and host in lower case, without a default port, a trailing dot, "\\." or "\\.\\." segments or "//" \\(${escaped(issuer)}\\)`
          + '.*compares that document\'s issuer with providerUrl character for character.*crash-loop.*Copy "issuer"'));
        expect(envOf(issuer)()).toBe(issuer);
      }
      expect(envOf('http://IDP.internal:80/realms/t', true)).toThrow(/oidc.providerUrl is "http:\/\/IDP.internal:80\/realms\/t"; expected the issuer .*\(http:\/\/idp.internal\/realms\/t\)/);
      // A port that is not the scheme's default is part of the issuer.
      expect(envOf('https://idp.example.com:8443/realms/t')()).toBe('https://idp.example.com:8443/realms/t');
    });
    test('useIdTokenAsBearer is not a boolean, or is set without an OIDC login (auth off: the UI sends no token to choose)', () => {
      // The text "false" would read as true: the UI would send ID tokens the authorizer may not take.
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, useIdTokenAsBearer: 'false' as never } } })).toThrow(/oidc.useIdTokenAsBearer is "false"; expected true or false/);
      for (const ui of [{ useIdTokenAsBearer: true }, { useIdTokenAsBearer: true, allowAnonymous: true }]) {
        expect(() => cluster(testChart(), { ui: ui as never })).toThrow(/ui.useIdTokenAsBearer is not a prop of UiOptions: the key "useIdTokenAsBearer" would be ignored; .* set oidc.useIdTokenAsBearer, with oidc; without a login the UI sends no token at all/);
      }
      expect(() => new TemporalUi(testChart(), 'ui', { frontendAddress: 'f:7233', useIdTokenAsBearer: true } as any)).toThrow(/useIdTokenAsBearer is not a prop of TemporalUiProps: .* set oidc.useIdTokenAsBearer/);
    });
    test('the provider is not https (the login and the client secret in the clear), unless allowPlaintextProvider says so', () => {
      for (const providerUrl of ['http://idp.example.com', 'HTTP://idp.example.com/realms/x']) {
        expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, providerUrl } } }))
          .toThrow(new RegExp(`oidc.providerUrl is "${providerUrl}"; expected an https:// issuer URL.*allowPlaintextProvider: true`));
      }
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, providerUrl: 'http://idp.example.com/realms/x', allowPlaintextProvider: true } } })).not.toThrow();
      expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, providerUrl: 'http://idp', allowPlaintextProvider: 'true' as any } } }))
        .toThrow(/oidc.allowPlaintextProvider is "true"; expected true or false/);
    });
    test('the callback URL would never reach the UI: another path, a query, another host than the Ingress\'s, or plain http off localhost', () => {
      const withIngress = (callbackUrl: string, host = 'temporal.example.com') => () =>
        cluster(testChart(), { ui: { oidc: { ...oidc, callbackUrl }, ingress: { host, tlsSecretName: 'ui-tls' } } });
      for (const callbackUrl of ['https://temporal.example.com/callback', 'https://temporal.example.com/auth/sso', 'https://temporal.example.com/auth/sso/callback/', 'https://temporal.example.com/auth/sso/callback?x=1',
        // A bare "?" or "#" too, which URL parses to an empty query or fragment: a redirect URI has no fragment (RFC 6749 3.1.2).
        'https://temporal.example.com/auth/sso/callback?', 'https://temporal.example.com/auth/sso/callback#']) {
        expect(withIngress(callbackUrl)).toThrow(/oidc.callbackUrl is .*; expected a URL whose path is \/auth\/sso\/callback.*Such as https:\/\/temporal.example.com\/auth\/sso\/callback/);
      }
      // A path prefix, in any spelling: the UI serves its pages, assets and API at the root (no public path), so only the callback could be routed there.
      fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-zA-Z0-9._~%-]{1,8}$/).filter((seg) => !/^(\.|%2e){1,2}$/i.test(seg)), { minLength: 1, maxLength: 3 }), fc.boolean(), (segments, ingress) => {
        // Dot segments are no prefix: URL resolves them away.
        const callbackUrl = `${ingress ? 'https://temporal.example.com' : 'http://localhost:8080'}/${segments.join('/')}/auth/sso/callback`;
        const build = ingress ? withIngress(callbackUrl) : () => cluster(testChart(), { ui: { oidc: { ...oidc, callbackUrl } } });
        expect(build).toThrow(/oidc.callbackUrl is .*; expected a URL whose path is \/auth\/sso\/callback, where the UI receives the login. The UI is served at the root of its host/);
      }), { numRuns: 50 });
      for (const path of ['//auth/sso/callback', '/AUTH/sso/callback', '/auth/sso/%63allback', '/auth//sso/callback']) {
        expect(withIngress(`https://temporal.example.com${path}`)).toThrow(/expected a URL whose path is \/auth\/sso\/callback/);
      }
      for (const callbackUrl of ['https://ui.example.com/auth/sso/callback', 'https://temporal.example.com.evil.example/auth/sso/callback', 'https://a.b.example.com/auth/sso/callback']) {
        expect(withIngress(callbackUrl, callbackUrl.includes('a.b.') ? '*.example.com' : 'temporal.example.com'))
          .toThrow(/expected a URL on the Ingress host .*which this UI's Ingress does not serve/);
      }
      expect(withIngress('http://temporal.example.com/auth/sso/callback')).toThrow(/expected an https:\/\/ URL \(http:\/\/ only on localhost, for a port-forward\)/);
      // Accepted: the Ingress host in any case, a wildcard rule, and http on localhost without an Ingress.
      expect(withIngress('https://TEMPORAL.example.com/auth/sso/callback')).not.toThrow();
      expect(withIngress('https://temporal.example.com/auth/sso/callback', '*.example.com')).not.toThrow();
      for (const callbackUrl of ['http://localhost:8080/auth/sso/callback', 'http://127.0.0.1:8080/auth/sso/callback', 'http://[::1]:8080/auth/sso/callback']) {
        expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, callbackUrl } } })).not.toThrow();
      }
    });
    test('the scopes would ask for no ID token, or split into others', () => {
      for (const scopes of [[], ['profile', 'email'], ['openid', 'a,b'], ['openid', 'two words'], ['openid', ''], 'openid' as any]) {
        expect(() => cluster(testChart(), { ui: { oidc: { ...oidc, scopes } } })).toThrow(/oidc.scopes is .*; expected a list (that includes "openid"|of OAuth scopes)/);
      }
      const chart = testChart();
      cluster(chart, { ui: { oidc: { ...oidc, scopes: ['openid', 'groups', 'offline_access'] } } });
      const env = find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'TEMPORAL_AUTH_SCOPES', value: 'openid,groups,offline_access' });
    });
    test('replicas is negative or the Ingress has no host', () => {
      expect(() => cluster(testChart(), { ui: { replicas: -1 } })).toThrow(/ui of TemporalCluster 'temporal': replicas is -1/);
      expect(() => cluster(testChart(), { ui: { oidc, ingress: { host: '', tlsSecretName: 'ui-tls' } } })).toThrow(/ingress.host is ""; expected a DNS name/);
    });
    test('the Ingress host is an IP address', () => {
      // The API server refused the Ingress: "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address".
      expect(() => cluster(testChart(), { ui: { oidc, ingress: { host: '10.0.0.1', tlsSecretName: 'ui-tls' } } }))
        .toThrow(/ui of TemporalCluster 'temporal': ingress.host is "10.0.0.1"; expected a DNS name, not an IP address\. An Ingress routes by host name/);
      const wildcardOidc = { ...oidc, callbackUrl: 'https://temporal.ui.example.com/auth/sso/callback' };
      expect(() => cluster(testChart(), { ui: { oidc: wildcardOidc, ingress: { host: '*.ui.example.com', tlsSecretName: 'ui-tls' } } })).not.toThrow();
    });
    test('the Ingress host ends in a number, which a browser reads as an IPv4 address (the API server takes it)', () => {
      const props = (host: string) => ({ ui: { allowAnonymous: true, ingress: { host, tlsSecretName: 'ui-tls' } } });
      for (const host of ['ui.1', 'temporal.0x1f', 'ui.example.09', '1.2.3', '*.ui.7']) {
        expect(() => cluster(testChart(), props(host))).toThrow(`ui of TemporalCluster 'temporal': ingress.host is "${host}"; expected a DNS name whose last label is not a number`);
      }
      for (const host of ['ui.example.com', 'ui-1.example.com', 'temporal.b1', '*.ui.example.com', '7.example.com']) {
        expect(() => cluster(testChart(), props(host))).not.toThrow();
      }
    });
    test('authorization is on and the UI has no login, so it could read nothing', () => {
      const props = { internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks.json'] } };
      expect(() => cluster(testChart(), { ...props, ui: {} })).toThrow(/ui of TemporalCluster 'temporal': oidc is undefined; expected an OIDC login while authorization is on.*PERMISSION_DENIED.*ui.allowAnonymous: true/);
      expect(() => cluster(testChart(), { ...props, ui: { allowAnonymous: true } })).not.toThrow();
      expect(() => cluster(testChart(), { ...props, ui: { oidc } })).not.toThrow();
    });
    test('an Ingress publishes the UI but allowFrom is empty: no controller could reach its port', () => {
      const ingress = { host: 'temporal.example.com', tlsSecretName: 'ui-tls' };
      expect(() => cluster(testChart(), { ui: { oidc, ingress, allowFrom: [] } })).toThrow(new RegExp('ui of TemporalCluster \'temporal\': allowFrom is \\[\\]; '
        + 'expected the peers that include the Ingress controller\'s pods, since ingress publishes the UI\\. An empty list admits nobody .*NetworkPeer.namespace\\("ingress-nginx"\\).*port-forward'));
      // Without an Ingress an empty list is the port-forward-only UI (no policy opens its port past deny-all); with a peer, the controller's namespace.
      const policyPeers = (ui: Record<string, unknown>) => {
        const chart = testChart();
        cluster(chart, { ui });
        return objects(chart).filter((o) => o.kind === 'NetworkPolicy' && /-ui$/.test(o.metadata.name)).map((o) => o.spec.ingress);
      };
      expect(policyPeers({ allowFrom: [] })).toEqual([]);
      expect(policyPeers({ oidc, ingress, allowFrom: [NetworkPeer.namespace('ingress-nginx')] })).toEqual([[expect.objectContaining({ from: [expect.objectContaining({ namespaceSelector: expect.anything() })] })]]);
    });
    test('an Ingress exposes the UI without login, or without TLS', () => {
      expect(() => cluster(testChart(), { ui: { ingress: { host: 'ui.example.com', tlsSecretName: 'ui-tls' } } }))
        .toThrow(/oidc is undefined; expected an OIDC login for a UI behind an Ingress. Anyone who reaches the host could use the UI/);
      expect(() => cluster(testChart(), { ui: { oidc, ingress: { host: 'ui.example.com' } } }))
        .toThrow(/ingress.tlsSecretName is undefined; expected a kubernetes.io\/tls Secret for the host.*ingress.allowPlaintext: true/);
      // A controller that serves the host with a certificate of its own (ALB with an ACM certificate) is named as a case for it.
      expect(() => cluster(testChart(), { ui: { oidc, ingress: { host: 'ui.example.com', className: 'alb' } } }))
        .toThrow(/or if the controller serves the host with a certificate the Ingress does not name \(an AWS load balancer's alb.ingress.kubernetes.io\/certificate-arn, GKE managed certificates, ingress-nginx's default certificate\)\./);
      expect(() => cluster(testChart(), { ui: { allowAnonymous: true, ingress: { host: 'ui.example.com', allowPlaintext: true } } })).not.toThrow();
    });
    test('the Ingress\'s kubernetes.io/ingress.class annotation names another class than className: the API server refuses to create it', () => {
      const ui = (className: string | undefined, annotated: string) => () => cluster(testChart(), { ui: { oidc, ingress: { host: 'temporal.example.com', tlsSecretName: 'ui-tls', className, annotations: { 'kubernetes.io/ingress.class': annotated } } } });
      expect(ui('nginx', 'traefik')).toThrow(/ui of TemporalCluster 'temporal': ingress.annotations\["kubernetes.io\/ingress.class"\] is "traefik"; expected the IngressClass ingress.className names \("nginx"\), or no such annotation\. The API server refuses .*"must match `ingressClassName` when both are specified"\)\. Drop the annotation/);
      // Any other spelling of the same class is another string to the API server.
      for (const annotated of ['Nginx', 'nginx ', ' nginx', '']) expect(ui('nginx', annotated)).toThrow(/ingress.annotations\["kubernetes.io\/ingress.class"\] is/);
      expect(ui('nginx', 'nginx')).not.toThrow();
      expect(ui(undefined, 'traefik')).not.toThrow();
      const chart = testChart();
      cluster(chart, { ui: { oidc, ingress: { host: 'temporal.example.com', tlsSecretName: 'ui-tls', className: 'nginx', annotations: { 'kubernetes.io/ingress.class': 'nginx' } } } });
      expect(k8sViolations(objects(chart))).toEqual([]);
      // The checker the generated apps go through knows the rule too.
      expect(k8sViolations([{ kind: 'Ingress', metadata: { name: 'ui', annotations: { 'kubernetes.io/ingress.class': 'traefik' } }, spec: { ingressClassName: 'nginx' } }]))
        .toEqual(['Ingress/ui: metadata.annotations.kubernetes.io/ingress.class: "traefik" must match ingressClassName "nginx"']);
    });
    test('the Ingress would serve the Secret of the OIDC client secret, handing it to the Ingress controller', () => {
      const ui = (tlsSecretName: string, secretName: string) => () => cluster(testChart(), { ui: { oidc: { ...oidc, clientSecret: SecretRef.of(secretName, 'client-secret') }, ingress: { host: 'temporal.example.com', tlsSecretName } } });
      expect(ui('temporal-ui', 'temporal-ui')).toThrow(/ui of TemporalCluster 'temporal': ingress.tlsSecretName is "temporal-ui"; expected a certificate Secret for the host, not temporal-ui, the Secret oidc.clientSecret reads\. The Ingress controller would hold the OIDC client secret; issue a certificate for temporal\.example\.com in a Secret of its own\./);
      fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/), (tls, secret) => {
        if (tls === secret) expect(ui(tls, secret)).toThrow(/ingress.tlsSecretName is .*the Secret oidc.clientSecret reads/);
        else expect(ui(tls, secret)).not.toThrow();
      }), { numRuns: 30 });
    });
    test('the Ingress would serve the OIDC client secret\'s Secret on a TemporalUi built on its own, given no cluster Secrets: one check holds for it too', () => {
      const c = cluster(testChart());
      const own = (tlsSecretName: string, clusterSecrets?: Map<string, string>) => () => new TemporalUi(testChart(), 'own-ui', {
        clusterName: 'temporal', namespace: 'temporal', labels: {}, frontendAddress: c.frontend.grpcAddress, authorizationEnabled: false, client: c.adminClient(),
        imagePullSecrets: [], namespaceCheckImage: c.adminToolsImage, clusterSecrets, oidc: { ...oidc, clientSecret: SecretRef.of('ui-oidc', 'client-secret') }, ingress: { host: 'temporal.example.com', tlsSecretName },
      });
      expect(own('ui-oidc')).toThrow(/^ui of TemporalCluster 'temporal': ingress.tlsSecretName is "ui-oidc"; expected a certificate Secret for the host, not ui-oidc, the Secret oidc.clientSecret reads\. The Ingress controller would hold the OIDC client secret/);
      // A Secret both the cluster and the OIDC client read is named as the cluster's, whose private key it holds.
      expect(own('ui-oidc', new Map([['ui-oidc', 'internode']]))).toThrow(/not the cluster's internode Secret\. The Ingress controller would hold the internode private key/);
      // Past the Ingress, the UI built on its own is refused for its client.
      expect(own('ui-tls')).toThrow(/client is "\(a client built outside a TemporalCluster\)"/);
    });
    test('the Ingress would serve a Secret of the cluster\'s stores (credentials, schema credentials, TLS files), handing it to the Ingress controller', () => {
      const ref = (name: string) => SecretRef.of(name, 'key');
      const ui = (tlsSecretName: string) => () => {
        const chart = testChart();
        const persistence = new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: 'pg', database: 't', user: ref('db-user'), password: ref('db-password'), schemaCredentials: { user: 'admin', password: ref('db-admin') } }),
          visibilityStore: Datastore.mysql({ host: 'my', database: 'v', user: 'u', password: ref('vis-password'), tls: { ca: ref('vis-ca'), clientCertificate: ref('vis-cert'), clientKey: ref('vis-key') } }),
        });
        return cluster(chart, { persistence, ui: { oidc, ingress: { host: 'temporal.example.com', tlsSecretName } } });
      };
      for (const [secret, role] of [['db-user', 'default'], ['db-password', 'default'], ['db-admin', 'default'], ['vis-password', 'visibility'], ['vis-ca', 'visibility'], ['vis-cert', 'visibility'], ['vis-key', 'visibility']]) {
        expect(ui(secret)).toThrow(new RegExp(`ui of TemporalCluster 'temporal': ingress.tlsSecretName is "${secret}"; expected a certificate Secret for the host, not the cluster's ${role} store's credentials Secret\\. `
          + `The Ingress controller would hold the ${role} store's credentials; issue a certificate for temporal.example.com in a Secret of its own\\.`));
      }
      expect(ui('temporal-ui-tls')).not.toThrow();
    });
    test('the Ingress would serve one of the cluster\'s TLS Secrets, handing its private key to the Ingress controller', () => {
      const ui = (tlsSecretName: string) => ({ allowAnonymous: true, ingress: { host: 'ui.example.com', tlsSecretName } });
      const fromSecrets = ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', systemWorker: 'worker-tls', clients: { ui: 'ui-client-tls' } });
      for (const [secret, what] of [['internode-tls', 'internode'], ['frontend-tls', 'frontend'], ['worker-tls', 'system-worker'], ['ui-client-tls', 'UI client']]) {
        expect(() => cluster(testChart(), { tls: fromSecrets, ui: ui(secret) }))
          .toThrow(new RegExp(`ui of TemporalCluster 'temporal': ingress.tlsSecretName is "${secret}"; expected a certificate Secret for the host, not the cluster's ${what} Secret. The Ingress controller would hold the ${what} private key`));
      }
      expect(() => cluster(testChart(), { tls: ClusterTls.certManager({ issuer: { name: 'ca' } }), ui: ui('temporal-internode-tls') })).toThrow(/not the cluster's internode Secret/);
      expect(() => cluster(testChart(), { tls: fromSecrets, ui: ui('ui-example-com-tls') })).not.toThrow();
    });
    test('an escape hatch is not a boolean: the string "false" from untyped code would open it', () => {
      for (const value of ['false', 'true', null, 0, 1]) {
        expect(() => cluster(testChart(), { ui: { allowAnonymous: value as any, ingress: { host: 'ui.example.com', tlsSecretName: 'ui-tls' } } }))
          .toThrow(new RegExp(`(ui of )?TemporalCluster 'temporal': (props\\.ui\\.)?allowAnonymous is ${JSON.stringify(value)}; expected true or false \\(or leave it out for false\\)`));
        expect(() => cluster(testChart(), { ui: { oidc, ingress: { host: 'ui.example.com', allowPlaintext: value as any } } }))
          .toThrow(new RegExp(`ingress.allowPlaintext is ${JSON.stringify(value)}; expected true or false`));
      }
    });
  });
});
