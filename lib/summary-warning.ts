/** Where the cdk8s-temporal command collects what its summary prints as warnings (lib/cluster/cluster-lock.ts, SynthCommand). */
const SYNTH_COMMAND = Symbol.for('cdk8s-temporal.synth-command');

/** The notes already printed to stderr in this process, by any copy of the library. */
const PRINTED = Symbol.for('cdk8s-temporal.printed-warnings');

/**
 * Whether a warning of this synth reaches the user, so that a check that costs time runs: under the
 * cdk8s-temporal command, in its summary; under plain `cdk8s synth`, which runs the app with its
 * output folder in CDK8S_OUTDIR and passes the app's stderr through, on stderr. A test's
 * app.synth() has neither.
 */
export function summaryCollected(): boolean {
  return (globalThis as { [SYNTH_COMMAND]?: unknown })[SYNTH_COMMAND] !== undefined || process.env.CDK8S_OUTDIR !== undefined;
}

/**
 * Adds `note` to the command's summary, once. Under plain `cdk8s synth` (the app run by cdk8s-cli,
 * with ts-node or node) there is no summary, and the warning went nowhere: it is printed to stderr
 * once instead, which cdk8s synth shows and which the output files never hold.
 */
export function summaryWarning(note: string | undefined): string[] {
  const command = (globalThis as { [SYNTH_COMMAND]?: { warnings?: string[] } })[SYNTH_COMMAND];
  if (note === undefined) return [];
  if (command) {
    if (!command.warnings?.includes(note)) command.warnings = [...command.warnings ?? [], note];
  } else if (process.env.CDK8S_OUTDIR !== undefined) {
    const printed = ((globalThis as { [PRINTED]?: Set<string> })[PRINTED] ??= new Set());
    if (!printed.has(note)) {
      printed.add(note);
      process.stderr.write(`cdk8s-temporal: warning: ${note}\n`);
    }
  }
  return [];
}
