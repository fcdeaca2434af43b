/** Where the cdk8s-temporal command collects what its summary prints as warnings (lib/cluster/cluster-lock.ts, SynthCommand). */
const SYNTH_COMMAND = Symbol.for('cdk8s-temporal.synth-command');

/** Whether the cdk8s-temporal command runs this synth, and so prints a summary: a check that costs time need not run otherwise. */
export function summaryCollected(): boolean {
  return (globalThis as { [SYNTH_COMMAND]?: unknown })[SYNTH_COMMAND] !== undefined;
}

/** Adds `note` to the command's summary, once; outside the command (a test's app.synth()) there is no summary. */
export function summaryWarning(note: string | undefined): string[] {
  const command = (globalThis as { [SYNTH_COMMAND]?: { warnings?: string[] } })[SYNTH_COMMAND];
  if (note !== undefined && command && !command.warnings?.includes(note)) command.warnings = [...command.warnings ?? [], note];
  return [];
}
