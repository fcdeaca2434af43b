import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runnable, startWatchdogThread } = require('../bin/watchdog-thread');

describe('the wait for Node\'s SIGINT watchdog thread (bin/watchdog-thread.js)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'watchdog-thread-'));
  const stat = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test('reads the state after the command name, whose parentheses may hold any character', () => {
    expect(runnable(stat('running', '4242 (node) R 1 4242 4242 0 -1'))).toBe(true);
    expect(runnable(stat('sleeping', '4242 (node) S 1 4242 4242 0 -1'))).toBe(false);
    expect(runnable(stat('tricky-running', '4242 (a) S (b) R 1 4242'))).toBe(true);
    expect(runnable(stat('tricky-sleeping', '4242 (a) R (b) S 1 4242'))).toBe(false);
    expect(runnable(join(dir, 'gone'))).toBe(false);
  });

  test('fails when a start that creates no thread (or one of several) leaves a wait that never returns', () => {
    const settle = startWatchdogThread(() => undefined);
    const started = Date.now();
    settle();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
