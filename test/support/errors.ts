/** The message `f` throws (the test fails if it throws none). */
export function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** The validation errors a synth reports, one per line; none when it passes. */
export function synthErrors(run: () => void): string[] {
  try {
    run();
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').filter((l) => /^\s*\[/.test(l));
  }
}
