import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** Every example app, listed rather than named so that a new one is checked without touching a test. */
export const APPS = fs.readdirSync(path.join(ROOT, 'apps')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();

/**
 * Runs `apps/<app>` like cdk8s.yaml's `app:` command, in a temporary output folder, and parses every document it writes.
 * `preload` modules run first in the app's process (node's `-r`).
 */
export async function synthApp(app: string, preload: string[] = []): Promise<any[]> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-app-'));
  try {
    await run(process.execPath, [...preload.flatMap((m) => ['-r', m]), '-r', 'ts-node/register/transpile-only', path.join('apps', app)], {
      cwd: ROOT,
      env: { ...process.env, CDK8S_OUTDIR: outdir, CDK8S_CHECK_UPGRADE: 'false' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const objects: any[] = [];
    for (const file of fs.readdirSync(outdir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      // cdk8s writes YAML 1.1 (what kubectl reads), so parse it as 1.1 too: `yes`/`on` are booleans there.
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(outdir, file), 'utf8'), { version: '1.1' })) {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((err) => err.message).join('; ')}`);
        const obj = doc.toJS();
        if (obj != null) objects.push(obj);
      }
    }
    return objects;
  } catch (e: any) {
    throw new Error(`synthesizing apps/${app} failed:\n${e.stderr || e.message}`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
