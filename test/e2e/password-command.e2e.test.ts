/*
 * passwordCommand, run for real against PostgreSQL with password authentication (scram-sha-256):
 * the stores have no password at all, only a command that prints it from a Secret mounted through
 * Persistence.databaseAccess, as a token helper would print an IAM token. The servers run the
 * command themselves (sql.passwordCommand); the schema steps and the schema waits run it through
 * the library's wrapper before temporal-sql-tool, which has no such option. The command also says
 * on stderr that it ran, which the wrapped tool containers' logs keep (the server discards the
 * stderr of a command that succeeds). The cluster then serves a workflow: every connection the
 * servers opened had the password, and none of them had it from anywhere else.
 */
import { Duration } from 'cdk8s';
import { E2E } from './app';
import { E2eEnvironment, greet, MINUTE, SdkSession } from './harness';

const env = E2eEnvironment.setUp();
const MOUNT = '/etc/temporal/db-password';

describe('passwordCommand against a real server and PostgreSQL', () => {
  it('gives the servers, the schema Jobs and the schema waits their password, with no password anywhere else', async () => {
    const runner = await env.up('pwcmd', {
      store: {
        password: undefined,
        passwordCommand: { command: '/bin/sh', args: ['-c', `echo "password command ran" >&2; exec cat ${MOUNT}/password`], timeout: Duration.seconds(5) },
      },
      databaseAccess: {
        volumes: [{ name: 'db-password', secret: { secretName: E2E.dbSecret.name, items: [{ key: E2E.dbSecret.passwordKey, path: 'password' }] } }],
        volumeMounts: [{ name: 'db-password', mountPath: MOUNT, readOnly: true }],
      },
    });
    try {
      expect(runner.schemaJobNames).toHaveLength(2);
      for (const job of runner.schemaJobNames) {
        for (const step of ['create-database', 'setup-schema', 'update-schema']) {
          expect(runner.containerLog(job, step)).toContain('password command ran');
        }
      }
      expect(runner.roleNames).toHaveLength(4);
      for (const role of runner.roleNames) {
        for (const store of ['default', 'visibility']) {
          const wait = runner.containerLog(`temporal-e2e-${role}`, `wait-for-${store}-schema`);
          expect(wait).toContain('password command ran');
          expect(wait).toMatch(/schema of .* is at 1\.1[49]/);
        }
        expect(runner.log(role)).not.toMatch(/password authentication failed/);
      }
      const session = await SdkSession.open(runner.endpoint('frontend').grpc);
      try {
        expect(await greet(session.client, 'password command', 500)).toBe('Hello, password command after a 500 ms timer');
      } finally {
        await session.close();
      }
    } finally {
      await runner.down();
    }
  }, 15 * MINUTE);
});
