import { ArchivalProvider, DcRedirectionPolicy, DynamicConfigValue, SecretRef } from '../lib';
import { cluster, find, synthWithDynamicConfig, testChart } from './support/synth';
import { parseRendered, unknownKeys } from './support/server-config';
import fc from 'fast-check';

describe('archival', () => {
  test('off by default: no archival section, the server\'s valid disabled shape', () => {
    const config = parseRendered(cluster(testChart()).serverConfig);
    expect(config.archival).toBeUndefined();
    expect(config.namespaceDefaults).toBeUndefined();
  });

  test('S3 history and GCS visibility in the enabled shape: provider, URI and namespace defaults', () => {
    const c = cluster(testChart(), { archival: {
      history: { provider: ArchivalProvider.s3({ region: 'eu-west-1' }), uri: 's3://temporal-archive/history' },
      visibility: { provider: ArchivalProvider.gcs(), uri: 'gs://temporal-archive/visibility', namespaceDefault: false, enableRead: false },
    } });
    const config = parseRendered(c.serverConfig);
    expect(unknownKeys(config)).toEqual([]);
    expect(config.archival).toEqual({
      history: { state: 'enabled', enableRead: true, provider: { s3store: { region: 'eu-west-1' } } },
      visibility: { state: 'enabled', enableRead: false, provider: { gstorage: {} } },
    });
    expect(config.namespaceDefaults.archival).toEqual({
      history: { state: 'enabled', URI: 's3://temporal-archive/history' },
      visibility: { state: 'disabled', URI: 'gs://temporal-archive/visibility' },
    });
  });

  test('GCS with a key from a Secret: the key alone is mounted where the config names it, in every server pod that archives or reads archives', () => {
    // credentialsPath alone named a file nothing mounted: the archiver failed on every archival.
    const chart = testChart();
    const c = cluster(chart, { archival: {
      history: { provider: ArchivalProvider.gcs({ credentials: SecretRef.of('gcs-archival', 'key.json') }), uri: 'gs://temporal-archive/history' },
      visibility: { provider: ArchivalProvider.gcs({ credentials: SecretRef.of('gcs-visibility', 'sa.json') }), uri: 'gs://temporal-archive/visibility' },
    } });
    const config = parseRendered(c.serverConfig);
    expect(unknownKeys(config)).toEqual([]);
    expect(config.archival.history.provider).toEqual({ gstorage: { credentialsPath: '/etc/temporal/archival/history/credentials.json' } });
    expect(config.archival.visibility.provider).toEqual({ gstorage: { credentialsPath: '/etc/temporal/archival/visibility/credentials.json' } });
    for (const role of ['frontend', 'history', 'worker']) {
      const pod = find(chart, 'Deployment', `temporal-${role}`).spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'archival-history-credentials', secret: { secretName: 'gcs-archival', items: [{ key: 'key.json', path: 'credentials.json' }], defaultMode: 0o440 } });
      expect(pod.volumes).toContainEqual({ name: 'archival-visibility-credentials', secret: { secretName: 'gcs-visibility', items: [{ key: 'sa.json', path: 'credentials.json' }], defaultMode: 0o440 } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'archival-history-credentials', mountPath: '/etc/temporal/archival/history', readOnly: true });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'archival-visibility-credentials', mountPath: '/etc/temporal/archival/visibility', readOnly: true });
    }
    const matching = find(chart, 'Deployment', 'temporal-matching').spec.template.spec;
    expect(JSON.stringify(matching)).not.toMatch(/archival-(history|visibility)-credentials|gcs-archival/);
  });

  test('GCS refuses a key file from a Secret and one from the image at once, and credentials that are not a SecretRef', () => {
    expect(() => ArchivalProvider.gcs({ credentials: SecretRef.of('gcs', 'key.json'), credentialsPath: '/var/secrets/key.json' }))
      .toThrow(/ArchivalProvider.gcs: credentialsPath is "\/var\/secrets\/key.json"; expected no value beside credentials/);
    expect(() => ArchivalProvider.gcs({ credentials: 'gcs/key.json' as any })).toThrow(/ArchivalProvider.gcs: credentials is .*; expected a SecretRef/);
  });

  test('the filestore mounts its claim at the URI path in every server pod', () => {
    const chart = testChart();
    cluster(chart, { archival: { history: { provider: ArchivalProvider.filestore({ claimName: 'temporal-archive' }), uri: 'file:///archive/history' } } });
    const pod = find(chart, 'Deployment', 'temporal-history').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'archival-history', persistentVolumeClaim: { claimName: 'temporal-archive' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'archival-history', mountPath: '/archive/history' });
  });

  test('emits valid pods when history and visibility share one directory of one claim: it is mounted once', () => {
    // Two volumes at one mountPath: the API server refused every server Deployment ("duplicate entries for key [mountPath=...]").
    const chart = testChart();
    const archive = ArchivalProvider.filestore({ claimName: 'temporal-archive' });
    cluster(chart, { archival: { history: { provider: archive, uri: 'file:///archival' }, visibility: { provider: archive, uri: 'file:///archival' } } });
    for (const role of ['frontend', 'history', 'matching', 'worker']) {
      const pod = find(chart, 'Deployment', `temporal-${role}`).spec.template.spec;
      expect(pod.containers[0].volumeMounts.filter((m: any) => m.mountPath === '/archival')).toEqual([{ name: 'archival-history', mountPath: '/archival' }]);
      expect(pod.volumes.filter((v: any) => v.persistentVolumeClaim)).toEqual([{ name: 'archival-history', persistentVolumeClaim: { claimName: 'temporal-archive' } }]);
    }
  });

  test('history and visibility in directories of their own keep a volume each', () => {
    const chart = testChart();
    const archive = ArchivalProvider.filestore({ claimName: 'temporal-archive' });
    cluster(chart, { archival: { history: { provider: archive, uri: 'file:///archival/history' }, visibility: { provider: archive, uri: 'file:///archival/visibility' } } });
    const mounts = find(chart, 'Deployment', 'temporal-history').spec.template.spec.containers[0].volumeMounts;
    expect(mounts).toContainEqual({ name: 'archival-history', mountPath: '/archival/history' });
    expect(mounts).toContainEqual({ name: 'archival-visibility', mountPath: '/archival/visibility' });
  });

  test('multi-cluster settings: global namespaces and request forwarding', () => {
    const config = parseRendered(cluster(testChart(), { enableGlobalNamespace: true, dcRedirectionPolicy: DcRedirectionPolicy.SELECTED_APIS_FORWARDING }).serverConfig);
    expect(config.clusterMetadata.enableGlobalNamespace).toBe(true);
    expect(config.dcRedirectionPolicy).toEqual({ policy: 'selected-apis-forwarding' });
  });

  describe('fails when', () => {
    test('archival is enabled without a URI, or with another provider\'s scheme', () => {
      expect(() => cluster(testChart(), { archival: { history: { provider: ArchivalProvider.s3({ region: 'x' }), uri: '' } } }))
        .toThrow(/archival.history.uri is ""; expected a s3:\/\/ URI with a location. Enabled archival needs both a provider and a URI/);
      expect(() => cluster(testChart(), { archival: { visibility: { provider: ArchivalProvider.gcs(), uri: 's3://bucket' } } })).toThrow(/archival.visibility.uri is "s3:\/\/bucket"; expected a gs:\/\/ URI/);
    });
    test('an S3 region is no name the server\'s S3 client takes (bindRegion: dot-separated host labels), or not AWS\'s lower case without an endpoint', () => {
      // Before: any letters, digits, '-', '_' and '.' passed; the server started and every archive call failed.
      const label = fc.stringMatching(/^[a-z0-9](?:[-a-z0-9]{0,20}[a-z0-9])?$/);
      const region = fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.'));
      const s3 = (r: string, endpoint?: string) => () => ArchivalProvider.s3({ region: r, endpoint });
      fc.assert(fc.property(region, (r) => {
        expect(s3(r)).not.toThrow();
        expect(s3(r.toUpperCase(), 'https://minio.storage.svc:9000')).not.toThrow();
      }));
      // Each way out of the rule: a character outside it, '-' at either end of a part, an empty part, a part over 63.
      const broken = fc.tuple(region, fc.constantFrom('_', ' _', '-', '.', 'x'.repeat(64), '/', 'é'), fc.constantFrom('start', 'end', 'middle')).map(([r, bad, where]) => {
        const wrap = bad === '-' || bad === '.' ? bad : `.${bad}.`;
        return where === 'start' ? `${bad === '-' || bad === '.' ? bad : `${bad}.`}${r}` : where === 'end' ? `${r}${bad === '-' || bad === '.' ? bad : `.${bad}`}` : `${r}${wrap}${r}`;
      }).filter((r) => r.trim() === r && r.split('.').some((l) => !/^[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/.test(l)));
      fc.assert(fc.property(broken, fc.boolean(), (r, compatible) => {
        expect(s3(r, compatible ? 'https://minio.storage.svc:9000' : undefined)).toThrow(/^ArchivalProvider.s3: region is ".*"; expected a region name of .*letters, digits and '-'.*"invalid input region"/);
      }));
      for (const r of ['us_east_1', 'us-east-1.', 'us-east-1-', 'eu..west-1', '-eu-west-1']) {
        expect(s3(r)).toThrow(`ArchivalProvider.s3: region is "${r}"; expected a region name of lower-case letters, digits and '-'`);
      }
      expect(s3('US-EAST-1')).toThrow(/region is "US-EAST-1"; expected a region name of lower-case letters.*AWS's region names are lower case and S3 refuses a request signed for another spelling/);
      expect(s3('Eu-West-1')).toThrow(/region is "Eu-West-1"/);
    });
    test('an S3 endpoint has a query, which the server\'s S3 client refuses on every call (rulesfn.ParseURL)', () => {
      // Before: accepted; the server started and every archive failed with "Custom endpoint ... was not a valid URI".
      const query = fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[a-z0-9=&]{0,8}$/)).map(([k, v]) => `?${k}${v}`);
      fc.assert(fc.property(fc.constantFrom('https://minio.storage.svc:9000', 'http://10.0.0.5:9000/', 'https://s3.example.com/prefix'), query, (base, q) => {
        expect(() => ArchivalProvider.s3({ region: 'us-east-1', endpoint: `${base}${q}` }))
          .toThrow(`ArchivalProvider.s3: endpoint is "${base}${q}"; expected the store's URL without a query, such as "https://minio.storage.svc:9000". The server starts with it, but its S3 client refuses the endpoint on every call`);
        expect(() => ArchivalProvider.s3({ region: 'us-east-1', endpoint: base })).not.toThrow();
      }), { numRuns: 30 });
      // A bare "?" leaves Go's RawQuery empty, as it leaves the URL's search: the client takes it.
      expect(() => ArchivalProvider.s3({ region: 'us-east-1', endpoint: 'https://minio.storage.svc:9000?' })).not.toThrow();
    });
    test('an S3 endpoint is a URL node repairs but Go reads with another host or none: the S3 client (rulesfn.ParseURL, url.Parse) would dial nowhere', () => {
      // Before: accepted; node's URL reads "https:/minio:9000" as https://minio:9000, Go's url.Parse finds no host, and every archive fails.
      const endpoint = fc.tuple(fc.constantFrom('https', 'http', 'HTTPS'), fc.constantFrom(':', ':/', ':///', ':\\\\', '://'),
        fc.constantFrom('minio.storage.svc', '10.0.0.5', '10.5', '0x0a.0.0.5'), fc.constantFrom('', ':9000'), fc.constantFrom('', '/', '\\'))
        .filter(([, sep, host, , path]) => sep !== '://' || !/^\d+\.\d+\.\d+\.\d+$/.test(host) && host !== 'minio.storage.svc' || path === '\\')
        .map(([scheme, sep, host, port, path]) => `${scheme}${sep}${host}${port}${path}`);
      fc.assert(fc.property(endpoint, (e) => {
        expect(() => ArchivalProvider.s3({ region: 'us-east-1', endpoint: e })).toThrow(/ArchivalProvider.s3: endpoint is .*; expected (a URL written "https?:\/\/host\[:port\]\/path"|an absolute URL)/);
      }), { numRuns: 150 });
      for (const fine of ['https://minio.storage.svc:9000', 'HTTP://10.0.0.5:9000/', 'https://[fd00::5]:9000']) {
        expect(() => ArchivalProvider.s3({ region: 'us-east-1', endpoint: fine })).not.toThrow();
      }
    });
    test('an S3 endpoint holds a control character, which node drops or encodes and Go\'s url.Parse refuses', () => {
      // Before: accepted; "https://minio.storage.svc:9000/\\u0000" parsed in node, and every archive failed in the S3 client's url.Parse.
      for (const ch of ['\u0000', '\u0001', '\u001b', '\u001f']) {
        for (const endpoint of [`https://minio.storage.svc:9000/${ch}`, `https://minio.storage.svc:9000/a${ch}b`]) {
          expect(() => ArchivalProvider.s3({ region: 'us-east-1', endpoint })).toThrow(/ArchivalProvider.s3: endpoint is .*; expected a URL without control characters/);
        }
      }
    });
    test('dynamic config turns archival on where the static config has none, or gives a state the server reads as disabled', () => {
      // Before: accepted; the server reads these keys only when archival.<kind> enables that archival, and any other state as disabled.
      const history = { provider: ArchivalProvider.s3({ region: 'eu-west-1' }), uri: 's3://temporal-archive/history' };
      const spell = (word: string) => fc.tuple(fc.constantFrom('', ' ', '\t'), fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }), fc.constantFrom('', ' '))
        .map(([before, upper, after]) => `${before}${[...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join('')}${after}`);
      fc.assert(fc.property(fc.constantFrom('history', 'visibility'), fc.oneof(spell('enabled'), spell('paused')), fc.boolean(), (kind, state, later) => {
        const key = `system.${kind}ArchivalState`;
        const value = DynamicConfigValue.unchecked(later ? key : key.toLowerCase(), state);
        const props = { archival: kind === 'history' ? {} : { history } };
        const run = later ? synthWithDynamicConfig(props, [value]) : synthWithDynamicConfig({ ...props, dynamicConfig: { values: [value] } });
        expect(run).toThrow(`dynamicConfig ${value.key} is ${JSON.stringify(state)}; expected no value other than "disabled" while archival.${kind} is off. The server reads it only when its static config enables ${kind} archival`);
        // With the static config on, every spelling the server reads is accepted.
        expect(synthWithDynamicConfig({ archival: { history, visibility: { provider: ArchivalProvider.gcs(), uri: 'gs://temporal-archive/visibility' } } }, [value])).not.toThrow();
      }), { numRuns: 30 });
      for (const state of ['on', 'true', 'enable', 'Enabled!']) {
        expect(synthWithDynamicConfig({ archival: { history } }, [DynamicConfigValue.of('system.historyArchivalState', state)]))
          .toThrow(`dynamicConfig system.historyArchivalState is "${state}"; expected "enabled", "paused" or "disabled". The server reads any other state as disabled`);
      }
      expect(synthWithDynamicConfig({ archival: { history } }, [DynamicConfigValue.unchecked('system.visibilityArchivalState', true)])).toThrow(/system.visibilityArchivalState is true; expected "enabled", "paused" or "disabled"/);
      for (const on of [true, 'true', 'T', '1']) {
        expect(synthWithDynamicConfig({}, [DynamicConfigValue.unchecked('system.enableReadFromHistoryArchival', on)]))
          .toThrow(/dynamicConfig system.enableReadFromHistoryArchival is .*; expected no true value while archival.history is off/);
      }
      // What agrees with archival off, or reads it on where it is on, stays accepted.
      expect(synthWithDynamicConfig({}, [DynamicConfigValue.of('system.historyArchivalState', 'disabled'), DynamicConfigValue.of('system.enableReadFromVisibilityArchival', false)])).not.toThrow();
      expect(synthWithDynamicConfig({ archival: { history } }, [DynamicConfigValue.of('system.historyArchivalState', 'paused'), DynamicConfigValue.of('system.enableReadFromHistoryArchival', true)])).not.toThrow();
    });
    test('a bucket URI names no bucket, or GCS no path, which the server refuses when a namespace with archival on is created', () => {
      const s3 = ArchivalProvider.s3({ region: 'eu-west-1' });
      const uriOf = (provider: ArchivalProvider, uri: string) => () => parseRendered(cluster(testChart(), { archival: { history: { provider, uri } } }).serverConfig).namespaceDefaults.archival.history.URI;
      for (const uri of ['s3:///history', 's3://:9000/history', 's3://bucket:9000/history']) {
        expect(uriOf(s3, uri)).toThrow(new RegExp(`archival.history.uri is "${uri.replace(/[/.]/g, '\\$&')}"; expected a s3:// URI whose host is the bucket's name, without a port.*ArchivalProvider.s3\\(\\{ endpoint \\}\\)`));
      }
      expect(uriOf(ArchivalProvider.gcs(), 'gs:///history')).toThrow(/archival.history.uri is "gs:\/\/\/history"; expected a gs:\/\/ URI whose host is the bucket's name/);
      expect(uriOf(ArchivalProvider.gcs(), 'gs://temporal-archive')).toThrow(/archival.history.uri is "gs:\/\/temporal-archive"; expected a gs:\/\/ URI with a path after the bucket/);
      // A bare "?" or "#" as well: URL parses it to an empty query or fragment.
      for (const uri of ['s3://temporal-archive/history?region=x', 's3://temporal-archive/history?', 's3://temporal-archive/history#', 's3://temporal-archive?']) {
        expect(uriOf(s3, uri)).toThrow(/expected a URI without a query or fragment/);
      }
      expect(uriOf(ArchivalProvider.gcs(), 'gs://temporal-archive/history#')).toThrow(/expected a URI without a query or fragment/);
      // A bucket alone is enough for S3.
      expect(uriOf(s3, 's3://temporal-archive')()).toBe('s3://temporal-archive');
      expect(uriOf(ArchivalProvider.gcs(), 'gs://temporal-archive/history')()).toBe('gs://temporal-archive/history');
    });
    test('a bucket URI names a bucket the store could never have created, which the server asks for as written when a namespace with archival on is created', () => {
      // s3://Temporal-Archive passed: the server sent HeadBucket for "Temporal-Archive", S3 answered 400, and every namespace with archival on failed to be created.
      const uriOf = (provider: ArchivalProvider, uri: string) => () => parseRendered(cluster(testChart(), { archival: { history: { provider, uri } } }).serverConfig).namespaceDefaults.archival.history.URI;
      const s3 = ArchivalProvider.s3({ region: 'eu-west-1' });
      for (const [bucket, rule] of [['Temporal-Archive', 'lower-case letters, digits, \'-\' and \'.\' only'], ['my_archive', 'lower-case letters'], ['b%41cket', 'lower-case letters'],
        ['ab', '3 to 63 characters'], ['a'.repeat(64), '3 to 63 characters'], ['-archive', 'starting and ending with a letter or digit'], ['archive.', 'starting and ending'],
        ['temporal..archive', 'no two dots in a row'], ['192.168.5.4', 'not an IP address']]) {
        expect(uriOf(s3, `s3://${bucket}/history`)).toThrow(new RegExp(`archival.history.uri is "s3://${bucket.replace(/[.%]/g, '\\$&')}/history"; expected a s3:// URI whose host is an S3 bucket name \\(${rule.replace(/[.']/g, '\\$&')}.*\\), such as "s3://temporal-archive/history"\\. The server asks the store for the bucket "${bucket.replace(/[.%]/g, '\\$&')}"`));
      }
      for (const [bucket, rule] of [['Archive', 'lower-case letters, digits, \'-\', \'_\' and \'.\' only'], ['_archive', 'starting and ending'], ['goog-archive', 'not starting with "goog" nor containing "google"'],
        ['my-google-archive', 'containing "google"'], ['my-g00gle-archive', 'containing "google"'], [`${'a'.repeat(64)}.example.com`, 'at most 63 characters between dots'], ['10.0.0.1', 'not an IP address']]) {
        expect(uriOf(ArchivalProvider.gcs(), `gs://${bucket}/history`)).toThrow(new RegExp(`archival.history.uri is "gs://${bucket.replace(/[.]/g, '\\.')}/history"; expected a gs:// URI whose host is a Cloud Storage bucket name \\(.*${rule.replace(/[.']/g, '\\$&')}`));
      }
      // Cloud Storage takes '_' and, with dots, up to 222 characters; S3 takes dots; both take digits only.
      expect(uriOf(ArchivalProvider.gcs(), 'gs://temporal_archive/history')()).toBe('gs://temporal_archive/history');
      expect(uriOf(ArchivalProvider.gcs(), `gs://${'a'.repeat(63)}.${'b'.repeat(63)}/history`)()).toBe(`gs://${'a'.repeat(63)}.${'b'.repeat(63)}/history`);
      expect(uriOf(s3, 's3://temporal.archive.eu/history')()).toBe('s3://temporal.archive.eu/history');
      expect(uriOf(s3, 's3://123/history')()).toBe('s3://123/history');
    });
    test('a legacy us-east-1 bucket name, or one of an S3-compatible store, is not held to today\'s S3 rules: both may have upper case and \'_\', which the SDK reaches path-style', () => {
      const uriOf = (provider: ArchivalProvider, uri: string) => () => parseRendered(cluster(testChart(), { archival: { history: { provider, uri } } }).serverConfig).namespaceDefaults.archival.history.URI;
      const legacy = [ArchivalProvider.s3({ region: 'us-east-1' }), ArchivalProvider.s3({ region: 'eu-west-1', endpoint: 'https://storage.googleapis.com' }),
        ArchivalProvider.s3({ region: 'eu-west-1', forcePathStyle: true })];
      for (const provider of legacy) {
        for (const bucket of ['Legacy_Bucket_2016', 'team_archive', 'a'.repeat(255)]) expect(uriOf(provider, `s3://${bucket}/history`)()).toBe(`s3://${bucket}/history`);
        for (const [bucket, rule] of [['b%41cket', 'letters, digits'], ['ab', '3 to 255 characters'], ['a'.repeat(256), '3 to 255 characters']]) {
          expect(uriOf(provider, `s3://${bucket}/history`)).toThrow(`archival.history.uri is "s3://${bucket}/history"; expected a s3:// URI whose host is an S3 bucket name (${rule}`);
        }
      }
      // Elsewhere on AWS, today's rules.
      expect(uriOf(ArchivalProvider.s3({ region: 'eu-west-1' }), 's3://Legacy_Bucket_2016/history')).toThrow(/expected a s3:\/\/ URI whose host is an S3 bucket name \(lower-case letters/);
    });
    test('a filestore URI holds "%", "?" or "#": the server reads another path than the one the claim is mounted at', () => {
      for (const uri of ['file:///archival/hist%20ory', 'file:///archival/history?x=1', 'file:///archival/history#x']) {
        expect(() => cluster(testChart(), { archival: { history: { provider: ArchivalProvider.filestore({ claimName: 'archive' }), uri } } }))
          .toThrow(/archival.history.uri is ".*"; expected a file:\/\/ URI without "%", "\?" or "#"/);
      }
    });
    test('a filestore mode lacks its leading 0, which the server reads as decimal ("755" is 0o1363), or locks the server out of its own archive', () => {
      for (const [prop, mode] of [['fileMode', '644'], ['dirMode', '755'], ['fileMode', '0444'], ['dirMode', '0666'], ['fileMode', '0066']] as const) {
        expect(() => ArchivalProvider.filestore({ claimName: 'archive', [prop]: mode }))
          .toThrow(new RegExp(`ArchivalProvider.filestore: ${prop} is "${mode}"; expected an octal permission mode with its leading 0 that lets the owner \\(the server\\)`));
      }
      const provider = ArchivalProvider.filestore({ claimName: 'archive', fileMode: '0640', dirMode: '0750' });
      const config = parseRendered(cluster(testChart(), { archival: { history: { provider, uri: 'file:///archival/history' } } }).serverConfig);
      expect(config.archival.history.provider).toEqual({ filestore: { fileMode: '0640', dirMode: '0750' } });
    });
    test('the provider is missing', () => {
      expect(() => cluster(testChart(), { archival: { history: { uri: 's3://b' } as any } })).toThrow(/archival.history.provider is undefined; expected an ArchivalProvider/);
    });
    test('two filestores on different claims share a path', () => {
      // Two volumes at one mountPath, which the API server refuses.
      expect(() => cluster(testChart(), { archival: {
        history: { provider: ArchivalProvider.filestore({ claimName: 'history-archive' }), uri: 'file:///archival' },
        visibility: { provider: ArchivalProvider.filestore({ claimName: 'visibility-archive' }), uri: 'file:///archival' },
      } })).toThrow(/archival.visibility.uri is "file:\/\/\/archival"; expected a path other than archival.history.uri's while the two filestores use different claims \(history-archive, visibility-archive\)\. .*give visibility a path of its own/);
    });
    test('the redirection policy is unknown', () => {
      expect(() => cluster(testChart(), { dcRedirectionPolicy: 'all' as DcRedirectionPolicy })).toThrow(/dcRedirectionPolicy is "all"; expected one of noop, selected-apis-forwarding, all-apis-forwarding/);
    });
  });
});
