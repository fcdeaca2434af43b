import { execFileSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Duration } from 'cdk8s';
import { cluster, find, objects, testChart } from './support/synth';

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
 * separated by "|", and answers `describe` with success only for the names in `existing`.
 */
function runScript(command: string[], existing: string[]): { out: string; calls: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ns-'));
  const log = join(dir, 'calls');
  const exists = existing.map((name) => `*"describe"*"${name}"*) exit 0;;`).join(' ');
  writeFileSync(join(dir, 'temporal'), `#!/bin/sh\nprintf '%s|' "$@" >> ${log}\necho >> ${log}\ncase "$*" in ${exists} *"describe"*) exit 1;; esac\nexit 0\n`);
  chmodSync(join(dir, 'temporal'), 0o755);
  try {
    const out = execFileSync(command[0], command.slice(1), { env: { PATH: `${dir}:/usr/bin:/bin`, TEMPORAL_ADDRESS: 'fe:7233' }, encoding: 'utf-8' });
    return { out, calls: readFileSync(log, 'utf-8').trim().split('\n') };
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
    const container = j.spec.template.spec.containers[0];
    expect(container.image).toBe('temporalio/admin-tools:1.31.2');
    expect(container.env).toEqual([{ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress }]);
    expect(container.command.slice(3)).toEqual(['create-namespaces', 'orders', '72h', namespaces[0].description, 'payments', '36h', '']);
    expect(container.command[2]).not.toContain('orders');
  });

  test('the script hands a hostile description to the CLI as one argument', () => {
    const { calls } = runScript(job({ namespaces: [namespaces[0]] }).job.spec.template.spec.containers[0].command, []);
    expect(calls[2]).toContain(`--description|${namespaces[0].description}|`);
  });

  test('the script describes first, creates what is missing, and waits for the frontend', () => {
    const { out, calls } = runScript(job().job.spec.template.spec.containers[0].command, ['orders']);
    expect(out).toContain('namespace orders exists');
    expect(out).toContain('namespace payments created');
    expect(calls).toEqual([
      'operator|cluster|health|--address|fe:7233|',
      'operator|namespace|describe|--address|fe:7233|--namespace|orders|',
      'operator|namespace|describe|--address|fe:7233|--namespace|payments|',
      'operator|namespace|create|--address|fe:7233|--namespace|payments|--retention|36h|--description||',
    ]);
  });

  test('a changed namespace list makes a new Job name', () => {
    const first = job().c.namespaceBootstrap!.name;
    const second = job({ namespaces: [namespaces[0]] }).c.namespaceBootstrap!.name;
    expect(first).toMatch(/^temporal-namespaces-[0-9a-f]{8}$/);
    expect(second).not.toBe(first);
  });

  test('no Job without namespaces', () => {
    const chart = testChart();
    expect(cluster(chart).namespaceBootstrap).toBeUndefined();
    expect(objects(chart).filter((o) => o.kind === 'Job').map((o) => o.metadata.name)).toEqual(['temporal-schema-default-1-31-2', 'temporal-schema-visibility-1-31-2']);
  });

  describe('fails when', () => {
    test('a retention is under a day or not whole hours', () => {
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.hours(12) }] })).toThrow(/namespaces\[0\].retention is "12h"; expected a whole number of hours, at least 24/);
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.minutes(1450) }] })).toThrow(/retention is/);
    });
    test('a name is not a namespace name or is listed twice', () => {
      expect(() => job({ namespaces: [{ name: 'a b', retention: Duration.days(1) }] })).toThrow(/namespaces\[0\].name is "a b"; expected a Temporal namespace name/);
      expect(() => job({ namespaces: [{ name: 'a', retention: Duration.days(1) }, { name: 'a', retention: Duration.days(2) }] })).toThrow(/namespaces\[1\].name is "a"; expected a name not listed twice/);
    });
  });
});
