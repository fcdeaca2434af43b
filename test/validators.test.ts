import { Chart, Duration, Size, Testing } from 'cdk8s';
import { DynamicConfig } from '../lib';
import {
  checkAffinity, checkAnnotations, checkLabels, checkLabelSelector, checkTolerations, compareQuantities, describe as describeValue, editDistance,
  formatImage, INT32_MAX, isDnsName, isLabelValue, isQualifiedName, isUnder, parseImage, parseQuantity, propError, renderSize, requireAbsolutePath,
  requireCidr, requireDataKey, requireDigest, requireDnsName, requireDns1035Label, requireDns1123Label, requireDns1123Subdomain, requireDurationMillis,
  requireDurationSeconds, requireEnvVarName, requireHost, requireHostPort, requireInt32, requireInteger, requireNonEmpty, requirePort,
  requireQuantity, requireUrl, goYamlReadsAsNonString,
} from '../lib/validation';
import { Datastore } from '../lib';

// The validators of lib/validation at the edges of what they accept: each case sits on one side
// of a limit (a length, a range end, a character class), so moving the limit fails a case.
const O = 'T';
const accepts = (check: (v: any) => unknown, values: unknown[]) => {
  for (const v of values) expect(() => check(v)).not.toThrow();
};
const refuses = (check: (v: any) => unknown, values: unknown[], message: RegExp) => {
  for (const v of values) expect(() => check(v)).toThrow(message);
};
const label = (n: number, c = 'a') => c.repeat(n);

describe('errors', () => {
  test('name the owner, the prop, the value as received, what is expected and the remedy', () => {
    expect(propError('C', 'p', 'x', 'y').message).toBe('C: p is "x"; expected y.');
    expect(propError('C', 'p', 3, 'y', 'Do z.').message).toBe('C: p is 3; expected y. Do z.');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(false)).toBe('false');
    expect(describeValue({ a: [1] })).toBe('{"a":[1]}');
    const loop: any = {};
    loop.self = loop;
    expect(describeValue(loop)).toBe('[object Object]');
  });

  test('the edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('ab', 'ba')).toBe(2);
    expect(editDistance('history', 'histroy')).toBe(2);
    expect(editDistance('frontend', 'frontends')).toBe(1);
  });
});

describe('names', () => {
  test('DNS-1123 labels: 63 characters, lower-case, letter or digit at both ends', () => {
    accepts((v) => requireDns1123Label(O, 'n', v), ['a', '0', label(63), 'a-b', '1a']);
    refuses((v) => requireDns1123Label(O, 'n', v), ['', label(64), 'A', 'a-', '-a', 'a.b', 'a_b', 3], /n is .*; expected a DNS-1123 label.*at most 63 characters/);
    accepts((v) => requireDns1123Label(O, 'n', v, 10), [label(10)]);
    refuses((v) => requireDns1123Label(O, 'n', v, 10, 'Shorten it.'), [label(11)], /at most 10 characters\. Shorten it\./);
  });

  test('DNS-1035 labels start with a letter', () => {
    accepts((v) => requireDns1035Label(O, 'n', v), ['a', label(63), 'a1', 'a-1']);
    refuses((v) => requireDns1035Label(O, 'n', v), ['1a', '', label(64), 'a-', 'A'], /expected a DNS-1035 label/);
    refuses((v) => requireDns1035Label(O, 'n', v, 5, 'Shorten it.'), [label(6)], /at most 5 characters\. Shorten it\./);
  });

  test('DNS-1123 subdomains: dotted labels, 253 characters', () => {
    const long = `${label(63)}.${label(63)}.${label(63)}.${label(61)}`;
    expect(long.length).toBe(253);
    accepts((v) => requireDns1123Subdomain(O, 'n', v), ['a', 'a.b', 'a-b.c1', long]);
    refuses((v) => requireDns1123Subdomain(O, 'n', v), ['', `${long}a`, 'a..b', '.a', 'a.', 'A.b', 'a_b'], /expected a DNS-1123 subdomain/);
  });

  test('non-empty strings', () => {
    expect(requireNonEmpty(O, 'n', ' x ')).toBe(' x ');
    refuses((v) => requireNonEmpty(O, 'n', v), ['', '   ', undefined, 3], /expected a non-empty string/);
  });
});

describe('labels and annotations', () => {
  test('qualified names: a subdomain prefix of 253, a name of 63', () => {
    const prefix = `${label(63)}.${label(63)}.${label(63)}.${label(61)}`;
    for (const ok of ['a', 'A.b_c-d', label(63), `${prefix}/x`, 'example.com/Name', 'a/x', 'a.b/x', 'a-1.b/x']) expect(isQualifiedName(ok)).toBe(true);
    for (const bad of ['', label(64), `${prefix}a/x`, '/x', 'x/', 'Example.com/x', '_a', 'a_', 'a/b/c', 3]) expect(isQualifiedName(bad)).toBe(false);
  });

  test('label values: empty, or 63 characters with a letter or digit at both ends', () => {
    for (const ok of ['', 'a', label(63), 'A_b.c-1']) expect(isLabelValue(ok)).toBe(true);
    for (const bad of [label(64), '-a', 'a-', 'a b', 3]) expect(isLabelValue(bad)).toBe(false);
  });

  test('label maps name the key or value at fault', () => {
    expect(checkLabels(O, 'labels', undefined)).toBeUndefined();
    expect(checkLabels(O, 'labels', { a: 'b' })).toEqual({ a: 'b' });
    expect(() => checkLabels(O, 'labels', null as any)).toThrow(/labels is null; expected a map of label keys to label values/);
    expect(() => checkLabels(O, 'labels', 'a=b' as any)).toThrow(/expected a map of label keys/);
    expect(() => checkLabels(O, 'labels', { 'a b': 'x' })).toThrow(/labels key is "a b"; expected a label key/);
    expect(() => checkLabels(O, 'labels', { a: 'x y' })).toThrow(/labels\["a"\] is "x y"; expected a label value.*Put free text in an annotation instead/);
  });

  test('annotation maps: keys checked, values any string', () => {
    expect(checkAnnotations(O, 'ann', undefined)).toBeUndefined();
    expect(checkAnnotations(O, 'ann', { 'example.com/a': 'free text: {"x": 1}' })).toEqual({ 'example.com/a': 'free text: {"x": 1}' });
    expect(() => checkAnnotations(O, 'ann', null as any)).toThrow(/ann is null; expected a map of annotation keys to strings/);
    expect(() => checkAnnotations(O, 'ann', 'x' as any)).toThrow(/ann is "x"; expected a map of annotation keys/);
    expect(() => checkAnnotations(O, 'ann', { '/x': 'v' })).toThrow(/ann key is "\/x"; expected an annotation key/);
    expect(() => checkAnnotations(O, 'ann', { a: 1 as any })).toThrow(/ann\["a"\] is 1; expected a string/);
  });
});

describe('numbers', () => {
  test('ports from 1 to 65535', () => {
    accepts((v) => requirePort(O, 'port', v), [1, 65535, 7233]);
    refuses((v) => requirePort(O, 'port', v), [0, 65536, 1.5, -1, NaN, '80'], /port is .*; expected an integer port from 1 to 65535/);
  });

  test('integers: the message gives the range it checks', () => {
    expect(requireInteger(O, 'n', 5, 5, 6)).toBe(5);
    expect(requireInteger(O, 'n', 6, 5, 6)).toBe(6);
    expect(() => requireInteger(O, 'n', 4, 5, 6)).toThrow(/n is 4; expected an integer from 5 to 6\./);
    expect(() => requireInteger(O, 'n', 7, 5, 6)).toThrow(/from 5 to 6/);
    expect(() => requireInteger(O, 'n', 4, 5)).toThrow(/n is 4; expected an integer at least 5\./);
    expect(() => requireInteger(O, 'n', 5.5, 5)).toThrow(/at least 5/);
  });

  test('int32: capped at 2^31-1, which the message says only when it is the cap', () => {
    expect(requireInt32(O, 'n', INT32_MAX, 0)).toBe(INT32_MAX);
    expect(requireInt32(O, 'n', 0, 0)).toBe(0);
    expect(() => requireInt32(O, 'n', -1, 0)).toThrow(/n is -1; expected an integer at least 0 and at most 2147483647 \(a Kubernetes int32\)\./);
    expect(() => requireInt32(O, 'n', 11, 1, 10)).toThrow(/n is 11; expected an integer at least 1 and at most 10\.$/);
    expect(() => requireInt32(O, 'n', INT32_MAX + 1, 0, 2 ** 40)).toThrow(/at most 2147483647 \(a Kubernetes int32\)/);
    expect(requireInt32(O, 'n', 10, 1, 10)).toBe(10);
  });
});

describe('durations', () => {
  test('whole seconds within the range, named by the prop', () => {
    expect(requireDurationSeconds(O, 'd', Duration.seconds(0))).toBe(0);
    expect(requireDurationSeconds(O, 'd', Duration.minutes(2), 60, 120)).toBe(120);
    expect(requireDurationSeconds(O, 'd', Duration.seconds(60), 60, 120)).toBe(60);
    expect(() => requireDurationSeconds(O, 'd', Duration.seconds(59), 60, 120)).toThrow(/d is "59s"; expected a whole number of seconds, from 60s to 120s\./);
    expect(() => requireDurationSeconds(O, 'd', Duration.seconds(121), 60, 120)).toThrow(/d is "121s"/);
    expect(() => requireDurationSeconds(O, 'd', Duration.millis(1500), 1)).toThrow(/d is "1.5s"; expected a whole number of seconds, at least 1s\./);
    expect(() => requireDurationSeconds(O, 'd', 30 as any)).toThrow(/d is 30; expected a cdk8s Duration/);
    expect(() => requireDurationSeconds(O, 'd', Duration.seconds(Infinity))).toThrow(/d is .*; expected a whole number of seconds/);
  });

  test('whole milliseconds within the range', () => {
    expect(requireDurationMillis(O, 'd', Duration.millis(5), 5, 6)).toBe(5);
    expect(requireDurationMillis(O, 'd', Duration.millis(6), 5, 6)).toBe(6);
    expect(() => requireDurationMillis(O, 'd', Duration.millis(4), 5, 6)).toThrow(/d is "4ms"; expected a whole number of milliseconds, from 5ms to 6ms\./);
    expect(requireDurationMillis(O, 'd', Duration.millis(7), 5)).toBe(7);
    expect(() => requireDurationMillis(O, 'd', Duration.millis(4), 5)).toThrow(/d is "4ms"; expected a whole number of milliseconds, at least 5ms\./);
    expect(() => requireDurationMillis(O, 'd', Duration.millis(0.5))).toThrow(/d is "0.5ms"/);
    expect(() => requireDurationMillis(O, 'd', Duration.seconds(Infinity))).toThrow(/d is "not a finite duration"/);
    expect(() => requireDurationMillis(O, 'd', 'PT1S' as any)).toThrow(/expected a cdk8s Duration/);
  });

  test('no duration beyond Go\'s longest (2^63 - 1 ns), which the server and the controllers cannot parse', () => {
    expect(requireDurationMillis(O, 'd', Duration.millis(9_223_372_036_854))).toBe(9_223_372_036_854);
    expect(() => requireDurationMillis(O, 'd', Duration.millis(9_223_372_036_855))).toThrow(/d is "9223372036855ms"; expected a whole number of milliseconds, at most 9223372036854ms \(Go's longest duration, about 292 years\)/);
    expect(() => requireDurationMillis(O, 'd', Duration.days(1e7))).toThrow(/at most 9223372036854ms/);
    expect(requireDurationSeconds(O, 'd', Duration.seconds(9_223_372_036))).toBe(9_223_372_036);
    expect(() => requireDurationSeconds(O, 'd', Duration.seconds(9_223_372_037))).toThrow(/d is "9223372037s"; expected a whole number of seconds, at most 9223372036s/);
    // Through a prop: the dynamic config's poll interval was written as 240000000h.
    expect(() => new DynamicConfig(new Chart(Testing.app(), 'c'), 'dc', { name: 'dc', namespace: 'temporal', labels: {}, pollInterval: Duration.days(1e7) }))
      .toThrow(/DynamicConfig 'dc': pollInterval is "864000000000000ms"; expected a whole number of milliseconds, at most/);
  });
});

describe('env names, data keys, paths and template text', () => {
  test('env var names may start with a letter, _, - or . but not a digit', () => {
    accepts((v) => requireEnvVarName(O, 'e', v), ['A', '_a', '-a', '.a', 'a1', 'my.var-1']);
    refuses((v) => requireEnvVarName(O, 'e', v), ['', '1A', 'A B', 'A=B', '$A', 7], /e is .*; expected an env var name/);
  });

  test('Secret and ConfigMap keys: 253 characters, not "." or ".."', () => {
    accepts((v) => requireDataKey(O, 'k', v), ['a', '.a', '..a', 'a_b-c.d', label(253), '1']);
    refuses((v) => requireDataKey(O, 'k', v), ['', '.', '..', label(254), 'a/b', 'a b'], /k is .*; expected a Secret or ConfigMap key/);
  });

  test('absolute paths are normalized', () => {
    accepts((v) => requireAbsolutePath(O, 'p', v), ['/', '/a', '/a/b.c', '/a/..b']);
    refuses((v) => requireAbsolutePath(O, 'p', v), ['', 'a', '/a/', '//a', '/a//b', '/a/./b', '/a/../b', '/..', '/a b', '/a\0', 1], /p is .*; expected an absolute path/);
    expect(isUnder('/a/b', '/a')).toBe(true);
    expect(isUnder('/a', '/a')).toBe(true);
    expect(isUnder('/a/b', '/')).toBe(true);
    expect(isUnder('/ab', '/a')).toBe(false);
    expect(isUnder('/a', '/a/b')).toBe(false);
  });

});

describe('hosts, addresses and URLs', () => {
  test('hosts: names of any case, IPv4, IPv6 bare or bracketed, never with a port', () => {
    expect(requireHost(O, 'h', 'PG.example.com.')).toBe('PG.example.com.');
    expect(requireHost(O, 'h', 'pg_1.db')).toBe('pg_1.db');
    expect(requireHost(O, 'h', '10.0.0.1')).toBe('10.0.0.1');
    expect(requireHost(O, 'h', 'fd00::1')).toBe('fd00::1');
    expect(requireHost(O, 'h', '[fd00::1]')).toBe('fd00::1');
    expect(requireHost(O, 'h', `${label(63)}.b`)).toBe(`${label(63)}.b`);
    refuses((v) => requireHost(O, 'h', v), [`${label(64)}.b`, `${label(63)}.`.repeat(4), '', '-a', 'a-', 'fe80::1%eth0', '[10.0.0.1]', 'a/b', 9],
      /h is .*; expected a host name or IP address \(an IPv6 address bare or in brackets\), without scheme, port or path\.$/);
    expect(() => requireHost(O, 'h', 'pg:5432', 'store.port')).toThrow(/h is "pg:5432"; expected a host name or IP address without a port\. Give the port in store\.port \(5432\) and the host alone \(pg\)\./);
    expect(() => requireHost(O, 'h', 'fd00::1:5432x')).toThrow(/without scheme, port or path/);
  });

  test('hosts: a number that is not a dotted-decimal IPv4 address is refused (Go resolves it as a name and fails; busybox and glibc read 010.0.0.1 as 8.0.0.1)', () => {
    refuses((v) => requireHost(O, 'h', v), ['127.1', '010.0.0.1', '10.0.0.01', '1.2.3.4.5', '256.0.0.1', '4294967297', '10.0.0.1.'],
      /h is .*; expected a host name or IP address .*\. An IPv4 address is four decimal numbers from 0 to 255 without leading zeros, such as 10\.0\.0\.1; a host name does not end in a number\.$/);
    expect(requireHost(O, 'h', '10.0.0.1')).toBe('10.0.0.1');
    expect(requireHost(O, 'h', '1pg.10x')).toBe('1pg.10x');
    expect(requireHost(O, 'h', '10.0.0.1.nip.io')).toBe('10.0.0.1.nip.io');
    expect(() => Datastore.elasticsearch({ url: 'http://127.1:9200' })).toThrow(/Datastore.elasticsearch: url is "http:\/\/127.1:9200"/);
  });

  test('host:port: a port from 1 to 65535, an IPv6 host bracketed', () => {
    expect(requireHostPort(O, 'a', 'x:1')).toEqual({ host: 'x', port: 1 });
    expect(requireHostPort(O, 'a', 'x:65535')).toEqual({ host: 'x', port: 65535 });
    expect(requireHostPort(O, 'a', '[::1]:7233')).toEqual({ host: '::1', port: 7233 });
    refuses((v) => requireHostPort(O, 'a', v), ['x:0', 'x:65536', 'x', ':7233', 'x:', '::1:7233', 'x:7233/p', 'a:b:1', 5],
      /a is .*; expected "host:port" with a port from 1 to 65535 \(an IPv6 host in brackets\)\. Such as "temporal-frontend\.other\.example\.com:7233"\./);
    expect(() => requireHostPort(O, 'a', 'a b:7233')).toThrow(/a is "a b"; expected a host name/);
  });

  test('DNS names: lower-case labels of 63, 253 in all, a wildcard only at the front and only where allowed', () => {
    const long = `${label(63)}.${label(63)}.${label(63)}.${label(61)}`;
    for (const ok of ['a', 'a.b', long, `${label(63)}.b`]) expect(isDnsName(ok, false)).toBe(true);
    for (const bad of ['', `${long}a`, `${label(64)}.b`, 'A.b', 'a..b', '*.a', 'a.*.b', '-a.b', 7]) expect(isDnsName(bad, false)).toBe(false);
    expect(isDnsName('*.a.b', true)).toBe(true);
    expect(isDnsName('ui.example.com', true)).toBe(true);
    expect(isDnsName('*', true)).toBe(false);
    expect(isDnsName('a.*.b', true)).toBe(false);
    // The remedy is for a URL given as a name, and only then.
    expect(() => requireDnsName(O, 'h', 'ui.example.com/https://x', false)).toThrow(/h is "ui\.example\.com\/https:\/\/x"; expected a DNS name: lower-case labels of letters, digits and '-' separated by '\.', at most 253 characters\.$/);
    expect(() => requireDnsName(O, 'h', 'HTTPS://ui', true)).toThrow(/optionally starting with "\*\."\. Give the host name alone, without scheme or path\.$/);
  });

  test('URLs: absolute, of the allowed schemes, with a host and no spaces', () => {
    expect(requireUrl(O, 'u', 'https://keys.example.com/jwks').hostname).toBe('keys.example.com');
    expect(requireUrl(O, 'u', 's3://bucket/x', ['s3:']).protocol).toBe('s3:');
    refuses((v) => requireUrl(O, 'u', v), ['ftp://x', 'https://a b', 'keys.example.com', '', 'file:///etc/keys', 3], /u is .*; expected an absolute URL \(http or https\) without spaces/);
    expect(() => requireUrl(O, 'u', 'http://x', ['s3:'])).toThrow(/expected an absolute URL \(s3\)/);
    expect(() => requireUrl(O, 'u', 's3:///path', ['s3:'])).toThrow(/u is "s3:\/\/\/path"; expected an absolute URL \(s3\)/);
    // Every URL the library takes lands in a ConfigMap or an env value: no credentials in it, nor in the message.
    for (const url of ['https://user:s3cret@login.example.com/', 'http://s3cret@minio.storage.svc:9000']) {
      expect(() => requireUrl(O, 'u', url)).toThrow(/u is "https?:\/\/\(credentials\)@[a-z.:0-9]+\/"; expected a URL without a user or password/);
      expect(() => requireUrl(O, 'u', url)).not.toThrow(/s3cret/);
    }
  });

  test('CIDRs of both families, with the network to write instead when host bits are set', () => {
    accepts((v) => requireCidr(O, 'c', v), ['0.0.0.0/0', '10.0.0.0/8', '10.1.2.3/32', '::/0', 'fd00::/8', '::ffff:10.0.0.0/104', 'fd00::1/128']);
    refuses((v) => requireCidr(O, 'c', v), ['10.0.0.0', 'x/10.0.0.0/8', '10.0.0.0/33', '10.0.0.0/08', 'fd00::/129', 'x/8', '10.0.0.0/-1', 8], /c is .*; expected a CIDR/);
    expect(() => requireCidr(O, 'c', '10.1.2.3/16')).toThrow(/Write "10\.1\.0\.0\/16"\./);
    expect(() => requireCidr(O, 'c', '192.168.1.129/25')).toThrow(/Write "192\.168\.1\.128\/25"\./);
    expect(() => requireCidr(O, 'c', 'fd00:0:0:1::1/64')).toThrow(/Write "fd00:0:0:1::\/64"\./);
    expect(() => requireCidr(O, 'c', '1:2:3:4:5:6:7:8/112')).toThrow(/Write "1:2:3:4:5:6:7:0\/112"\./);
    expect(() => requireCidr(O, 'c', '1:0:0:2:0:0:0:3/120')).toThrow(/Write "1:0:0:2::\/120"\./);
    expect(() => requireCidr(O, 'c', '::ffff:10.1.2.3/120')).toThrow(/Write "::ffff:a01:200\/120"\./);
  });
});

describe('quantities and sizes', () => {
  test('quantities parse to exact fractions with every suffix', () => {
    const eq = (a: string, b: string) => expect(compareQuantities(parseQuantity(a)!, parseQuantity(b)!)).toBe(0);
    eq('1Ki', '1024');
    eq('1Mi', '1048576');
    eq('1Gi', '1024Mi');
    eq('1Ti', '1024Gi');
    eq('1Pi', '1024Ti');
    eq('1Ei', '1024Pi');
    eq('1n', '0.000000001');
    eq('1u', '1000n');
    eq('1m', '1000u');
    eq('1k', '1000');
    eq('1M', '1000k');
    eq('1G', '1000M');
    eq('1T', '1000G');
    eq('1P', '1000T');
    eq('1E', '1000P');
    eq('1e3', '1k');
    eq('1E-3', '1m');
    eq('.5', '500m');
    eq('+2', '2');
    eq('1.', '1');
    expect(parseQuantity('-1')).toEqual({ numerator: -1n, denominator: 1n });
    expect(parseQuantity('2.5m')).toEqual({ numerator: 25n, denominator: 10000n });
    expect(compareQuantities(parseQuantity('999m')!, parseQuantity('1')!)).toBe(-1);
    expect(compareQuantities(parseQuantity('1')!, parseQuantity('999m')!)).toBe(1);
    for (const bad of ['', '1 Gi', '1GB', '1KI', 'Mi', '1e', '1e1234', 'NaN', '1.5.2', 5]) expect(parseQuantity(bad)).toBeUndefined();
  });

  test('non-negative quantities only, with what the prop measures in the message', () => {
    expect(requireQuantity(O, 'q', '0')).toBe('0');
    expect(() => requireQuantity(O, 'q', '-1m', 'a CPU amount')).toThrow(/q is "-1m"; expected a CPU amount: a non-negative Kubernetes quantity/);
    expect(() => requireQuantity(O, 'q', 'x')).toThrow(/q is "x"; expected a quantity: a non-negative/);
  });

  test('sizes in Mi when whole, else in Ki, else refused', () => {
    expect(renderSize(O, 's', Size.mebibytes(0))).toBe('0Mi');
    expect(renderSize(O, 's', Size.gibibytes(2))).toBe('2048Mi');
    expect(renderSize(O, 's', Size.kibibytes(1))).toBe('1Ki');
    expect(() => renderSize(O, 's', Size.kibibytes(0.5))).toThrow(/s is "0\.5 KiB"; expected a size that is a whole number of KiB, at most 2\^53 KiB\. Use Size\.mebibytes\(n\)/);
  });
});

describe('images', () => {
  test('references split into repository, tag and digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImage(O, 'i', 'temporalio/server:1.32.2')).toEqual({ repository: 'temporalio/server', tag: '1.32.2', digest: undefined });
    expect(parseImage(O, 'i', 'localhost:5000/a/b')).toEqual({ repository: 'localhost:5000/a/b', tag: undefined, digest: undefined });
    expect(parseImage(O, 'i', 'localhost/a')).toEqual({ repository: 'localhost/a', tag: undefined, digest: undefined });
    expect(parseImage(O, 'i', `Registry.Example.com/a/b_c:v1@${digest}`)).toEqual({ repository: 'Registry.Example.com/a/b_c', tag: 'v1', digest });
    expect(parseImage(O, 'i', `[fd00::1]:5000/a:${label(128, 'x')}`).tag).toBe(label(128, 'x'));
    expect(formatImage(parseImage(O, 'i', `r.io/a:t@${digest}`))).toBe(`r.io/a:t@${digest}`);
    expect(formatImage({ repository: 'a' })).toBe('a');
    refuses((v) => parseImage(O, 'i', v), ['', 'Temporalio/server:1', `a:${label(129, 'x')}`, 'a:-x', 'a@sha256:abc', `a/${label(260)}`, 'a b', 'a//b', 'a__b__', 3],
      /i is .*; expected an image reference such as "registry\.example\.com\/temporalio\/server:1\.31\.2"/);
  });

  test('digests are sha256 with 64 lower-case hex digits', () => {
    expect(requireDigest(O, 'd', `sha256:${'0f'.repeat(32)}`)).toBe(`sha256:${'0f'.repeat(32)}`);
    refuses((v) => requireDigest(O, 'd', v), [`sha256:${'a'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, `sha512:${'a'.repeat(64)}`, `sha256:${'a'.repeat(65)}`, 1],
      /d is .*; expected a digest "sha256:" followed by 64 lower-case hex digits/);
  });
});

describe('scheduling', () => {
  test('tolerations as the API server checks them', () => {
    const check = (t: any) => checkTolerations(O, 'tol', [t]);
    expect(checkTolerations(O, 'tol', undefined)).toBeUndefined();
    accepts(check, [{ operator: 'Exists' }, { key: 'k', value: 'v' }, { key: 'k', operator: 'Exists', effect: '' }, { key: 'k', operator: 'Exists', value: '' },
      { key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: -5 }, { key: 'k', effect: 'PreferNoSchedule' }]);
    expect(() => checkTolerations(O, 'tol', {} as any)).toThrow(/tol is \{\}; expected a list of tolerations/);
    expect(() => check({ key: 'k', operator: 'In' })).toThrow(/tol\[0\]\.operator is "In"; expected Exists or Equal/);
    expect(() => check({ value: 'v' })).toThrow(/tol\[0\]\.operator is undefined; expected Exists when the key is empty\. An empty key matches every taint only with operator Exists/);
    expect(() => check({ key: '', operator: 'Equal' })).toThrow(/expected Exists when the key is empty/);
    expect(() => check({ key: 'a b' })).toThrow(/tol\[0\]\.key is "a b"; expected a label key/);
    expect(() => check({ key: 'k', operator: 'Exists', value: 'v' })).toThrow(/tol\[0\]\.value is "v"; expected no value with operator Exists/);
    expect(() => check({ key: 'k', value: 'a b' })).toThrow(/tol\[0\]\.value is "a b"; expected a label value/);
    expect(() => check({ key: 'k', effect: 'Never' })).toThrow(/tol\[0\]\.effect is "Never"; expected NoSchedule, PreferNoSchedule, NoExecute or empty/);
    expect(() => check({ key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 })).toThrow(/tol\[0\]\.tolerationSeconds is 5; expected no value unless effect is NoExecute/);
    expect(() => check({ key: 'k', effect: 'NoExecute', tolerationSeconds: 1.5 })).toThrow(/tol\[0\]\.tolerationSeconds is 1\.5; expected an integer/);
  });

  test('label selectors: set operators need values, existence operators take none', () => {
    const check = (r: any) => checkLabelSelector(O, 'sel', { matchExpressions: [r] });
    expect(() => checkLabelSelector(O, 'sel', undefined)).not.toThrow();
    accepts(check, [{ key: 'k', operator: 'In', values: ['a'] }, { key: 'k', operator: 'NotIn', values: ['a', ''] }, { key: 'k', operator: 'Exists' },
      { key: 'k', operator: 'DoesNotExist', values: [] }]);
    expect(() => check({ key: 'k', operator: 'In' })).toThrow(/sel\.matchExpressions\[0\]\.values is undefined; expected at least one value with operator In/);
    expect(() => check({ key: 'k', operator: 'NotIn', values: [] })).toThrow(/at least one value with operator NotIn/);
    expect(() => check({ key: 'k', operator: 'Exists', values: ['a'] })).toThrow(/sel\.matchExpressions\[0\]\.values is \["a"\]; expected no values with operator Exists/);
    expect(() => check({ key: 'k', operator: 'Gt', values: ['1'] })).toThrow(/operator is "Gt"; expected one of In, NotIn, Exists, DoesNotExist/);
    expect(() => check({ key: 'a b', operator: 'Exists' })).toThrow(/sel\.matchExpressions\[0\]\.key is "a b"/);
    expect(() => check({ key: 'k', operator: 'In', values: ['a b'] })).toThrow(/sel\.matchExpressions\[0\]\.values\[0\] is "a b"; expected a label value/);
    expect(() => checkLabelSelector(O, 'sel', { matchLabels: { k: 'a b' } })).toThrow(/sel\.matchLabels\["k"\] is "a b"/);
    expect(() => checkLabelSelector(O, 'sel', { matchLabels: { 'a b': 'v' } })).toThrow(/sel\.matchLabels key is "a b"/);
  });

  test('affinity: node operators with Gt and Lt on one integer, fields any value, weights 1 to 100', () => {
    const nodeTerm = (r: any, field = false) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [field ? { matchFields: [r] } : { matchExpressions: [r] }] } } });
    const at = 'aff\\.nodeAffinity\\.requiredDuringSchedulingIgnoredDuringExecution\\.nodeSelectorTerms\\[0\\]';
    expect(checkAffinity(O, 'aff', undefined)).toBeUndefined();
    accepts((a) => checkAffinity(O, 'aff', a), [nodeTerm({ key: 'k', operator: 'Gt', values: ['3'] }), nodeTerm({ key: 'k', operator: 'Lt', values: ['10'] }),
      nodeTerm({ key: 'metadata.name', operator: 'In', values: ['Not A Label'] }, true)]);
    expect(() => checkAffinity(O, 'aff', nodeTerm({ key: 'k', operator: 'Gt', values: ['1', '2'] }))).toThrow(new RegExp(`${at}\\.matchExpressions\\[0\\]\\.values is \\["1","2"\\]; expected exactly one integer with operator Gt`));
    expect(() => checkAffinity(O, 'aff', nodeTerm({ key: 'k', operator: 'Lt', values: ['1.5'] }))).toThrow(/exactly one integer with operator Lt/);
    expect(() => checkAffinity(O, 'aff', nodeTerm({ key: 'k', operator: 'Exists' }, true))).toThrow(new RegExp(`${at}\\.matchFields\\[0\\]\\.operator is "Exists"; expected one of In, NotIn`));
    // A required node affinity without terms: the API server refused the Deployment ("must have at least one node selector term").
    for (const terms of [[], undefined]) {
      expect(() => checkAffinity(O, 'aff', { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as any } } }))
        .toThrow(/aff\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms is (\[\]|undefined); expected at least one node selector term\. Leave requiredDuringSchedulingIgnoredDuringExecution out/);
    }
    const preferred = (weight: number) => ({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, preference: { matchExpressions: [{ key: 'k', operator: 'Exists' }] } }] } });
    accepts((a) => checkAffinity(O, 'aff', a), [preferred(1), preferred(100)]);
    const badPreference = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'k', operator: 'In' }] } }] } };
    expect(() => checkAffinity(O, 'aff', badPreference))
      .toThrow(/aff\.nodeAffinity\.preferredDuringSchedulingIgnoredDuringExecution\[0\]\.preference\.matchExpressions\[0\]\.values is undefined; expected at least one value with operator In/);
    for (const w of [0, 101]) {
      expect(() => checkAffinity(O, 'aff', preferred(w))).toThrow(new RegExp(`aff\\.nodeAffinity\\.preferredDuringSchedulingIgnoredDuringExecution\\[0\\]\\.weight is ${w}; expected an integer from 1 to 100`));
    }
    for (const kind of ['podAffinity', 'podAntiAffinity']) {
      expect(() => checkAffinity(O, 'aff', { [kind]: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'a b' }] } }))
        .toThrow(new RegExp(`aff\\.${kind}\\.requiredDuringSchedulingIgnoredDuringExecution\\[0\\]\\.topologyKey is "a b"`));
      expect(() => checkAffinity(O, 'aff', { [kind]: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { k: 'a b' } } }] } }))
        .toThrow(new RegExp(`aff\\.${kind}\\.requiredDuringSchedulingIgnoredDuringExecution\\[0\\]\\.labelSelector\\.matchLabels\\["k"\\]`));
      expect(() => checkAffinity(O, 'aff', { [kind]: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', namespaceSelector: { matchLabels: { k: 'a b' } } }] } }))
        .toThrow(new RegExp(`aff\\.${kind}\\.requiredDuringSchedulingIgnoredDuringExecution\\[0\\]\\.namespaceSelector`));
      const podPreferred = (weight: number, topologyKey = 'zone') => ({ [kind]: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: { topologyKey } }] } });
      expect(() => checkAffinity(O, 'aff', podPreferred(100))).not.toThrow();
      expect(() => checkAffinity(O, 'aff', podPreferred(0))).toThrow(new RegExp(`aff\\.${kind}\\.preferredDuringSchedulingIgnoredDuringExecution\\[0\\]\\.weight is 0`));
      expect(() => checkAffinity(O, 'aff', podPreferred(1, 'a b'))).toThrow(new RegExp(`aff\\.${kind}\\.preferredDuringSchedulingIgnoredDuringExecution\\[0\\]\\.podAffinityTerm\\.topologyKey`));
    }
  });
});

describe('goYamlReadsAsNonString', () => {
  // Each verdict is what sigs.k8s.io/yaml v1.6.0 (go-yaml v2, kubectl's reader) and gopkg.in/yaml.v3
  // v3.0.1 (kustomize's kyaml, Flux's) made of `a: <text>`, checked when the model was written;
  // test/kube/manifest-text.kube.test.ts holds the v2 model to kubectl itself.
  const NUMBERS = ['0o17', '0O17', '-0o17', '+0o17', '0X1F', '0B101', '0b-1', '0b+01', '-0b1', '1e_0', '+_1', '9E0_', '1_e1', '0b1_0', '+0X_F', '0o_7',
    '0x7FFFFFFFFFFFFFFF', '0x8000000000000000', '0xFFFFFFFFFFFFFFFF', '-0x8000000000000000', '0o1777777777777777777777', '1e_-400',
    'yes', 'Off', '~', 'null', '.inf', '-.Inf', '.NaN', '.5', '1.5', '12', '-0', '', '-0o7'];
  const TEXT = ['0o', '0o8', '0x1g', '0B2', '-0b-1', '0b', '_1', '0x10000000000000000', '-0x8000000000000001', '0o2000000000000000000000', '1e_400', '.5_',
    '2001-1-2', '2000-02-29', '2001-1-2t1:2:3Z', '2001-1-2 1:2:3', '20011-1-2', 'yes please', 'o', 'x12', '1.2.3', '+', '.', '-0o-7'];
  test.each(NUMBERS)('%j reads as a number or another non-string in v2 and v3', (text) => {
    expect([goYamlReadsAsNonString(text, 2), goYamlReadsAsNonString(text, 3)]).toEqual([true, true]);
  });
  test.each(TEXT)('%j reads as text in v2 and v3', (text) => expect([goYamlReadsAsNonString(text, 2), goYamlReadsAsNonString(text, 3)]).toEqual([false, false]));
  test.each(['0o-60', '0o+7'])('%j reads as a number in v3 only, which takes a sign after 0o', (text) => {
    expect([goYamlReadsAsNonString(text, 2), goYamlReadsAsNonString(text, 3)]).toEqual([false, true]);
  });
});
