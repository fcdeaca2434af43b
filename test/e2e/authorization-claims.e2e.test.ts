/*
 * End-to-end: the authorization props read where the real server reads them, on each release line
 * the library supports beside the default (1.31.x and 1.32.x). The server silently ignores a key
 * of `global.authorization` it does not know, so a key the library wrote under another name would
 * leave the default in place: only a token decides. Here the audience and the permissions claim
 * name are not the defaults, and:
 *  - a token with that audience and its permissions under that claim runs a workflow;
 *  - the same permissions under the default claim name ("permissions"), no audience, or another
 *    audience, are refused (PERMISSION_DENIED), which they would not be if either key were ignored;
 *  - the worker role's system workers and the namespace Job, which carry no token, still reach the
 *    cluster through the internal frontend: the namespace Job creates its namespace and a schedule,
 *    whose workflow runs the worker role's per-namespace worker starts, fires.
 * And the control, which is why `authorization` requires `internalFrontend`: the same cluster whose
 * worker role's config leaves the internal frontend out dials the public frontend without a token,
 * is refused ("Request unauthorized.") and exits at start ("error starting scanner"), again and
 * again: the worker role never comes up.
 */
import { Duration } from 'cdk8s';
import { Client, Connection } from '@temporalio/client';
import { E2eEnvironment, MINUTE, NAMESPACE, SdkSession, statusOf, TASK_QUEUE } from './harness';
import { JwksServer } from './jwt';
import { ClusterRunner, ProcessSpec, RunnerError } from './runner';
import { greetAfterTimer } from './workflows';
import { TemporalVersion } from '../../lib';

const env = E2eEnvironment.setUp();
const AUDIENCE = 'temporal-e2e';
const CLAIM = 'https://e2e.example/permissions';
const PERMISSION_DENIED = 7;

describe.each(['1.31.5', TemporalVersion.DEFAULT])('authorization with an audience and a permissions claim of its own, on %s', (version) => {
  let jwks: JwksServer;
  let runner: ClusterRunner;
  const token = (permissions: string[], options: { claimName?: string; audience?: string | string[] } = { claimName: CLAIM, audience: AUDIENCE }) =>
    jwks.token('e2e-user', permissions, options);

  beforeAll(async () => {
    env.toolsFor(version);
    jwks = await JwksServer.start('127.0.0.1');
    runner = await env.up(`auth-claims-${version.replace(/\./g, '-')}`, {
      version,
      namespaces: [{ name: NAMESPACE, retention: Duration.days(1) }],
      cluster: {
        internalFrontend: { replicas: 1 },
        // The test's key set is served over loopback HTTP, and the frontend without TLS.
        authorization: { jwtKeySources: [jwks.url], allowPlaintextKeySources: true, allowPlaintextTokens: true, audience: AUDIENCE, permissionsClaimName: CLAIM },
      },
      timeoutMs: 4 * MINUTE,
    });
  }, 25 * MINUTE);

  afterAll(async () => {
    await runner?.down();
    await jwks?.close();
  }, 2 * MINUTE);

  it('forms: every role Ready, and the namespace Job, without a token, created its namespace through the internal frontend', () => {
    expect(runner.roleNames).toEqual(['frontend', 'internal-frontend', 'history', 'matching', 'worker']);
    for (const role of runner.roleNames) expect([role, runner.readiness(role)?.probePassedAfterMs]).toEqual([role, expect.any(Number)]);
    expect(runner.containerLog(runner.namespaceJobNames[0], 'create-namespaces')).toContain(`namespace ${NAMESPACE} created`);
    expect(jwks.fetches()).toBeGreaterThan(0);
  });

  it('runs a workflow with the audience and the permissions under the configured claim', async () => {
    const session = await SdkSession.open(runner.endpoint('frontend').grpc, { register: false, metadata: { authorization: `Bearer ${token([`${NAMESPACE}:write`])}` } });
    try {
      const result = await session.client.workflow.execute(greetAfterTimer, { taskQueue: TASK_QUEUE, workflowId: `claims-${Date.now()}`, args: ['claims', 1] });
      expect(result).toBe('Hello, claims after a 1 ms timer');
    } finally {
      await session.close();
    }
  }, 3 * MINUTE);

  it('refuses the permissions under the default claim name, a token without the audience, or with another', async () => {
    const address = runner.endpoint('frontend').grpc;
    const as = (bearer: string) => statusOf(async () => {
      const connection = await Connection.connect({ address, metadata: { authorization: `Bearer ${bearer}` } });
      try {
        await new Client({ connection, namespace: NAMESPACE }).workflow.start(greetAfterTimer, { taskQueue: TASK_QUEUE, workflowId: `refused-${Date.now()}`, args: ['x', 1] });
      } finally {
        await connection.close();
      }
    });
    const perms = [`${NAMESPACE}:write`];
    expect({
      defaultClaim: await as(token(perms, { audience: AUDIENCE })),
      noAudience: await as(token(perms, { claimName: CLAIM })),
      otherAudience: await as(token(perms, { claimName: CLAIM, audience: 'another-api' })),
      audienceInList: await as(token(perms, { claimName: CLAIM, audience: ['another-api', AUDIENCE] })),
    }).toEqual({ defaultClaim: PERMISSION_DENIED, noAudience: PERMISSION_DENIED, otherAudience: PERMISSION_DENIED, audienceInList: 'ok' });
  }, 3 * MINUTE);

  it('the worker role\'s system workers, without a token, run a schedule\'s workflow through the internal frontend', async () => {
    expect(await scheduleActions(runner, token([`${NAMESPACE}:admin`]), 2 * MINUTE)).toBeGreaterThan(0);
    expect(runner.log('worker')).not.toMatch(UNAUTHORIZED);
  }, 4 * MINUTE);
});

describe('the control: a worker role whose config leaves the internal frontend out, on the default release', () => {
  it('dials the public frontend without a token, is refused, and exits at start in a loop', async () => {
    const jwks = await JwksServer.start('127.0.0.1');
    try {
      // The server's worker dials the internal frontend only when its config has a services.internal-frontend section (common/resource/fx.go).
      const mutateProcess = (role: string, spec: ProcessSpec): ProcessSpec => {
        if (role !== 'worker') return spec;
        const config = spec.config.replace(/\n {2}internal-frontend:\n(?: {4}.*\n)+/, '\n');
        if (config === spec.config) throw new Error('the worker config has no internal-frontend section to leave out');
        return { ...spec, config };
      };
      let failure: unknown;
      try {
        const runner = await env.up('auth-claims-control', {
          namespaces: [{ name: NAMESPACE, retention: Duration.days(1) }],
          cluster: { internalFrontend: { replicas: 1 }, authorization: { jwtKeySources: [jwks.url], allowPlaintextKeySources: true, allowPlaintextTokens: true } },
          mutateProcess,
          timeoutMs: 4 * MINUTE,
        });
        await runner.down();
      } catch (err) {
        failure = err;
      }
      expect(failure).toBeInstanceOf(RunnerError);
      const error = failure as RunnerError;
      expect([error.role, error.reason]).toEqual(['worker', expect.stringMatching(/crash loop/)]);
      expect([...error.firstErrors, error.logTail].join('\n')).toMatch(/error starting scanner.*Request unauthorized/);
    } finally {
      await jwks.close();
    }
  }, 15 * MINUTE);
});

const UNAUTHORIZED = /PermissionDenied|Request unauthorized/;

/** Creates a schedule every 2 s with `bearer`, waits up to `waitMs` for its first action, deletes it, and says how many it saw. */
async function scheduleActions(runner: ClusterRunner, bearer: string, waitMs: number): Promise<number> {
  const session = await SdkSession.open(runner.endpoint('frontend').grpc, { register: false, metadata: { authorization: `Bearer ${bearer}` } });
  try {
    const handle = await session.client.schedule.create({
      scheduleId: `claims-schedule-${Date.now()}`,
      spec: { intervals: [{ every: '2s' }] },
      action: { type: 'startWorkflow', workflowType: greetAfterTimer, taskQueue: TASK_QUEUE, args: ['scheduled', 1] },
    });
    const deadline = Date.now() + waitMs;
    let actions = 0;
    while (actions === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      actions = (await handle.describe()).info.recentActions.length;
    }
    await handle.delete();
    return actions;
  } finally {
    await session.close();
  }
}
