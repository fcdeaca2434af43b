import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { run } from './process';

export const REPO = path.resolve(__dirname, '../..');

/** Where the third-party CRDs we may emit objects of live (upstream copies; see SOURCES.md there). */
export const CRDS_DIR = process.env.CDK8S_TEMPORAL_CRDS_DIR ?? path.resolve(REPO, 'schemas', 'crds');

/** Top-level entries of the repo a synth never needs; node_modules is linked, not copied. */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', '.jest-cache']);

/**
 * A copy of the repo's working tree to synthesize in. Apps write a lock file next to cdk8s.yaml
 * (relative to their working directory), and some tests edit an app: neither may touch the real
 * checkout, which other people edit while this runs. One copy also pins the sources for the run.
 */
export function copyRepo(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-temporal-repo-${label}-`));
  fs.cpSync(REPO, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(REPO, src);
      const top = rel.split(path.sep)[0];
      return !NOT_COPIED.has(top) && !/\.cdk8s-temporal-staging-\d+$/.test(top);
    },
  });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The example apps: every apps/*.ts of the repo. */
export function exampleApps(): string[] {
  return fs.readdirSync(path.join(REPO, 'apps')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
}

/** One synthesized app: the folder of YAML files and the objects in them. */
export interface Synthesized {
  readonly outDir: string;
  readonly objects: any[];
}

/**
 * Synthesizes `appFile` (relative to `repoCopy`) the way the README says, with the copy as working
 * directory, into a fresh folder. Throws with the app's stderr when the app fails.
 */
export async function synth(repoCopy: string, appFile: string, env: Record<string, string> = {}): Promise<Synthesized> {
  const outDir = fs.mkdtempSync(path.join(repoCopy, '.kube-test-out-'));
  const result = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', appFile], {
    cwd: repoCopy,
    env: { ...process.env, ...env, CDK8S_OUTDIR: outDir, CDK8S_CHECK_UPGRADE: 'false' },
    timeoutMs: 180_000,
  });
  if (result.code !== 0) {
    throw new Error(`step "synthesize ${appFile}" failed (exit ${result.code}, cwd ${repoCopy}):\n${result.stderr.trim()}\n${result.stdout.trim()}`);
  }
  return { outDir, objects: loadObjects(outDir) };
}

/** Every object in the YAML files of a folder. */
export function loadObjects(dir: string): any[] {
  const objects: any[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${path.join(dir, f)}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value = doc.toJS();
      if (value) objects.push(value);
    }
  }
  return objects;
}

/** The API group of an apiVersion: "apps" for "apps/v1", "" (core) for "v1". */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** A CRD file and what it defines. */
export interface CrdFile {
  readonly file: string;
  readonly name: string;
  readonly group: string;
}

/**
 * The CRD files whose group some of `objects` use. The cluster has only built-in APIs, so those
 * CRDs must be installed (and Established) before the objects can be applied.
 */
export function crdsFor(objects: any[], dir = CRDS_DIR): CrdFile[] {
  const groups = new Set(objects.map((o) => groupOf(o.apiVersion)));
  // Without the folder an object of a custom group fails the apply with "ensure CRDs are installed first".
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()
    .flatMap((f) => parseCrds(path.join(dir, f)))
    .filter((crd) => groups.has(crd.group));
}

function parseCrds(file: string): CrdFile[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS())
    .filter((o) => o?.kind === 'CustomResourceDefinition')
    .map((o) => ({ file, name: o.metadata.name, group: o.spec.group }));
}

/** The namespaces the objects live in. */
export function namespacesOf(objects: any[]): string[] {
  return [...new Set(objects.map((o) => o.metadata?.namespace).filter((n): n is string => !!n))].sort();
}

export function objectsOfKind(objects: any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}
