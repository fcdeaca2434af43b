import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { FleetAutoscaling, WORKER_BUILD_ID_ENV, WORKER_DEPLOYMENT_NAME_ENV, WorkerDeploymentVersion, WorkerFleet, WorkerFleetProps } from '../lib';
import { cluster, objects, testChart } from './support/synth';

const IMAGE = 'registry.example/orders-worker:1.4.2';
const V1 = { deploymentName: 'orders', buildId: '1.4.2' };

function setup(props: Partial<WorkerFleetProps> = {}) {
  const chart = testChart();
  const c = cluster(chart);
  new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders', 'orders-priority'], cluster: c, ...props });
  const out = objects(chart);
  const container = out.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orders').spec.template.spec.containers[0];
  return { chart, cluster: c, scaledObject: out.find((o) => o.kind === 'ScaledObject'), container };
}
const backlog = (workerDeploymentVersion: WorkerDeploymentVersion, more = {}) => FleetAutoscaling.backlog({ workerDeploymentVersion, ...more });

describe('FleetAutoscaling.backlog workerDeploymentVersion', () => {
  test('without it, KEDA scales on the unversioned backlog and the fleet sets no version env (the reproduction)', () => {
    const { scaledObject, container } = setup({ autoscaling: FleetAutoscaling.backlog() });
    for (const t of scaledObject.spec.triggers) expect(Object.keys(t.metadata).filter((k) => /workerDeployment|buildId|select/i.test(k))).toEqual([]);
    expect(container.env.map((e: any) => e.name)).not.toContain(WORKER_BUILD_ID_ENV);
  });

  test('fails when the triggers scale on the queue rather than the version, or read it from somewhere other than the env the workers get', () => {
    const { scaledObject, container } = setup({ autoscaling: backlog(V1) });
    expect(scaledObject.spec.triggers).toHaveLength(2);
    for (const t of scaledObject.spec.triggers) {
      expect(t.metadata).toMatchObject({ workerDeploymentNameFromEnv: WORKER_DEPLOYMENT_NAME_ENV, workerDeploymentBuildIdFromEnv: WORKER_BUILD_ID_ENV });
      // KEDA refuses the deprecated selectors beside these.
      expect(Object.keys(t.metadata).filter((k) => ['buildId', 'selectAllActive', 'selectUnversioned'].includes(k))).toEqual([]);
    }
    expect(scaledObject.spec.scaleTargetRef.envSourceContainerName).toBe(container.name);
    expect(container.env).toEqual(expect.arrayContaining([{ name: WORKER_DEPLOYMENT_NAME_ENV, value: 'orders' }, { name: WORKER_BUILD_ID_ENV, value: '1.4.2' }]));
  });

  test('fails when a version the server or KEDA would refuse, or no worker would match, is accepted', () => {
    const refused: Array<[Partial<WorkerDeploymentVersion>, RegExp]> = [
      [{ deploymentName: '', buildId: '1' }, /workerDeploymentVersion.deploymentName is "".*non-empty string/],
      [{ deploymentName: 'orders', buildId: undefined }, /workerDeploymentVersion.buildId.*non-empty string/],
      [{ deploymentName: 'orders.v1', buildId: '1' }, /deploymentName is "orders.v1".*without "." or ":"/],
      [{ deploymentName: 'orders:v1', buildId: '1' }, /deploymentName.*without "." or ":"/],
      [{ deploymentName: '__orders', buildId: '1' }, /deploymentName.*not starting with "__"/],
      [{ deploymentName: 'orders', buildId: '__1' }, /buildId.*not starting with "__"/],
      [{ deploymentName: 'orders', buildId: 'x'.repeat(481) }, /buildId.*at most 480 bytes/],
      [{ deploymentName: 'orders', buildId: 'é'.repeat(241) }, /buildId.*at most 480 bytes/],
      [{ deploymentName: 'orders', buildId: '1\n' }, /buildId.*without leading or trailing whitespace or control characters/],
      [{ deploymentName: 'orders', buildId: 'a\u0007b' }, /control characters/],
    ];
    for (const [v, message] of refused) expect(() => backlog(v as WorkerDeploymentVersion)).toThrow(message);
    expect(() => backlog({ deploymentName: 'orders', buildId: '1', buildID: '2' } as never)).toThrow(/buildID/);
    expect(() => FleetAutoscaling.backlog({ workerDeploymentVersion: null as never })).toThrow(/workerDeploymentVersion/);
    expect(() => FleetAutoscaling.backlog({ workerDeploymentVersion: 'orders:1' as never })).toThrow(/workerDeploymentVersion/);
    // Padding of either, in any whitespace.
    fc.assert(fc.property(fc.constantFrom(' ', '\t', '\u00a0', '\u2003'), fc.boolean(), fc.boolean(), (pad, front, onName) => {
      const value = front ? `${pad}x1` : `x1${pad}`;
      expect(() => backlog(onName ? { deploymentName: value, buildId: '1' } : { deploymentName: 'orders', buildId: value })).toThrow(/without leading or trailing whitespace/);
    }));
    // With keepWhileWorkflowsRun, KEDA's visibility query takes [A-Za-z0-9-_./:] only.
    expect(() => backlog({ deploymentName: 'orders', buildId: '1+sha' }, { minReplicas: 0, keepWhileWorkflowsRun: true })).toThrow(/buildId is "1\+sha".*letters, digits and -_.\/: only, with keepWhileWorkflowsRun/);
    expect(backlog({ deploymentName: 'orders', buildId: '1+sha' }).backlog!.workerDeploymentVersion).toEqual({ deploymentName: 'orders', buildId: '1+sha' });
  });

  test('fails when the user env may set the version vars the fleet sets, in any case', () => {
    for (const name of [WORKER_BUILD_ID_ENV, WORKER_DEPLOYMENT_NAME_ENV.toLowerCase()]) {
      expect(() => setup({ autoscaling: backlog(V1), env: { [name]: { value: 'x' } as never } })).toThrow(/The fleet sets TEMPORAL_WORKER_.* from autoscaling workerDeploymentVersion/);
    }
    // Without the setting they are the user's own.
    expect(setup({ env: { [WORKER_BUILD_ID_ENV]: { value: 'x' } as never } }).container.env).toContainEqual({ name: WORKER_BUILD_ID_ENV, value: 'x' });
  });

  test('fails when two versions of one queue count as one backlog: a fleet per version is the point; the same version twice is refused', () => {
    const twoFleets = (a: WorkerDeploymentVersion | undefined, b: WorkerDeploymentVersion | undefined) => {
      const { chart, cluster: c } = setup({ autoscaling: FleetAutoscaling.backlog({ workerDeploymentVersion: a }) });
      new WorkerFleet(chart, 'orders-next', { image: IMAGE, taskQueues: ['orders'], cluster: c, autoscaling: FleetAutoscaling.backlog({ workerDeploymentVersion: b }) });
      return () => Testing.synth(chart);
    };
    expect(twoFleets(V1, { deploymentName: 'orders', buildId: '1.5.0' })).not.toThrow();
    expect(twoFleets(V1, { deploymentName: 'orders-eu', buildId: '1.4.2' })).not.toThrow();
    expect(twoFleets(undefined, V1)).not.toThrow();
    expect(twoFleets(V1, { ...V1 })).toThrow(/expected a queue no other fleet scales on/);
    expect(twoFleets(undefined, undefined)).toThrow(/expected a queue no other fleet scales on/);
  });
});
