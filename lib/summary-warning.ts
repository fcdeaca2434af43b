/** Where the cdk8s-temporal command collects what its summary prints as warnings (lib/cluster/cluster-lock.ts, SynthCommand). */
const SYNTH_COMMAND = Symbol.for('cdk8s-temporal.synth-command');

type Command = { warnings?: string[] };

function command(): Command | undefined {
  return (globalThis as { [SYNTH_COMMAND]?: Command })[SYNTH_COMMAND];
}

/** Whether the cdk8s-temporal command runs this synth, and so prints a summary: a check that costs time need not run otherwise. */
export function summaryCollected(): boolean {
  return command() !== undefined;
}

/** Adds `note` to the command's summary, once; outside the command (a test's app.synth()) there is no summary. */
export function summaryWarning(note: string | undefined): string[] {
  summaryWarningAt(note, Infinity);
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
