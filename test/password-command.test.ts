import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { cluster, find, testChart } from './support/synth';
import { Datastore, Persistence, PostgresOptions, SecretRef, TemporalClusterProps } from '../lib';
import { resolvePasswordCommand, withPasswordCommand } from '../lib/persistence/password-command';
import { nonEmpty } from './support/non-empty';
import { POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV } from '../lib/pod/namespace-check';

const user = SecretRef.of('db', 'user');
const tokenCommand = { command: '/helpers/token', args: ['--host', 'pg.example.com', '--user', 'temporal'], timeout: Duration.seconds(10) };

function iamCluster(version?: string, options: Partial<PostgresOptions> = {}, props: Partial<TemporalClusterProps> = {}) {
  const chart = testChart();
  const store = (database: string) => Datastore.postgres({ host: 'pg.example.com', database, user, passwordCommand: tokenCommand, ...options });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: store('temporal'),
    visibilityStore: store('visibility'),
    databaseAccess: {
      initContainers: [{ name: 'copy-token-helper', image: 'example.com/token-helper:1', command: ['cp', '/token', '/helpers/token'], volumeMounts: [{ name: 'helpers', mountPath: '/helpers' }] }],
      volumes: [{ name: 'helpers', emptyDir: {} }],
      volumeMounts: [{ name: 'helpers', mountPath: '/helpers', readOnly: true }],
    },
  });
  const c = cluster(chart, { persistence, version, ...props });
  return { c, chart };
}

/** Runs the wrapped command with `sh`, in a folder holding the stand-in programs. */
function run(command: string[], files: Record<string, string>): { status: number | null; out: string; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pwcmd-'));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  try {
    const argv = command.map((a) => a.replace('/helpers/', `${dir}/`));
    const r = spawnSync(argv[0], argv.slice(1), { env: { PATH: `${dir}:/usr/bin:/bin`, SQL_HOST: 'pg' }, encoding: 'utf-8', timeout: 20_000 });
    return { status: r.status, out: r.stdout, err: r.stderr };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** A stand-in tool that prints what it got: its arguments, one a line, then SQL_PASSWORD between brackets. */
const TOOL = '#!/bin/sh\nfor a do printf "arg:%s\\n" "$a"; done\nprintf "password:[%s]\\n" "$SQL_PASSWORD"\n';

describe('passwordCommand', () => {
  test('the servers run it themselves: sql.passwordCommand with command, args and timeout, and no password', () => {
    const { c } = iamCluster();
    expect(c.serverConfig).toContain([
      '        passwordCommand:',
      '          command: /helpers/token',
      '          args:',
      '            - --host',
      '            - pg.example.com',
      '            - --user',
      '            - temporal',
      '          timeout: 10s',
    ].join('\n'));
    expect(c.serverConfig).not.toMatch(/^\s+password:/m);
  });

  test('the server pods get no password env, and the helper volume is mounted in every server, wait and schema container', () => {
    const { c, chart } = iamCluster();
    const pod = find(chart, 'Deployment', c.history.name).spec.template.spec;
    const all = [...pod.initContainers, ...pod.containers];
    for (const container of nonEmpty(all)) expect((container.env ?? []).map((e: any) => e.name)).not.toContain('TEMPORAL_DEFAULT_STORE_PASSWORD');
    expect(pod.initContainers.map((x: any) => x.name)).toEqual(['copy-token-helper', 'wait-for-default-schema', 'wait-for-visibility-schema']);
    for (const container of nonEmpty(all.slice(1))) expect(container.volumeMounts).toContainEqual({ name: 'helpers', mountPath: '/helpers', readOnly: true });
    const job = find(chart, 'Job', c.schemaJobs[0].name).spec.template.spec;
    // The namespace check first, before the user's helper: nothing of the pod runs in a namespace it was not synthesized for.
    expect(job.initContainers.slice(0, 2).map((c: any) => c.name)).toEqual(['check-namespace', 'copy-token-helper']);
    for (const step of nonEmpty([...job.initContainers.slice(2), ...job.containers])) expect(step.volumeMounts).toContainEqual({ name: 'helpers', mountPath: '/helpers', readOnly: true });
  });

  test('the schema steps and the waits run it before the SQL tool, with the command and arguments as arguments', () => {
    const { c, chart } = iamCluster();
    const job = find(chart, 'Job', c.schemaJobs[0].name).spec.template.spec;
    const setup = job.initContainers.find((x: any) => x.name === 'setup-schema');
    expect(setup.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(setup.command.slice(3)).toEqual(['with-password-command', 'SQL_PASSWORD', '10', '5', '/helpers/token', '--host', 'pg.example.com', '--user', 'temporal',
      'temporal-sql-tool', 'setup-schema', '-v', '0.0']);
    expect(setup.command[2]).not.toContain('pg.example.com');
    expect(setup.env.map((e: any) => e.name)).not.toContain('SQL_PASSWORD');
    const wait = find(chart, 'Deployment', c.frontend.name).spec.template.spec.initContainers[1];
    expect(wait.command.slice(3, 10)).toEqual(['with-password-command', 'SQL_PASSWORD', '10', '5', '/helpers/token', '--host', 'pg.example.com']);
    expect(wait.command.slice(12)).toEqual(['sh', '/etc/temporal/schema-wait/wait-for-schema.sh', 'default=1.19']);
    // Its password reaches the wait as SQL_PASSWORD from the wrapper: a store with a password command waits in a container of its own.
    expect(wait.name).toBe('wait-for-default-schema');
    expect(wait.env).toEqual([POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV, { name: 'SQL_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } }]);
  });

  test('a store with a password command waits in a container of its own; the stores without one share a wait, each with its own Secret values', () => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg.example.com', database: 'temporal', user, passwordCommand: tokenCommand }),
      visibilityStore: Datastore.postgres({ host: 'pg.example.com', database: 'visibility', user: 'v', password: SecretRef.of('vis', 'pw') }),
      secondaryVisibilityStore: Datastore.mysql({ host: 'my', database: 'visibility_next', user: 'w', password: SecretRef.of('next', 'pw') }),
      databaseAccess: { volumes: [{ name: 'helpers', emptyDir: {} }], volumeMounts: [{ name: 'helpers', mountPath: '/helpers', readOnly: true }] },
    });
    const c = cluster(chart, { persistence });
    const pod = find(chart, 'Deployment', c.history.name).spec.template.spec;
    expect(pod.initContainers.map((x: any) => x.name)).toEqual(['wait-for-schema', 'wait-for-default-schema']);
    const [shared, own] = pod.initContainers;
    expect(shared.command).toEqual(['sh', '/etc/temporal/schema-wait/wait-for-schema.sh', 'visibility=1.14', 'secondary-visibility=1.14']);
    expect(shared.env).toEqual([
      POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV,
      { name: 'SQL_PASSWORD_VISIBILITY', valueFrom: { secretKeyRef: { name: 'vis', key: 'pw' } } },
      { name: 'SQL_PASSWORD_SECONDARY_VISIBILITY', valueFrom: { secretKeyRef: { name: 'next', key: 'pw' } } },
    ]);
    expect(own.command.slice(0, 5)).toEqual(['sh', '-c', own.command[2], 'with-password-command', 'SQL_PASSWORD']);
    expect(own.command.slice(-3)).toEqual(['sh', '/etc/temporal/schema-wait/wait-for-schema.sh', 'default=1.19']);
    expect(own.env).toEqual([POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV, { name: 'SQL_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } }]);
  });

  test('the wrapper hands the command\'s output, less trailing newlines and carriage returns, to the tool, and passes every argument through as it is', () => {
    const { c, chart } = iamCluster();
    const setup = find(chart, 'Job', c.schemaJobs[0].name).spec.template.spec.initContainers.find((x: any) => x.name === 'setup-schema');
    const command = setup.command.map((a: string) => (a === 'temporal-sql-tool' ? 'tool' : a));
    const r = run(command, { token: '#!/bin/sh\n[ "$*" = "--host pg.example.com --user temporal" ] || exit 9\nprintf \'s3cr3t $(x) "q"\\r\\n\\n\'\n', tool: TOOL });
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toBe(['arg:setup-schema', 'arg:-v', 'arg:0.0', 'password:[s3cr3t $(x) "q"]', ''].join('\n'));
  });

  test('the wrapper keeps hostile words as single arguments, for any password command and tool command', () => {
    fc.assert(fc.property(fc.array(fc.string({ minLength: 0, maxLength: 8 }).filter((s) => !s.includes('\0')), { maxLength: 4 }),
      fc.array(fc.string({ maxLength: 8 }).filter((s) => !s.includes('\0')), { maxLength: 4 }), (pwArgs, toolArgs) => {
        const resolved = resolvePasswordCommand('t', { command: '/helpers/token', args: pwArgs });
        const wrapped = withPasswordCommand({ name: 'x', command: ['/helpers/tool', ...toolArgs] }, resolved, 'SQL_PASSWORD');
        const r = run(wrapped.command!, { token: '#!/bin/sh\nprintf "%s" "$#"\n', tool: TOOL });
        expect(r.status).toBe(0);
        expect(r.out).toBe([...toolArgs.map((a) => `arg:${a}`), `password:[${pwArgs.length}]`, ''].join('\n'));
      }), { numRuns: 25 });
  });

  test('the wrapper stops when the command fails or runs past its timeout, and never starts the tool', () => {
    const wrapped = withPasswordCommand({ name: 'x', command: ['/helpers/tool'] }, resolvePasswordCommand('t', { command: '/helpers/token', timeout: Duration.seconds(1) }), 'SQL_PASSWORD');
    const failed = run(wrapped.command!, { token: '#!/bin/sh\necho "no credentials" >&2; exit 3\n', tool: TOOL });
    expect(failed.status).toBe(1);
    expect(failed.err).toContain('no credentials');
    expect(failed.err).toMatch(/the password command \(.*token\) failed with exit status 3/);
    expect(failed.out).toBe('');
    const slow = run(wrapped.command!, { token: '#!/bin/sh\nsleep 5; echo late\n', tool: TOOL });
    expect(slow.status).toBe(1);
    expect(slow.out).toBe('');
    // Two shells and a one-second time-out: more than jest's 5 s default on a loaded machine.
  }, 30_000);

  describe('fails when', () => {
    test('the servers get a workload identity from an annotation and the schema Jobs, which run the command too, get none', () => {
      const KEYS = ['iam.gke.io/gcp-service-account', 'eks.amazonaws.com/role-arn', 'azure.workload.identity/client-id'];
      const key = fc.constantFrom(...KEYS);
      const other = fc.constantFrom('example.com/team', 'iam.gke.io/other', 'eks.amazonaws.com/sts-regional-endpoints', 'iam.gke.io/GCP-Service-Account');
      fc.assert(fc.property(key, fc.array(other, { maxLength: 2 }), fc.option(key, { nil: undefined }), (server, extra, job) => {
        const annotations = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, 'identity']));
        const make = () => iamCluster(undefined, {}, {
          serviceAccount: { annotations: annotations([server, ...extra]) },
          schema: { serviceAccount: { annotations: annotations(job === undefined ? extra : [job, ...extra]) } },
        });
        if (job === undefined) {
          expect(make).toThrow(new RegExp(`schema\\.serviceAccount\\.annotations is .*; expected a workload identity \\(${server.replace(/\./g, '\\.')}\\) for the schema Jobs, as serviceAccount.annotations gives the servers: the default store's passwordCommand runs in the Jobs too`));
        } else {
          // Another cloud's key is the user's choice of identity, not a missing one.
          const { chart } = make();
          expect(find(chart, 'ServiceAccount', 'temporal-jobs').metadata.annotations[job]).toBe('identity');
        }
      }), { numRuns: 30 });
      // Without schema at all, as apps/cloud-database.ts had it.
      expect(() => iamCluster(undefined, {}, { serviceAccount: { annotations: { [KEYS[0]]: 'temporal@p.iam.gserviceaccount.com' } } })).toThrow(/expected a workload identity \(iam\.gke\.io\/gcp-service-account\) for the schema Jobs/);
      // The servers' identity for archival alone asks nothing of Jobs whose stores need no token.
      const chart = testChart();
      const pw = (database: string) => Datastore.postgres({ host: 'pg', database, user: 'u', password: SecretRef.of('db', 'p') });
      expect(() => cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore: pw('temporal'), visibilityStore: pw('visibility') }),
        serviceAccount: { annotations: { [KEYS[1]]: 'arn:aws:iam::1:role/archival' } } })).not.toThrow();
      // Nor does a command without a workload identity anywhere.
      expect(() => iamCluster()).not.toThrow();
    });
    test('the release has no passwordCommand (before 1.31)', () => {
      expect(() => iamCluster('1.30.9')).toThrow(/persistence default store passwordCommand is "\/helpers\/token"; expected a server release that reads it \(1.31.0 or newer\)/);
    });
    test('password is set too', () => {
      expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', password: SecretRef.of('db', 'p'), passwordCommand: tokenCommand }))
        .toThrow(/Datastore.postgres: passwordCommand is "\/helpers\/token"; expected no password command while password is set\. .*mutually exclusive/);
      expect(() => Datastore.mysql({ host: 'my', database: 'd', user: 'u', password: SecretRef.of('db', 'p'), passwordCommand: tokenCommand })).toThrow(/mutually exclusive/);
    });
    test('the command is empty, the arguments are not strings, or the timeout is under a second', () => {
      expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command: ' ' } })).toThrow(/passwordCommand.command is " "; expected the path of an executable/);
      for (const command of [' /helpers/token', '/helpers/token\n']) {
        expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command } })).toThrow(/passwordCommand.command is .*; expected the path of an executable, without surrounding whitespace/);
      }
      expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command: 'x', args: [1 as unknown as string] } })).toThrow(/passwordCommand.args is \[1\]; expected a list of strings/);
      // A sparse list's hole, which some() skips, used to fail later with a TypeError naming no prop.
      for (const args of [[, '--token'], new Array(1), ['--a', , '--b']] as unknown as string[][]) {
        expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command: 'x', args } })).toThrow(/^Datastore.postgres: props\.passwordCommand\.args\[[0-9]\] is undefined; expected an item: the list has a hole there/);
      }
      expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command: 'x', timeout: Duration.millis(500) } })).toThrow(/passwordCommand.timeout is "0.5s"; expected at least one second/);
    });
    test('a word holds "{{", which the server would read as a template action', () => {
      expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command: 'x', args: ['{{ env "A" }}'] } })).toThrow(/passwordCommand is "\{\{ env \\"A\\" \}\}"; expected a command and arguments without "\{\{"/);
    });
  });
});
