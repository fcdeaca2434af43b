import { spawnSync } from 'child_process';
import * as path from 'path';

// The benchmark is a script, not a test of speed: what is tested here is only that a wrong command
// line is told how to call it, instead of a stack trace from parseArgs or a NaN table.
const bench = (...args: string[]) => spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'bench.js'), ...args], { encoding: 'utf8' });

describe('npm run bench command line', () => {
  test('--help prints the usage and succeeds', () => {
    const run = bench('--help');
    expect([run.status, run.stdout]).toEqual([0, expect.stringMatching(/^usage: node scripts\/bench.js \[--runs N\]/)]);
  });

  test.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--runs', 'x'], /--runs must be a whole number of at least 1, not "x"/],
    [['--runs', '0'], /--runs must be a whole number of at least 1, not "0"/],
    [['--clusters', '1,,10'], /--clusters must list whole numbers of at least 1, such as 1,10,100, not "1,,10"/],
    [['--helm-values', 'values.yaml'], /--helm-values needs --helm CHART_DIR/],
  ])('fails with the usage, not a stack trace, when given %p', (args, message) => {
    const run = bench(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('usage: node scripts/bench.js');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
