import { readFileSync } from 'fs';
import { join } from 'path';

const { generateApiMarkdown } = require('../scripts/docs') as { generateApiMarkdown: () => string };

/**
 * API.md is generated from the TSDoc of lib/ (`npm run docs`); a change to the public API or its
 * documentation without regenerating it fails here.
 */
describe('API.md', () => {
  test('is what npm run docs generates from the current TSDoc', () => {
    const committed = readFileSync(join(__dirname, '..', 'API.md'), 'utf-8');
    const fresh = generateApiMarkdown();
    // Guards the comparison itself: an empty or truncated generation must not pass as "equal".
    expect(fresh).toMatch(/^# cdk8s-temporal\n/);
    expect(fresh).toContain('### TemporalClusterProps');
    if (fresh !== committed) {
      const a = committed.split('\n');
      const b = fresh.split('\n');
      let line = 0;
      while (line < a.length && a[line] === b[line]) line++;
      throw new Error(`API.md is stale: it first differs at line ${line + 1}:\n- ${a[line] ?? '(end of file)'}\n+ ${b[line] ?? '(end of file)'}\n`
        + 'Run npm run docs and commit API.md.');
    }
  }, 180_000);
});
