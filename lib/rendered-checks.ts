import { ApiObject } from 'cdk8s';
import { summaryPosition, summaryWarningAt } from './summary-warning';

/*
 * A check that reads the objects as rendered (the Flux substitution warning of
 * lib/operations/gitops.ts) rendered every object of its scope in validation, and the synth then
 * rendered them all again to write them: about a seventh of the CPU of a synth of 100 clusters.
 * Within a fast synth whose validations are all the library's own (lib/yaml-output.ts), such a
 * check waits until the objects are rendered and reads the JSON that is written. The summary keeps
 * its note where the check would have put it in validation, so the warnings keep their order.
 */

/** What a deferred check reads: each object's JSON as written (rendered again for one the fast synth did not render). */
export type RenderedJson = (o: ApiObject) => any;

/** A check run once the objects are rendered; returns its summary note, if any. */
export type RenderedCheck = (json: RenderedJson) => string | undefined;

interface Session {
  /** Per scope, the check and where the summary stood when validation reached it. */
  readonly checks: Map<object, { readonly check: RenderedCheck; readonly position: number }>;
  readonly rendered: Map<ApiObject, unknown>;
  /** The JSON written as text without `${` and `$$` (lib/yaml-output.ts). */
  readonly withoutSubstitution: Set<unknown>;
}

let session: Session | undefined;

/**
 * Leaves `check` of `scope` (once per scope) for when the fast synth has rendered the objects, and
 * returns true; outside one, returns false and the caller checks now.
 */
export function checkWhenRendered(scope: object, check: RenderedCheck): boolean {
  if (session === undefined) return false;
  if (!session.checks.has(scope)) session.checks.set(scope, { check, position: summaryPosition() });
  return true;
}

/** Notes the JSON `o` is written as, for the checks left for later. */
export function noteRenderedJson(o: ApiObject, json: unknown): void {
  session?.rendered.set(o, json);
}

/** Notes JSON whose written text holds no `${` and no `$$`, so no key or string of it does. */
export function noteWithoutSubstitution(json: readonly unknown[]): void {
  if (session !== undefined) for (const j of json) session.withoutSubstitution.add(j);
}

/**
 * Whether `json` was written, within the fast synth whose checks run now, as text without `${`
 * and `$$` (the Flux substitution warning's patterns): then none of its keys or strings holds one.
 */
export function writtenWithoutSubstitution(json: unknown): boolean {
  return checking?.withoutSubstitution.has(json) ?? false;
}

/** The session whose checks run now. */
let checking: Session | undefined;

/**
 * Runs `synth` with the checks of `checkWhenRendered` left for later when `defer`, then runs them
 * (in the order validation reached them) on the JSON noted during `synth`.
 */
export function withRenderedChecks(defer: boolean, synth: () => void): void {
  if (!defer) return synth();
  const outer = session;
  const mine: Session = { checks: new Map(), rendered: new Map(), withoutSubstitution: new Set() };
  session = mine;
  try {
    synth();
  } finally {
    session = outer;
  }
  const json: RenderedJson = (o) => (mine.rendered.has(o) ? mine.rendered.get(o) : o.toJson());
  let inserted = 0;
  const outerChecking = checking;
  checking = mine;
  try {
    for (const { check, position } of mine.checks.values()) {
      if (summaryWarningAt(check(json), position + inserted)) inserted++;
    }
  } finally {
    checking = outerChecking;
  }
}
