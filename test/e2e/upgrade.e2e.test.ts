/*
 * A one-minor upgrade, run for real on one set of databases: the app synthesized for the previous
 * minor's newest patch (1.31.5) runs with that release's binaries (its schema Jobs bring fresh
 * stores to 1.31's schema) and serves the greeting workflow; then the same app synthesized for the
 * default release (1.32.2), through the same ClusterLock, which accepts the one-minor step, runs
 * with 1.32.2's binaries: its new schema Jobs find the stores already at the schema 1.32 needs
 * (1.32 has no new schema version: each store's version.go says 1.19 and 1.14 in both), its
 * servers' schema waits pass, and the workflow runs again.
 *
 * 1.31.5 is built with one dependency substituted (scripts/e2e-tools.sh): the module proxy refuses
 * the go.temporal.io/auto-scaled-workers version its go.mod requires.
 */
import { E2eEnvironment, greet, MINUTE, schemaWaitLog, SdkSession } from './harness';
import { ClusterRunner } from './runner';
import { ClusterLock, TemporalVersion } from '../../lib';

const env = E2eEnvironment.setUp();
const SCENARIO = 'upgrade';
const FROM = '1.31.5';
const TO = TemporalVersion.DEFAULT;

/** The schema versions of the scenario's two stores, as the schema Jobs left them. */
function schemaVersions(): { default: string; visibility: string } {
  const version = (db: string) => env.postgres.query(db, 'SELECT curr_version FROM schema_version WHERE version_partition=0').trim();
  return { default: version(`${SCENARIO}_temporal`), visibility: version(`${SCENARIO}_visibility`) };
}

/** Checks that every server's schema waits let it go at the release's schema versions. */
function expectWaitsPassed(runner: ClusterRunner, schema: { sql: string; sqlVisibility: string }): void {
  expect(runner.roleNames).toHaveLength(4);
  for (const role of runner.roleNames) {
    expect(schemaWaitLog(runner, `temporal-e2e-${role}`, 'default')).toContain(`is at ${schema.sql}`);
    expect(schemaWaitLog(runner, `temporal-e2e-${role}`, 'visibility')).toContain(`is at ${schema.sqlVisibility}`);
  }
}

/** Runs the greeting workflow on a running cluster, with a worker of its own; registers the namespace first if asked. */
async function greetOn(runner: ClusterRunner, name: string, register: boolean): Promise<string> {
  const session = await SdkSession.open(runner.endpoint('frontend').grpc, { register });
  try {
    return await greet(session.client, name, 1_000);
  } finally {
    await session.close();
  }
}

describe(`an upgrade from ${FROM} to ${TO}`, () => {
  // A cold build of the older release's binaries takes minutes; it happens here, not inside the test.
  beforeAll(() => {
    env.toolsFor(FROM);
  }, 20 * MINUTE);

  it('updates the schema with the new release\'s Jobs, and the cluster serves workflows before and after', async () => {
    const lock = ClusterLock.inMemory();
    // Schema Jobs are named by a hash of their spec, which holds the release's admin-tools image.
    const hashed = (names: string[]) => names.map((n) => n.match(/^(.+-schema-.+)-[0-9a-f]{6}$/)?.[1]);

    const before = await env.up(SCENARIO, { version: FROM, lock });
    try {
      expect(before.schemaJobNames).toHaveLength(2);
      expect(hashed(before.schemaJobNames)).toEqual(['temporal-e2e-schema-default', 'temporal-e2e-schema-visibility']);
      expect(schemaVersions()).toEqual({ default: '1.19', visibility: '1.14' });
      expectWaitsPassed(before, { sql: '1.19', sqlVisibility: '1.14' });
      expect(await greetOn(before, 'before', true)).toBe('Hello, before after a 1000 ms timer');
    } finally {
      await before.down();
    }
    expect(lock.contents.clusters['temporal-e2e/temporal-e2e'].serverVersion).toBe(FROM);

    // The lock accepts the one-minor step (it would throw in env.up otherwise) and records it.
    const after = await env.up(SCENARIO, { lock });
    try {
      expect(lock.contents.clusters['temporal-e2e/temporal-e2e'].serverVersion).toBe(TO);
      expect(after.schemaJobNames).toHaveLength(2);
      expect(hashed(after.schemaJobNames)).toEqual(['temporal-e2e-schema-default', 'temporal-e2e-schema-visibility']);
      for (const job of after.schemaJobNames) expect(before.schemaJobNames).not.toContain(job);
      expect(schemaVersions()).toEqual({ default: '1.19', visibility: '1.14' });
      expectWaitsPassed(after, { sql: '1.19', sqlVisibility: '1.14' });
      expect(await greetOn(after, 'after', false)).toBe('Hello, after after a 1000 ms timer');
    } finally {
      await after.down();
    }
  }, 15 * MINUTE);
});
