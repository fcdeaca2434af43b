import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ownStep } from './support/namespace-checks';
import { cluster, find, objects, testChart, withoutSchemaHash } from './support/synth';
import { ArchivalProvider, Datastore, DynamicConfigValue, NamespaceBootstrap, Persistence, SearchAttributeType, TemporalNamespace } from '../lib';
import { nonEmpty } from './support/non-empty';
import { asKubeletStarts } from './support/kubelet-expansion';

const namespaces = [
  { name: 'orders', retention: Duration.days(3), description: 'it\'s "quoted"; $(touch /tmp/pwned)' },
  { name: 'payments', retention: Duration.hours(36) },
];

function job(props: Parameters<typeof cluster>[1] = { namespaces }) {
  const chart = testChart();
  const c = cluster(chart, props);
  return { c, job: find(chart, 'Job', c.namespaceBootstrap!.name), chart };
}

/**
 * Runs the Job's real script with a stand-in `temporal` CLI that records each call's arguments,
 * separated by "|", and answers `describe` with success only for the names in `existing` (`name`,
 * or `name=seconds` for a retention other than 72 hours), printing, as `-o jsonl` does, the
 * namespace's retention the way protojson writes a Duration (`"259200s"`). Its
 * `search-attribute list -o jsonl` prints the custom attributes in `attributes` (name -> the
 * server's INDEXED_VALUE_TYPE_* name) plus those `create` added, as the real CLI prints them.
 */
function runScript(command: string[], existing: string[], attributes: Record<string, string> = {}, notServedTimes = 0,
  descriptions: Record<string, string> = { orders: namespaces[0].description! }, config: Record<string, string> = {}): { status: number | null; out: string; err: string; calls: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ns-'));
  const log = join(dir, 'calls');
  const exists = existing.map((entry) => {
    const [name, seconds = '259200'] = entry.split('=');
    // protojson leaves out an empty description.
    const description = descriptions[name] ? `,"description":${JSON.stringify(descriptions[name])}` : '';
    writeFileSync(join(dir, `ns-${name}`), `{"namespaceInfo":{"name":"${name}"${description}},"config":{"workflowExecutionRetentionTtl": "${seconds}s"${config[name] ?? ''}}}\n`);
    return `*"describe"*"${name}"*) cat ${dir}/ns-${name}; exit 0;;`;
  }).join(' ');
  writeFileSync(join(dir, 'attributes'), Object.entries(attributes).map(([n, t]) => `"${n}":"${t}"`).join(','));
  writeFileSync(join(dir, 'temporal'), [
    '#!/bin/sh',
    `printf '%s|' "$@" >> ${log}; echo >> ${log}`,
    'case "$*" in',
    `  ${exists} *"describe"*) exit 1;;`,
    '  *"search-attribute list"*)',
    `    n=$(cat ${dir}/lists 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/lists`,
    `    if [ "$n" -lt ${notServedTimes} ]; then echo 'Error: unable to list search attributes: Namespace orders is not found.' >&2; exit 1; fi`,
    `    printf '{"customAttributes":{%s},"systemAttributes":{"WorkflowId":"INDEXED_VALUE_TYPE_KEYWORD"}}\\n' "$(cat ${dir}/attributes)"; exit 0;;`,
    '  *"search-attribute create"*)',
    '    while [ "$#" -gt 0 ]; do case "$1" in --name) n=$2;; --type) t=$2;; esac; shift; done',
    `    t=$(printf %s "$t" | sed 's/KeywordList/KEYWORD_LIST/' | tr '[:lower:]' '[:upper:]'); a=$(cat ${dir}/attributes)`,
    `    printf '%s%s"%s":"INDEXED_VALUE_TYPE_%s"' "$a" "\${a:+,}" "$n" "$t" > ${dir}/attributes; echo "Search attributes have been added"; exit 0;;`,
    // An archival state set: the namespace gets the cluster's URI, unless the server skips archival (its dynamic config).
    '  *"namespace update"*"-archival-state"*)',
    '    while [ "$#" -gt 0 ]; do case "$1" in --namespace) n=$2;; --history-archival-state) k=history;; --visibility-archival-state) k=visibility;; esac; shift; done',
    `    if grep -q '"failsArchival"' ${dir}/ns-$n; then echo 'Error: unable to update namespace: bucket does not exist' >&2; exit 1; fi`,
    `    grep -q '"ignoresArchival"' ${dir}/ns-$n || sed -i "s|\\"config\\":{|\\"config\\":{\\"\${k}ArchivalUri\\": \\"s3://archive/\${k}\\",|" ${dir}/ns-$n; exit 0;;`,
    'esac',
    'exit 0',
  ].join('\n'));
  writeFileSync(join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'temporal'), 0o755);
  chmodSync(join(dir, 'sleep'), 0o755);
  try {
    // The command as the kubelet hands it over ($$ is one $), with the Job's env.
    const argv = asKubeletStarts({ command, env: [{ name: 'TEMPORAL_ADDRESS', value: 'fe:7233' }] }).command;
    const r = spawnSync(argv[0], argv.slice(1), { env: { PATH: `${dir}:/usr/bin:/bin`, TEMPORAL_ADDRESS: 'fe:7233' }, encoding: 'utf-8' });
    return { status: r.status, out: r.stdout, err: r.stderr, calls: readFileSync(log, 'utf-8').trim().split('\n') };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe('NamespaceBootstrap', () => {
  test('defaults', () => {
    expect(job().job).toMatchSnapshot();
  });

  test('passes names, retentions and descriptions as arguments, never inside the script', () => {
    const { job: j, c } = job();
    const container = j.spec.template.spec.containers.map(ownStep)[0];
    expect(container.image).toBe('temporalio/admin-tools:1.32.2');
    expect(container.env).toEqual([{ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress }]);
    expect(asKubeletStarts(container).command.slice(3)).toEqual(['create-namespaces', 'orders', '72h', namespaces[0].description, JSON.stringify(namespaces[0].description), '0', 'payments', '36h', '', '""', '0']);
    expect(container.command[2]).not.toContain('orders');
    // Written for the kubelet, which would run $(touch ...) as a reference to an env var: $$ is its literal $.
    expect(container.command[6]).toBe('it\'s "quoted"; $$(touch /tmp/pwned)');
  });

  test('the script hands a hostile description to the CLI as one argument', () => {
    const { calls } = runScript(job({ namespaces: [namespaces[0]] }).job.spec.template.spec.containers.map(ownStep)[0].command, []);
    expect(calls[2]).toContain(`--description|${namespaces[0].description}|`);
  });

  test('the script describes first, creates what is missing, and waits for the frontend', () => {
    const { out, calls } = runScript(job().job.spec.template.spec.containers.map(ownStep)[0].command, ['orders']);
    expect(out).toContain('namespace orders exists');
    expect(out).toContain('namespace payments created');
    expect(calls).toEqual([
      'operator|cluster|health|--address|fe:7233|',
      'operator|namespace|describe|--address|fe:7233|--namespace|orders|-o|jsonl|',
      'operator|namespace|describe|--address|fe:7233|--namespace|payments|-o|jsonl|',
      'operator|namespace|create|--address|fe:7233|--namespace|payments|--retention|36h|--description||',
    ]);
  });

  test('fails when a changed description is not set on a namespace that exists: the new Job found it and changed nothing', () => {
    // Descriptions the shell, the kubelet and JSON each escape: the script compares the one the
    // server holds, as protojson writes it, with the declared one, exactly.
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('a\nb', '"', '\\', 'a\tb\u0001', '$(X) $$', 'é')).filter((d) => !d.includes('\0'));
    fc.assert(fc.property(text, text, (declared, held) => {
      const command = job({ namespaces: [{ name: 'orders', retention: Duration.days(3), description: declared }] }).job.spec.template.spec.containers.map(ownStep)[0].command;
      const r = runScript(command, ['orders'], {}, 0, { orders: held });
      expect(r.status).toBe(0);
      const updates = r.calls.filter((c) => c.includes('namespace|update'));
      if (declared === held || declared === '') {
        // An equal one is left alone, and an empty one too: the server cannot clear a description.
        expect(updates).toEqual([]);
      } else {
        // The stand-in CLI logs a call a line: a newline in the description splits it.
        expect(updates).toEqual([`operator|namespace|update|--address|fe:7233|--namespace|orders|--description|${declared.split('\n')[0]}${declared.includes('\n') ? '' : '|'}`]);
        expect(r.out).toContain('namespace orders: description set');
      }
    }), { numRuns: 40 });
  });

  test('the script sets the declared retention on a namespace that exists with another, and leaves an equal one alone', () => {
    // A retention changed in the app made a new Job that found the namespace and changed nothing.
    const r = runScript(job().job.spec.template.spec.containers.map(ownStep)[0].command, ['orders=86400', 'payments=129600']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('namespace orders exists; retention set to 72h (it was 86400s)');
    expect(r.out).toContain('namespace payments exists');
    expect(r.out).not.toContain('namespace payments exists;');
    expect(r.calls.filter((c) => c.includes('namespace|update'))).toEqual([
      'operator|namespace|update|--address|fe:7233|--namespace|orders|--retention|72h|',
    ]);
    expect(r.calls.filter((c) => c.includes('namespace|create'))).toEqual([]);
  });

  test('fails when a listed namespace that exists with archival never enabled is left so while the cluster archives new namespaces by default', () => {
    // The server gives a namespace the cluster's archival default only when it creates it: one made
    // before archival was set up (or while namespaceDefault was off) held none, and its histories were
    // deleted at the end of the retention without an archive. The Job turns that kind on (the server
    // then takes the cluster's URI); a namespace with a URI was enabled once, and is left as it is.
    const state = fc.constantFrom('none', 'enabled', 'disabled');
    const held = (kind: string, s: string) => (s === 'none' ? `,"${kind}ArchivalState":"ARCHIVAL_STATE_DISABLED"`
      : `,"${kind}ArchivalState":"ARCHIVAL_STATE_${s.toUpperCase()}", "${kind}ArchivalUri": "s3://archive/${kind}"`);
    const target = fc.option(fc.record({ namespaceDefault: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined });
    fc.assert(fc.property(target, target, state, state, (history, visibility, heldHistory, heldVisibility) => {
      const provider = ArchivalProvider.s3({ region: 'eu-west-1' });
      const archival = {
        ...(history ? { history: { provider, uri: 's3://archive/history', namespaceDefault: history.namespaceDefault } } : {}),
        ...(visibility ? { visibility: { provider, uri: 's3://archive/visibility', namespaceDefault: visibility.namespaceDefault } } : {}),
      };
      const command = job({ namespaces: [namespaces[0]], archival }).job.spec.template.spec.containers.map(ownStep)[0].command;
      const r = runScript(command, ['orders'], {}, 0, undefined, { orders: held('history', heldHistory) + held('visibility', heldVisibility) });
      expect(r.status).toBe(0);
      const expected = ([['history', history, heldHistory], ['visibility', visibility, heldVisibility]] as const)
        .filter(([, t, s]) => t !== undefined && t.namespaceDefault !== false && s === 'none').map(([kind]) => kind);
      expect(r.calls.filter((c) => c.includes('namespace|update'))).toEqual(expected.map((kind) => `operator|namespace|update|--address|fe:7233|--namespace|orders|--${kind}-archival-state|enabled|`));
      for (const kind of expected) expect(r.out).toContain(`namespace orders: ${kind} archival enabled (it was never enabled)`);
    }), { numRuns: 60 });
  });

  /** The namespace Job's own step for one namespace, with S3 history archival on by default. */
  const s3HistoryArchivalCommand = () => {
    const archival = { history: { provider: ArchivalProvider.s3({ region: 'eu-west-1' }), uri: 's3://archive/history' } };
    return job({ namespaces: [namespaces[0]], archival }).job.spec.template.spec.containers.map(ownStep)[0].command;
  };

  test('fails when the Job says archival was enabled while the server skipped it (its dynamic config holds that archival paused or disabled)', () => {
    const command = s3HistoryArchivalCommand();
    const r = runScript(command, ['orders'], {}, 0, undefined, { orders: ',"ignoresArchival":true' });
    expect(r.status).toBe(0);
    expect(r.out).toContain('namespace orders: history archival is still off: the server did not turn it on (is system.historyArchivalState disabled or paused in the dynamic config?)');
    expect(r.out).not.toContain('archival enabled');
  });

  test('fails when a refused archival update fails the Job without saying which archival failed and what to do', () => {
    // The server checks the URI as it turns archival on (HeadBucket for S3): a missing bucket refuses the update.
    const command = s3HistoryArchivalCommand();
    const r = runScript(command, ['orders'], {}, 0, undefined, { orders: ',"failsArchival":true' });
    expect(r.status).toBe(1);
    expect(r.err).toContain('bucket does not exist');
    expect(r.out).toContain("namespace orders: turning history archival on failed (the error above): the server checks the cluster's history archival URI as it does so; create its bucket or let the servers reach it, or set archival.history.namespaceDefault to false");
  });

  describe('search attributes', () => {
    const orders: TemporalNamespace = {
      name: 'orders', retention: Duration.days(3),
      searchAttributes: [{ name: 'CustomerId', type: SearchAttributeType.KEYWORD }, { name: 'Total', type: SearchAttributeType.DOUBLE }, { name: 'Tags', type: SearchAttributeType.KEYWORD_LIST }],
    };
    const command = (ns: TemporalNamespace[] = [orders]) => job({ namespaces: ns }).job.spec.template.spec.containers.map(ownStep)[0].command;

    test('arrive as a count, then a name and a type each, after the namespace\'s own arguments', () => {
      expect(command().slice(3)).toEqual(['create-namespaces', 'orders', '72h', '', '""', '3', 'CustomerId', 'Keyword', 'Tags', 'KeywordList', 'Total', 'Double']);
    });

    test('the script creates the missing ones, leaves those of the same type, and names undeclared ones, which it keeps', () => {
      const r = runScript(command(), ['orders'], { CustomerId: 'INDEXED_VALUE_TYPE_KEYWORD', Legacy: 'INDEXED_VALUE_TYPE_INT' });
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toContain('search attribute CustomerId (Keyword) of namespace orders exists');
      expect(r.out).toContain('search attribute Total (Double) of namespace orders created');
      expect(r.out).toContain('search attribute Tags (KeywordList) of namespace orders created');
      expect(r.out).toContain('search attribute Legacy of namespace orders is not declared by the app; it is kept (this Job never removes one)');
      const creates = r.calls.filter((c) => c.includes('search-attribute|create'));
      expect(creates).toEqual([
        'operator|search-attribute|create|--address|fe:7233|--namespace|orders|--name|Tags|--type|KeywordList|',
        'operator|search-attribute|create|--address|fe:7233|--namespace|orders|--name|Total|--type|Double|',
      ]);
      expect(r.calls.filter((c) => c.includes('search-attribute|remove'))).toEqual([]);
    });

    test('the script run again changes nothing', () => {
      const r = runScript(command(), ['orders'], { CustomerId: 'INDEXED_VALUE_TYPE_KEYWORD', Total: 'INDEXED_VALUE_TYPE_DOUBLE', Tags: 'INDEXED_VALUE_TYPE_KEYWORD_LIST' });
      expect(r.status).toBe(0);
      expect(r.calls.filter((c) => c.includes('create'))).toEqual([]);
      expect(r.out.match(/exists/g)).toHaveLength(4);
    });

    test('the script fails on a type clash, naming the namespace, both types and the remedy, and creates nothing', () => {
      const r = runScript(command(), ['orders'], { Total: 'INDEXED_VALUE_TYPE_INT' });
      expect(r.status).toBe(1);
      expect(r.err).toContain('search attribute Total of namespace orders is INDEXED_VALUE_TYPE_INT on the server, but the app declares it Double; a search attribute never changes type');
      expect(r.calls.filter((c) => c.includes('create'))).toEqual([]);
    });

    test('the script waits for a namespace just created to be served before it lists its attributes', () => {
      const r = runScript(command(), [], {}, 2);
      expect(r.status).toBe(0);
      expect(r.out).toContain('waiting for namespace orders to be served before its search attributes (attempt 2)');
      expect(r.out).toContain('search attribute Tags (KeywordList) of namespace orders created');
    });

    test('namespaces without attributes never list them', () => {
      const r = runScript(command([{ name: 'plain', retention: Duration.days(1) }]), []);
      expect(r.status).toBe(0);
      expect(r.calls.filter((c) => c.includes('search-attribute'))).toEqual([]);
    });

    test('the script has the search-attribute part only when a namespace declares one', () => {
      const plain: TemporalNamespace = { name: 'plain', retention: Duration.days(1) };
      expect(command([plain])[2]).not.toContain('search-attribute');
      expect(command([plain])[2]).toContain('temporal operator namespace create');
      const mixed = command([plain, orders]);
      expect(mixed[2]).toContain('temporal operator search-attribute create');
      // The arguments differ as well (a count above 0), so one Job name never gets two scripts.
      // Namespaces and attributes in code-unit order, whatever the app's.
      expect(mixed.slice(3)).toEqual(['create-namespaces', 'orders', '72h', '', '""', '3', 'CustomerId', 'Keyword', 'Tags', 'KeywordList', 'Total', 'Double', 'plain', '24h', '', '""', '0']);
      const r = runScript(mixed, ['plain']);
      expect(r.status).toBe(0);
      expect(r.out).toContain('namespace plain exists');
      expect(r.out).toContain('search attribute CustomerId (Keyword) of namespace orders created');
      expect(nonEmpty(r.calls.filter((c) => c.includes('search-attribute|list'))).every((c) => c.includes('--namespace|orders|'))).toBe(true);
    });

    describe('fail at synth when', () => {
      const attrs = (searchAttributes: any[], visibilityStore?: Datastore) => () => {
        const chart = testChart();
        const persistence = visibilityStore && new Persistence(chart, 'p', { defaultStore: Datastore.postgres({ host: 'pg', database: 't', user: 'u' }), visibilityStore });
        return cluster(chart, { namespaces: [{ name: 'orders', retention: Duration.days(1), searchAttributes }], ...(persistence ? { persistence } : {}) });
      };
      const many = (type: SearchAttributeType, n: number) => Array.from({ length: n }, (_, i) => ({ name: `A${type}${i}`, type }));
      test('a SQL store would need more columns of a type than it has: 10 Keyword, 3 of every other type', () => {
        expect(attrs(many(SearchAttributeType.KEYWORD, 10))).not.toThrow();
        expect(attrs(many(SearchAttributeType.KEYWORD, 11))).toThrow(/namespaces\[0\].searchAttributes is .*; expected at most 10 Keyword attributes in one namespace on a SQL visibility store/);
        for (const type of nonEmpty(Object.values(SearchAttributeType).filter((t) => t !== SearchAttributeType.KEYWORD))) {
          expect(attrs(many(type, 3))).not.toThrow();
          expect(attrs(many(type, 4))).toThrow(new RegExp(`expected at most 3 ${type} attributes`));
        }
      });
      test('but Elasticsearch has no such cap', () => {
        expect(attrs(many(SearchAttributeType.INT, 20), Datastore.elasticsearch({ url: 'http://es:9200' }))).not.toThrow();
      });
      test('on Elasticsearch two namespaces declare one name with two types: its attributes are the index\'s, which every namespace shares', () => {
        // The operator handler adds them to the index mapping (saManager.GetSearchAttributes(indexName)), whatever the
        // namespace: the second namespace's step found the first one's type and failed the Job after creating the rest.
        const es = (types: SearchAttributeType[]) => () => {
          const chart = testChart();
          const persistence = new Persistence(chart, 'p', { defaultStore: Datastore.postgres({ host: 'pg', database: 't', user: 'u' }), visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200' }) });
          return cluster(chart, { persistence, namespaces: types.map((type, i) => ({ name: `ns${i}`, retention: Duration.days(1), searchAttributes: [{ name: 'Kind', type }] })) });
        };
        expect(es([SearchAttributeType.KEYWORD, SearchAttributeType.KEYWORD])).not.toThrow();
        expect(es([SearchAttributeType.KEYWORD, SearchAttributeType.INT])).toThrow(
          /namespaces\[1\].searchAttributes\[0\].type is "Int"; expected Keyword, the type namespaces\[0\] \(ns0\) gives Kind: on Elasticsearch visibility/);
        // On SQL each namespace maps its own columns, so the same name may have two types.
        expect(() => cluster(testChart(), { namespaces: [0, 1].map((i) => ({ name: `ns${i}`, retention: Duration.days(1), searchAttributes: [{ name: 'Kind', type: i ? SearchAttributeType.INT : SearchAttributeType.KEYWORD }] })) })).not.toThrow();
      });
      test('a name is reserved by the server, however it is spelt', () => {
        for (const name of ['WorkflowId', 'ExecutionStatus', 'BuildIds', 'Memo', 'NamespaceId', 'TemporalChangeVersion', 'TemporalAnything', 'Temporal']) {
          expect(attrs([{ name, type: SearchAttributeType.KEYWORD }])).toThrow(/searchAttributes\[0\].name is .*; expected a name the server does not reserve/);
        }
        fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_]{0,10}$/), (rest) => {
          expect(attrs([{ name: `Temporal${rest}`, type: SearchAttributeType.INT }])).toThrow(/reserve/);
        }), { numRuns: 50 });
      });
      test('a name is not letters, digits and "_" starting with a letter, or is listed twice', () => {
        for (const name of ['', '1st', 'a-b', 'a b', 'a.b', '$(x)', 'é']) {
          expect(attrs([{ name, type: SearchAttributeType.KEYWORD }])).toThrow(/searchAttributes\[0\].name is .*; expected a letter, then letters, digits or "_", at most 255 characters\. A rule of this library, .* write it as CustomerEmail or customer_email\./);
        }
        expect(attrs([{ name: 'A', type: SearchAttributeType.INT }, { name: 'A', type: SearchAttributeType.TEXT }])).toThrow(/searchAttributes\[1\].name is "A"; expected a name not listed twice/);
      });
      test('a type is not one of the server\'s', () => {
        expect(attrs([{ name: 'A', type: 'keyword' }])).toThrow(/searchAttributes\[0\].type is "keyword"; expected one of Text, Keyword, Int, Double, Bool, Datetime, KeywordList/);
      });
    });
  });

  test('a changed namespace list makes a new Job name', () => {
    const first = job().c.namespaceBootstrap!.name;
    const second = job({ namespaces: [namespaces[0]] }).c.namespaceBootstrap!.name;
    expect(first).toMatch(/^temporal-namespaces-[0-9a-f]{8}$/);
    expect(second).not.toBe(first);
  });

  test('fails when the same namespaces and search attributes listed in another order name another Job (and run it again): the args are in one order', () => {
    const attributeTypes = fc.constantFrom(...Object.values(SearchAttributeType));
    // A lower-case first letter: no name the server reserves (those are capitalised). Three at most fit a SQL store's columns of any type.
    const attributes = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,6}$/), type: attributeTypes }), { selector: (a) => a.name, maxLength: 3 });
    const list = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), hours: fc.integer({ min: 1, max: 200 }), searchAttributes: attributes }),
      { selector: (n) => n.name, minLength: 2, maxLength: 4 });
    fc.assert(fc.property(list, fc.nat(), (declared, seed) => {
      const built: TemporalNamespace[] = declared.map((n) => ({ name: n.name, retention: Duration.hours(n.hours), searchAttributes: n.searchAttributes }));
      // Rotated, reversed, and each namespace's attributes reversed.
      const shuffled = built.map((_, i) => built[(i + seed) % built.length]).reverse().map((n) => ({ ...n, searchAttributes: [...n.searchAttributes!].reverse() }));
      const of = (ns: TemporalNamespace[]) => {
        const { c, job: j } = job({ namespaces: ns });
        return { name: c.namespaceBootstrap!.name, command: asKubeletStarts(j.spec.template.spec.containers.map(ownStep)[0]).command };
      };
      expect(of(shuffled)).toEqual(of(built));
      // What the Job does still names it.
      expect(of(built.slice(1)).name).not.toBe(of(built).name);
    }), { numRuns: 25 });
  });

  test('anything else in the Job\'s spec makes a new name too, so an apply never edits the immutable pod template', () => {
    const base = job();
    // The same props give the same name: a re-synth does not re-run the Job.
    expect(job().c.namespaceBootstrap!.name).toBe(base.c.namespaceBootstrap!.name);
    const changed = nonEmpty([
      ['a release upgrade (image and version label)', { namespaces, version: '1.32.1', acknowledgedAdvisories: [] }],
      ['pull secrets', { namespaces, imagePullSecrets: ['registry'] }],
      ['an image mirror', { namespaces, images: { repository: 'mirror.example.com/temporalio' } }],
    ] as Array<[string, Parameters<typeof cluster>[1]]>);
    for (const [what, props] of changed) {
      let name: string;
      try {
        name = job(props).c.namespaceBootstrap!.name;
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
      expect([what, name]).toEqual([what, expect.not.stringMatching(`^${base.c.namespaceBootstrap!.name}$`)]);
    }
  });

  test('no Job without namespaces', () => {
    const chart = testChart();
    expect(cluster(chart).namespaceBootstrap).toBeUndefined();
    expect(objects(chart).filter((o) => o.kind === 'Job').map((o) => withoutSchemaHash(o.metadata.name))).toEqual(['temporal-schema-default', 'temporal-schema-visibility']);
  });

  describe('fails when', () => {
    test('a name is longer than the cluster\'s limit.maxIDLength, set before or after the namespaces: the frontend refuses to create it, and every request naming it', () => {
      const run = (name: string, limit: number, after: boolean) => () => {
        const chart = testChart();
        const c = cluster(chart, { namespaces: [namespaces[0], { name, retention: Duration.days(1) }], dynamicConfig: { values: after ? [] : [DynamicConfigValue.maxIdLength(limit)] } });
        if (after) c.dynamicConfig.add(DynamicConfigValue.maxIdLength(limit));
        Testing.synth(chart);
      };
      for (const after of [false, true]) {
        expect(run('n'.repeat(31), 110, after)).toThrow(/TemporalCluster 'temporal': namespaces\[1\].name is "n{31}"; expected a namespace name of at most 30 bytes of UTF-8, the cluster's limit\.maxIDLength less the 80 bytes the server's worker adds to it in its identity \(this one has 31\)\. The frontend refuses every request that names a longer namespace \("Namespace length exceeds limit."\), its creation included, and the server's worker polls .* \("Identity length exceeds limit."\)/);
        expect(run('n'.repeat(30), 110, after)).not.toThrow();
      }
      // The server's default, 1000 bytes less the worker's 80, is above the 255 characters a name may have.
      expect(() => Testing.synth(job({ namespaces: [{ name: 'n'.repeat(255), retention: Duration.days(1) }] }).chart)).not.toThrow();
    });
    test('a retention is under an hour or not whole hours', () => {
      // The Job creates local namespaces, whose floor is system.namespaceMinRetentionLocal: 1h by default, not a day.
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.minutes(30) }] })).toThrow(/namespaces\[0\].retention is "0.5h"; expected a whole number of hours, at least 1 \(the server's default system.namespaceMinRetentionLocal/);
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.hours(0) }] })).toThrow(/namespaces\[0\].retention is "0h"; expected a whole number of hours, at least 1/);
      for (const hours of [1, 12, 23]) {
        const { calls } = runScript(job({ namespaces: [{ name: 'ci', retention: Duration.hours(hours) }] }).job.spec.template.spec.containers.map(ownStep)[0].command, []);
        expect(calls.find((c) => c.includes('namespace|create'))).toContain(`--namespace|ci|--retention|${hours}h|`);
      }
      // Fails when retention comes from a config file as a number or a string: it failed with a TypeError naming no prop.
      expect(() => job({ namespaces: [{ name: 'a', retention: 3 as never }] })).toThrow(/namespaces\[0\].retention is 3; expected a whole number of hours.*Give a Duration from cdk8s, such as Duration.days\(3\)\./);
      expect(() => job({ namespaces: [{ name: 'a', retention: '72h' as never }] })).toThrow(/namespaces\[0\].retention is "72h"; expected a whole number of hours/);
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.minutes(1450) }] })).toThrow(/retention is/);
    });
    test('a retention is under the cluster\'s own system.namespaceMinRetentionLocal, in any spelling, set before or after the namespaces: the server refused it and the Job failed on every retry', () => {
      const run = (retentionHours: number, floor: string | number, after: boolean, unchecked = false) => () => {
        const chart = testChart();
        // The server reads keys in any case, and unchecked values in any form its converter takes.
        const value = unchecked ? DynamicConfigValue.unchecked('SYSTEM.NamespaceMinRetentionLocal', floor) : DynamicConfigValue.of('system.namespaceMinRetentionLocal', floor);
        const c = cluster(chart, { namespaces: [namespaces[0], { name: 'short', retention: Duration.hours(retentionHours) }], dynamicConfig: { values: after ? [] : [value] } });
        if (after) c.dynamicConfig.add(value);
        Testing.synth(chart);
      };
      expect(run(24, '2d', true)).toThrow(/\[test\/temporal\/Namespaces\] TemporalCluster 'temporal': namespaces\[1\].retention is "24h"; expected at least 48h, the cluster's dynamic config system.namespaceMinRetentionLocal \("2d"\), the floor of the local namespaces the Job creates\. The server refuses a shorter retention \("A valid retention period is not set on request\."\), so the Job would fail on every retry\. Lengthen the retention, or lower system.namespaceMinRetentionLocal\./);
      // Every spelling the server reads as the same floor: a Go duration with its day unit, bare seconds as text or a number (at most the other namespace's 72h).
      const spellings = (h: number) => [`${h}h`, `${h * 60}m`, `${h * 3600}s`, `${h * 3600}`, h * 3600, `${h - 1}h60m`, ...(h % 24 === 0 ? [`${h / 24}d`] : [])];
      const uncheckedSpellings = (h: number) => [...spellings(h), `+${h}h`, `${h * 3600}.0`, `${h * 60}.0m`, `${h * 3600000}ms`, h * 3600 + 0.0];
      fc.assert(fc.property(fc.integer({ min: 1, max: 72 }), fc.integer({ min: 1, max: 200 }), fc.boolean(), fc.boolean(), fc.nat(11), (floorHours, retentionHours, after, unchecked, pick) => {
        const all = unchecked ? uncheckedSpellings(floorHours) : spellings(floorHours);
        const floor = all[pick % all.length];
        if (retentionHours < floorHours) expect(run(retentionHours, floor, after, unchecked)).toThrow(new RegExp(`namespaces\\[1\\].retention is "${retentionHours}h"; expected at least ${floorHours}h`));
        else expect(run(retentionHours, floor, after, unchecked)).not.toThrow();
      }), { numRuns: 80 });
      // A value the server cannot convert leaves its default floor, an hour.
      expect(run(2, '48 hours', false, true)).not.toThrow();
    });
    test('a retention is over the 100 years the server caps it at (and past Go\'s longest duration the CLI fails)', () => {
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.days(36501) }] })).toThrow(/namespaces\[0\].retention is "876024h"; expected at most 876000h \(100 years\)/);
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.days(1e9) }] })).toThrow(/namespaces\[0\].retention is "24000000000h"; expected at most 876000h/);
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.days(36500) }] })).not.toThrow();
    });
    test('a name is the server\'s own temporal-system, in any case: the Job found it and set the system namespace\'s retention to the declared one', () => {
      expect(() => job({ namespaces: [{ name: 'temporal-system', retention: Duration.days(1) }] }))
        .toThrow(/namespaces\[0\].name is "temporal-system"; expected a namespace of the application, not temporal-system. The server creates temporal-system/);
      expect(() => job({ namespaces: [{ name: 'orders', retention: Duration.days(1) }, { name: 'Temporal-System', retention: Duration.days(1) }] }))
        .toThrow(/namespaces\[1\].name is "Temporal-System"; expected a namespace of the application, not temporal-system in any case \(one namespace on MySQL\)/);
      expect(() => job({ namespaces: [{ name: 'temporal-systems', retention: Duration.days(1) }] })).not.toThrow();
    });
    test('two names differ only in case, which MySQL stores as one namespace', () => {
      expect(() => job({ namespaces: [{ name: 'orders', retention: Duration.days(1) }, { name: 'Orders', retention: Duration.days(2) }] }))
        .toThrow(/namespaces\[1\].name is "Orders"; expected a name not listed twice; "orders" differs only in case. On MySQL the two are one namespace/);
    });
    test('a description is not text (untyped JS): a TypeError, or a number in the Job\'s command that the API server refuses', () => {
      for (const description of [5, { text: 'x' }, ['x']]) {
        expect(() => job({ namespaces: [{ name: 'a', retention: Duration.days(1), description: description as never }] })).toThrow(/namespaces\[0\].description is .*; expected a string/);
      }
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.days(1), description: null as never }] })).not.toThrow();
    });
    test('fails when a description cannot be a process argument (a NUL, or over the kernel\'s 128 KiB as is or JSON-escaped): the container never started', () => {
      const withDescription = (description: string) => () => job({ namespaces: [{ name: 'a', retention: Duration.days(1), description }] });
      fc.assert(fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (before, after) => {
        expect(withDescription(`${before}\0${after}`)).toThrow(/namespaces\[0\]\.description is .*; expected text without a NUL character/);
      }), { numRuns: 30 });
      // JSON-escaped, with its quotes: one byte over 131071 is refused; a control character is 6 bytes there, "é" 2. (Under that,
      // the whole Job must still fit kubectl's client-side apply: test/namespace-job-size.test.ts.)
      for (const description of ['x'.repeat(131070), '\u0001'.repeat(21846), 'é'.repeat(65535)]) {
        expect(withDescription(description)).toThrow(/namespaces\[0\]\.description is .*bytes JSON-escaped\)"; expected at most 131071 bytes once JSON-escaped/);
      }
    });
    test('an entry of namespaces or of searchAttributes is not an object (a config file\'s null or bare name): a TypeError naming no prop', () => {
      // An empty item is refused where the props are copied, for every list of objects (plain-data.ts).
      for (const entry of [null, undefined]) {
        expect(() => job({ namespaces: [namespaces[0], entry as never] })).toThrow(/TemporalCluster 'temporal': props\.namespaces\[1\] is (null|undefined); expected an object of TemporalNamespace/);
        expect(() => job({ namespaces: [{ ...namespaces[0], searchAttributes: [{ name: 'A', type: SearchAttributeType.INT }, entry as never] }] }))
          .toThrow(/props\.namespaces\[0\]\.searchAttributes\[1\] is (null|undefined); expected an object of/);
        // Built on its own too: the copy of its props refuses the entry before the Job reads one (the Job no longer checks for it).
        expect(() => new NamespaceBootstrap(testChart(), 'own', { namespaces: [namespaces[0], entry] } as never)).toThrow(/^NamespaceBootstrap 'own': props\.namespaces\[1\] is (null|undefined); expected an object of TemporalNamespace/);
      }
      for (const entry of ['orders', 7, ['orders']]) {
        expect(() => job({ namespaces: [namespaces[0], entry as never] })).toThrow(/TemporalCluster 'temporal': namespaces\[1\] is .*; expected a namespace: \{ name, retention \}/);
        expect(() => job({ namespaces: [{ ...namespaces[0], searchAttributes: [{ name: 'A', type: SearchAttributeType.INT }, entry as never] }] }))
          .toThrow(/namespaces\[0\].searchAttributes\[1\] is .*; expected a search attribute: \{ name, type \}/);
      }
    });
    test('a name is not a namespace name or is listed twice', () => {
      expect(() => job({ namespaces: [{ name: 'a b', retention: Duration.days(1) }] })).toThrow(/namespaces\[0\].name is "a b"; expected a Temporal namespace name/);
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.days(1) }, { name: 'a', retention: Duration.days(2) }] })).toThrow(/namespaces\[1\].name is "a"; expected a name not listed twice/);
    });
  });
});
