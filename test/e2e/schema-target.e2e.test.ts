/*
 * The schema Job's update-schema stops at the release's schema version whatever folders the
 * admin-tools image holds, run with the release's temporal-sql-tool on a real PostgreSQL.
 *
 * The image is known to be the release's only by its tag, and a digest (images.digests.adminTools)
 * pins any build: one of another release brings the schema folders of that release. Here the
 * release's own schema folder stands in for the image, once with a later release's version folder
 * added (a digest of a newer admin-tools) and once without its newest folder (an older one).
 * Without `--version` on the step, the first took the database past the release's schema (to a
 * version the lock never recorded, which the servers' wait accepts) and the second left it a version
 * behind while the Job succeeded and every server waited for a version it never brought.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { E2eEnvironment, MINUTE } from './harness';
import { TemporalVersion } from '../../lib';

const env = E2eEnvironment.setUp();
const IMAGE_SCHEMA_DIR = '/etc/temporal/schema';
const DEFAULT_FOLDER = 'postgresql/v12/temporal/versioned';
const required = TemporalVersion.of(TemporalVersion.DEFAULT).schema.sql;

/** A copy of the release's schema folder, changed by `edit` (given the default store's versioned folder). */
function imageSchema(edit: (versioned: string) => void): string {
  const dir = fs.mkdtempSync(path.join(env.workRoot, 'image-schema-'));
  fs.cpSync(env.tools.schemaDir, dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  spawnSync('chmod', ['-R', 'u+w', dir]);
  edit(path.join(dir, DEFAULT_FOLDER));
  return dir;
}

/** Runs the default store's schema Job, step by step, with the release's sql tool and `schemaDir` as the image's folder. */
function runDefaultSchemaJob(scenario: string, schemaDir: string): Array<{ step: string; code: number | null; output: string }> {
  const { yaml, secrets } = env.manifest(scenario);
  const job = parseAllDocuments(yaml).map((d) => d.toJSON()).find((o) => o?.kind === 'Job' && o.metadata.labels['app.kubernetes.io/component'] === 'schema-default');
  const pod = job.spec.template.spec;
  const results = [];
  for (const container of [...pod.initContainers ?? [], ...pod.containers]) {
    // The first step runs the namespace check first, then the tool: only the tool's part is the step.
    const at = container.command.indexOf('temporal-sql-tool');
    if (at < 0) continue;
    const stepEnv: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: os.tmpdir() };
    for (const e of container.env ?? []) {
      // The downward API's vars (the namespace check's) mean nothing to the tool.
      if (e.valueFrom?.fieldRef) continue;
      stepEnv[e.name] = e.valueFrom ? secrets[e.valueFrom.secretKeyRef.name][e.valueFrom.secretKeyRef.key] : e.value;
    }
    const args = container.command.slice(at + 1).map((a: string) => (a.startsWith(IMAGE_SCHEMA_DIR) ? schemaDir + a.slice(IMAGE_SCHEMA_DIR.length) : a));
    const r = spawnSync(env.tools.sqlToolBin, args, { env: stepEnv, encoding: 'utf8', timeout: 2 * MINUTE });
    results.push({ step: container.name, code: r.status, output: `${r.stdout}${r.stderr}` });
    if (r.status !== 0) break;
  }
  return results;
}

const version = (scenario: string) => env.postgres.query(`${scenario}_temporal`, 'SELECT curr_version FROM schema_version WHERE version_partition=0').trim();

describe('the schema Job brings the store to its release\'s version, whatever the image\'s folders', () => {
  it('stops at the release\'s version when the image has a later release\'s folder (a digest of a newer admin-tools)', () => {
    const [major, minor] = required.split('.').map(Number);
    const later = `${major}.${minor + 1}`;
    const schemaDir = imageSchema((versioned) => {
      fs.mkdirSync(path.join(versioned, `v${later}`));
      fs.writeFileSync(path.join(versioned, `v${later}`, 'manifest.json'), JSON.stringify({
        CurrVersion: later, MinCompatibleVersion: later, Description: 'a later release\'s step', SchemaUpdateCqlFiles: ['later.sql'],
      }));
      fs.writeFileSync(path.join(versioned, `v${later}`, 'later.sql'), 'CREATE TABLE later_release_step (id INTEGER);\n');
    });
    const steps = runDefaultSchemaJob('schemanewer', schemaDir);
    expect(steps.map((s) => [s.step, s.code])).toEqual([['create-database', 0], ['setup-schema', 0], ['update-schema', 0]]);
    expect(version('schemanewer')).toBe(required);
    expect(env.postgres.query('schemanewer_temporal', 'SELECT count(*) FROM pg_tables WHERE tablename = \'later_release_step\'').trim()).toBe('0');
  }, 5 * MINUTE);

  it('fails, naming the version, when the image lacks the release\'s folder (a digest of an older admin-tools)', () => {
    const schemaDir = imageSchema((versioned) => fs.rmSync(path.join(versioned, `v${required}`), { recursive: true }));
    const steps = runDefaultSchemaJob('schemaolder', schemaDir);
    expect(steps.map((s) => [s.step, s.code === 0])).toEqual([['create-database', true], ['setup-schema', true], ['update-schema', false]]);
    expect(steps[2].output).toContain(`end version '${required}' specified but not found`);
    expect(version('schemaolder')).not.toBe(required);
  }, 5 * MINUTE);
});
