import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { ArchivalProvider, ClusterSize, ClusterTls, Datastore, DynamicConfigValue, IssuerKind, NetworkPeer, Persistence, SecretRef } from '../lib';
import {
  compareQuantities, isQualifiedName, joinHostPort, parseQuantity, renderSize, requireCidr, requireDnsName, requireEnvVarName, requireHost, requireHostPort,
  requireInt32, requireLabelValue, requireQuantity,
} from '../lib/validation';
import { cluster, find, objects, PASSWORD, testChart } from './support/synth';

const O = 'T';

describe('validators', () => {
  test('label keys and values follow the API server syntax', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toBe(true);
    expect(isQualifiedName('a'.repeat(63))).toBe(true);
    for (const bad of ['has space', 'a'.repeat(64), '/x', 'Upper.Prefix/x', '-a', 'a/b/c', '']) expect(isQualifiedName(bad)).toBe(false);
    expect(requireLabelValue(O, 'v', '')).toBe('');
    expect(() => requireLabelValue(O, 'v', 'two words')).toThrow(/T: v is "two words"; expected a label value/);
  });

  test('env var names', () => {
    expect(requireEnvVarName(O, 'env', 'my.var-1')).toBe('my.var-1');
    expect(() => requireEnvVarName(O, 'env', '1ABC')).toThrow(/env is "1ABC"; expected an env var name/);
    expect(() => requireEnvVarName(O, 'env', 'A B')).toThrow(/expected an env var name/);
  });

  test('int32', () => {
    expect(requireInt32(O, 'replicas', 2 ** 31 - 1, 0)).toBe(2 ** 31 - 1);
    expect(() => requireInt32(O, 'replicas', 2 ** 31, 0)).toThrow(/replicas is 2147483648; expected an integer at least 0 and at most 2147483647/);
  });

  test('quantities parse exactly and compare without rounding', () => {
    for (const ok of ['1.5Gi', '1536Mi', '0.5', '500m', '1e3', '.5', '2k']) expect(requireQuantity(O, 'cpu', ok)).toBe(ok);
    for (const bad of ['-500m', 'NaN', '1 Gi', '1GB', '', 'Infinity']) expect(() => requireQuantity(O, 'cpu', bad)).toThrow(/expected a quantity/);
    expect(compareQuantities(parseQuantity('1.5Gi')!, parseQuantity('1536Mi')!)).toBe(0);
    expect(compareQuantities(parseQuantity('1001m')!, parseQuantity('1')!)).toBe(1);
    // Parsed once per distinct text: a second parse gives the same value, a bad text stays bad.
    expect(parseQuantity('1.5Gi')).toEqual({ numerator: 16106127360n, denominator: 10n });
    expect(compareQuantities(parseQuantity('1.5Gi')!, parseQuantity('1536Mi')!)).toBe(0);
    expect(parseQuantity('250m')).toEqual({ numerator: 250n, denominator: 1000n });
    expect(parseQuantity('250m')).toEqual({ numerator: 250n, denominator: 1000n });
    expect(parseQuantity('1GB')).toBeUndefined();
    expect(parseQuantity('1GB')).toBeUndefined();
    expect(parseQuantity(500)).toBeUndefined();
  });

  test('sizes render exactly, in Mi when whole, else Ki', () => {
    expect(renderSize(O, 'memory', Size.gibibytes(1.5))).toBe('1536Mi');
    expect(renderSize(O, 'memory', Size.kibibytes(1500))).toBe('1500Ki');
    expect(() => renderSize(O, 'memory.limit', Size.tebibytes(1e18))).toThrow(/T: memory.limit is .*; expected a size that is a whole number of KiB/);
  });

  test('hosts: a port in the host is refused with the remedy, IPv6 is bracketed', () => {
    expect(() => requireHost(O, 'host', 'pg.db.svc:5432')).toThrow(/host is "pg.db.svc:5432"; expected a host name or IP address without a port. Give the port in port \(5432\)/);
    expect(requireHost(O, 'host', '[fd00::1]')).toBe('fd00::1');
    expect(joinHostPort('fd00::1', 5432)).toBe('[fd00::1]:5432');
    expect(() => requireHost(O, 'host', 'http://pg')).toThrow(/expected a host name/);
    expect(requireHostPort(O, 'rpcAddress', '[fd00::1]:7233')).toEqual({ host: 'fd00::1', port: 7233 });
    expect(() => requireHostPort(O, 'rpcAddress', 'frontend.example.com')).toThrow(/rpcAddress is "frontend.example.com"; expected "host:port"/);
  });

  test('DNS names, with a wildcard only where allowed', () => {
    expect(requireDnsName(O, 'h', '*.example.com', true)).toBe('*.example.com');
    expect(() => requireDnsName(O, 'h', '*.example.com', false)).toThrow(/expected a DNS name/);
    expect(() => requireDnsName(O, 'h', 'https://ui.example.com', true)).toThrow(/Give the host name alone/);
  });

  test('CIDRs: prefix within the family, no host bits', () => {
    expect(requireCidr(O, 'cidr', '10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(requireCidr(O, 'cidr', 'fd00::/8')).toBe('fd00::/8');
    expect(() => requireCidr(O, 'cidr', '10.0.0.0/33')).toThrow(/cidr is "10.0.0.0\/33"; expected a CIDR/);
    expect(() => requireCidr(O, 'cidr', 'fd00::/129')).toThrow(/expected a CIDR/);
    expect(() => requireCidr(O, 'cidr', '10.1.2.3/8')).toThrow(/expected a network address.*Write "10.0.0.0\/8"/);
    expect(() => requireCidr(O, 'cidr', 'fd00::1/64')).toThrow(/Write "fd00::\/64"/);
  });
});

describe('TemporalCluster', () => {
  describe('fails when', () => {
    const bad = (props: Parameters<typeof cluster>[1]) => () => cluster(testChart(), props);

    test('a label, annotation, nodeSelector key or env name breaks the API server syntax', () => {
      expect(bad({ frontend: { podLabels: { team: 'two words' } } })).toThrow(/frontend of TemporalCluster 'temporal': podLabels\["team"\] is "two words"/);
      expect(bad({ history: { podAnnotations: { 'bad key': 'x' } } })).toThrow(/podAnnotations key is "bad key"; expected an annotation key/);
      expect(bad({ matching: { nodeSelector: { 'bad key': 'x' } } })).toThrow(/nodeSelector key is "bad key"/);
      expect(bad({ worker: { env: { '1BAD': {} as any } } })).toThrow(/env\["1BAD"\] is "1BAD"; expected an env var name/);
    });

    test('a toleration or affinity is not what the API server accepts', () => {
      expect(bad({ history: { tolerations: [{ key: 'k', operator: 'Sometimes' }] } })).toThrow(/tolerations\[0\].operator is "Sometimes"; expected Exists or Equal/);
      expect(bad({ history: { tolerations: [{ key: 'k', effect: 'NoSchedule', tolerationSeconds: 10 }] } })).toThrow(/tolerationSeconds is 10; expected no value unless effect is NoExecute/);
      expect(bad({ history: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'bad key' }] } } } }))
        .toThrow(/affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution\[0\].topologyKey is "bad key"/);
    });

    test('a CPU is not a quantity or a memory limit is below its request, compared exactly', () => {
      expect(bad({ frontend: { resources: { cpu: { request: Cpu.millis(-500) } } } })).toThrow(/resources.cpu.request is "-500m"; expected a CPU amount/);
      expect(bad({ frontend: { resources: { cpu: { request: Cpu.units(NaN) } } } })).toThrow(/resources.cpu.request is "NaN"/);
      expect(bad({ frontend: { resources: { memory: { request: Size.gibibytes(2), limit: Size.mebibytes(2047) } } } }))
        .toThrow(/resources.memory.limit is "2047Mi"; expected at least the memory request \(2048Mi\)/);
    });

    test('replicas exceed int32, or the size preset puts more history pods than shards', () => {
      expect(bad({ frontend: { replicas: 2 ** 31 } })).toThrow(/replicas is 2147483648/);
      expect(bad({ numHistoryShards: 2, size: ClusterSize.MEDIUM })).toThrow(/size is "medium"; expected a size whose 3 history replicas fit numHistoryShards 2 \(at most 1\)/);
    });

    test('clusterDomain or priorityClassName is not a DNS subdomain', () => {
      expect(bad({ clusterDomain: 'cluster local' })).toThrow(/clusterDomain is "cluster local"; expected a DNS-1123 subdomain/);
      expect(bad({ priorityClassName: 'High Priority' })).toThrow(/priorityClassName is "High Priority"/);
    });

    test('failoverVersionIncrement is below 2, naming that prop', () => {
      expect(bad({ failoverVersionIncrement: 1 })).toThrow(/failoverVersionIncrement is 1; expected an integer from 2/);
    });

    test('a remote rpcAddress has no port', () => {
      expect(bad({ enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'west.example.com' }] }))
        .toThrow(/remoteClusters\[0\].rpcAddress is "west.example.com"/);
    });

    test('a schema TTL is not whole seconds, naming the prop', () => {
      expect(bad({ schema: { ttlAfterFinished: Duration.millis(1500) } })).toThrow(/schema.ttlAfterFinished is "1.5s"; expected a whole number of seconds/);
    });

    test('a filestore archive path is / or a directory the pod already mounts', () => {
      const archival = (uri: string) => ({ archival: { history: { provider: ArchivalProvider.filestore({ claimName: 'arch' }), uri } } });
      expect(bad(archival('file:///'))).toThrow(/archival.history.uri is "file:\/\/\/"; expected a file:\/\/ URI whose path is a directory of its own/);
      expect(bad(archival('file:///etc/temporal/config'))).toThrow(/archival.history.uri is "file:\/\/\/etc\/temporal\/config"/);
      expect(bad(archival('file:///tmp'))).toThrow(/not \/tmp/);
      expect(() => ArchivalProvider.filestore({ claimName: 'arch', fileMode: 'rw' })).toThrow(/fileMode is "rw"; expected an octal permission mode/);
    });

    test('the same dynamic config key twice in another casing', () => {
      expect(bad({ dynamicConfig: { values: [DynamicConfigValue.unchecked('frontend.rps', 1), DynamicConfigValue.unchecked('Frontend.RPS', 2)] } }))
        .toThrow(/key is "Frontend.RPS"; expected one spelling per key; frontend.rps is already set/);
    });

    test('an Ingress host or a certificate DNS name is a URL', () => {
      expect(bad({ ui: { allowAnonymous: true, ingress: { host: 'https://ui.example.com', allowPlaintext: true } } })).toThrow(/ingress.host is "https:\/\/ui.example.com"/);
      expect(() => ClusterTls.certManager({ issuer: { name: 'ca' }, frontendDnsNames: ['https://temporal.example.com'] })).toThrow(/frontendDnsNames\[0\]/);
    });

    test('a cert-manager duration is under an hour', () => {
      expect(() => ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.ISSUER }, duration: Duration.minutes(30), renewBefore: Duration.minutes(10) }))
        .toThrow(/duration is "1800s"; expected a whole number of seconds, at least 3600s/);
    });
  });

  test('a wildcard Ingress host, an IPv6 database and quantities in any valid form are accepted', () => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'p6', {
      defaultStore: Datastore.postgres({ host: 'fd00::10', database: 'temporal', user: 'temporal', password: PASSWORD }),
      visibilityStore: Datastore.postgres({ host: '[fd00::10]', database: 'visibility', user: 'temporal', password: PASSWORD }),
    });
    const c = cluster(chart, {
      persistence,
      frontend: { resources: { cpu: { request: Cpu.units(0.5), limit: Cpu.units(1) }, memory: { request: Size.kibibytes(1500), limit: Size.gibibytes(1.5) } } },
      ui: { allowAnonymous: true, ingress: { host: '*.temporal.example.com', allowPlaintext: true } },
    });
    expect(c.serverConfig).toContain('connectAddr: "[fd00::10]:5432"');
    const pod = find(chart, 'Deployment', 'temporal-frontend').spec.template.spec;
    expect(pod.containers[0].resources.requests).toMatchObject({ cpu: '0.5', memory: '1500Ki' });
    expect(pod.containers[0].resources.limits).toMatchObject({ cpu: '1', memory: '1536Mi' });
    expect(objects(chart).find((o) => o.kind === 'Ingress').spec.rules[0].host).toBe('*.temporal.example.com');
  });

  test('NetworkPeer checks its CIDR, labels and namespace', () => {
    expect(() => NetworkPeer.ipBlock('10.0.0.0/33')).toThrow(/NetworkPeer.ipBlock: cidr is "10.0.0.0\/33"/);
    expect(() => NetworkPeer.pods({ app: 'a b' })).toThrow(/labels\["app"\] is "a b"/);
    expect(() => NetworkPeer.namespace('Payments')).toThrow(/NetworkPeer.namespace: name is "Payments"/);
    expect(() => SecretRef.of('db', 'pass word')).toThrow(/SecretRef: key is "pass word"; expected a Secret or ConfigMap key/);
  });
});
