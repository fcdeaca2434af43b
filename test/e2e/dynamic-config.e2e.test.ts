/*
 * End-to-end: the server's own dynamic-config loader checks the file every example app writes.
 * `temporal-server validate-dynamic-config` parses a file with the server's registry of keys and
 * their types and prints a `warning:` or `error:` line for each unknown key, wrong type or bad
 * constraint. It exits 0 either way, so the test reads what it prints, and shows on a file with
 * known mistakes that those lines do appear.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { E2eTools, ensureTools } from './tools';
import { DynamicConfig, TemporalVersion } from '../../lib';
import { APPS, synthApp } from '../support/apps';

let tools: E2eTools;
let dir: string;

beforeAll(() => {
  tools = ensureTools(TemporalVersion.DEFAULT);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-dynamic-config-'));
}, 20 * 60 * 1000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What the server reports for each file, keyed by file name: its `warning:`/`error:` lines. */
function findings(files: Record<string, string>): Record<string, string[]> {
  const paths = Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
  const out = execFileSync(tools.serverBin, ['validate-dynamic-config', ...paths], { encoding: 'utf8', timeout: 60_000 });
  const result: Record<string, string[]> = Object.fromEntries(Object.keys(files).map((name) => [name, []]));
  let current = '';
  for (const line of out.split('\n')) {
    const name = path.basename(line.trim());
    if (name in result && !line.startsWith(' ')) current = name;
    else if (/^\s+(warning|error):/.test(line)) result[current].push(line.trim());
  }
  return result;
}

test('the server finds no unknown key, wrong type or bad constraint in any example app\'s dynamic config', async () => {
  expect(APPS.length).toBeGreaterThan(0);
  const files: Record<string, string> = {};
  for (const app of APPS) {
    for (const o of await synthApp(app)) {
      const text = o.kind === 'ConfigMap' ? o.data?.[DynamicConfig.FILE_NAME] : undefined;
      if (typeof text === 'string') files[`${app.replace(/\.ts$/, '')}--${o.metadata.namespace ?? 'default'}--${o.metadata.name}.yaml`] = text;
    }
  }
  // Every app with a cluster writes one; an app that wrote none would pass without being checked.
  expect(Object.keys(files).length).toBeGreaterThanOrEqual(APPS.length);
  console.log(`e2e: validate-dynamic-config on ${Object.keys(files).length} files: ${Object.keys(files).join(', ')}`);
  expect(findings(files)).toEqual(Object.fromEntries(Object.keys(files).map((name) => [name, []])));
}, 10 * 60 * 1000);

test('the check can fail: a file with an unknown key and a wrong type gets the server\'s warnings', () => {
  const result = findings({ 'mistakes.yaml': 'frontend.rps:\n  - value: "lots"\nnot.a.registered.key:\n  - value: 1\n' });
  expect(result['mistakes.yaml']).toEqual(expect.arrayContaining([
    expect.stringMatching(/key "frontend.rps" value lots: value type is not int/),
    expect.stringMatching(/unregistered key "not.a.registered.key"/),
  ]));
});
