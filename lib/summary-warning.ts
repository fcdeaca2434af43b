/** Where the cdk8s-temporal command collects what its summary prints as warnings (lib/cluster/cluster-lock.ts, SynthCommand). */
const SYNTH_COMMAND = Symbol.for('cdk8s-temporal.synth-command');

/** The notes already printed to stderr in this process, by any copy of the library. */
const PRINTED = Symbol.for('cdk8s-temporal.printed-warnings');

type Command = { warnings?: string[] };

function command(): Command | undefined {
  return (globalThis as { [SYNTH_COMMAND]?: Command })[SYNTH_COMMAND];
}

/**
 * Whether a warning of this synth reaches the user, so that a check that costs time runs: under the
 * cdk8s-temporal command, in its summary; under plain `cdk8s synth`, which runs the app with its
 * output folder in CDK8S_OUTDIR and passes the app's stderr through, on stderr. A test's
 * app.synth() has neither.
 */
export function summaryCollected(): boolean {
  return command() !== undefined || process.env.CDK8S_OUTDIR !== undefined;
}

/**
 * Adds `note` to the command's summary, once. Under plain `cdk8s synth` (the app run by cdk8s-cli,
 * with ts-node or node) there is no summary, and the warning went nowhere: it is printed to stderr
 * once instead, which cdk8s synth shows and which the output files never hold.
 */
export function summaryWarning(note: string | undefined): string[] {
  if (note === undefined) return [];
  if (command()) {
    summaryWarningAt(note, Infinity);
  } else if (process.env.CDK8S_OUTDIR !== undefined) {
    const printed = ((globalThis as { [PRINTED]?: Set<string> })[PRINTED] ??= new Set());
    if (!printed.has(note)) {
      printed.add(note);
      process.stderr.write(`cdk8s-temporal: warning: ${note}\n`);
    }
  }
  return [];
}

/** How many notes the summary holds so far, for a note added later in their place (lib/rendered-checks.ts). */
export function summaryPosition(): number {
  return command()?.warnings?.length ?? 0;
}

/** Inserts `note` at `position` of the summary (at most its end) unless it holds it already; returns whether it did. */
export function summaryWarningAt(note: string | undefined, position: number): boolean {
  const c = command();
  if (note === undefined || !c || c.warnings?.includes(note)) return false;
  const warnings = [...c.warnings ?? []];
  warnings.splice(Math.min(position, warnings.length), 0, note);
  c.warnings = warnings;
  return true;
}
