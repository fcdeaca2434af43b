import { Size } from 'cdk8s';
import { Cpu, EnvValue } from 'cdk8s-plus-27';
import fc from 'fast-check';
import { FleetAutoscaling, TemporalClusterProps, WorkerFleet } from '../lib';
import { checkAutoscaledCpu } from '../lib/services/availability';
import { checkGoMemoryLimit } from '../lib/services/container-resources';
import { cluster, find, testChart } from './support/synth';

/*
 * Settings that synthesized and applied, then failed in production: a GOMEMLIMIT the Go runtime
 * cannot read (every pod crash-loops at start), an autoscaler with no CPU request to divide by
 * (it never scales), and an admin-tools budget that held a drain on an unready pod.
 */

const ROLE_KEYS = [['frontend', 'frontend'], ['internal-frontend', 'internalFrontend'], ['history', 'history'], ['matching', 'matching'], ['worker', 'worker']] as const;
const OWNER = "frontend of TemporalCluster 'temporal'";

function synth(props: Partial<TemporalClusterProps>) {
  const chart = testChart();
  cluster(chart, props);
  return chart;
}

const goMemLimitOf = (chart: ReturnType<typeof testChart>, role: string) =>
  find(chart, 'Deployment', `temporal-${role}`).spec.template.spec.containers[0].env.filter((e: any) => e.name === 'GOMEMLIMIT');

describe('a role\'s own GOMEMLIMIT', () => {
  test.each(ROLE_KEYS)('fails when the %s role spells it as a Kubernetes quantity (900Mi), which the Go runtime refuses at start', (role, key) => {
    expect(() => synth({ internalFrontend: {}, [key]: { env: { GOMEMLIMIT: EnvValue.fromValue('900Mi') } } }))
      .toThrow(`${role} of TemporalCluster 'temporal': env["GOMEMLIMIT"] is "900Mi"; expected a byte count the Go runtime reads: digits, optionally followed by B, KiB, MiB, GiB or TiB (such as "900MiB"), or "off". `
        + 'The runtime refuses any other spelling at start (malformed GOMEMLIMIT)');
  });

  test('fails when it is above the container\'s memory limit, or 0', () => {
    const at = (value: string) => () => synth({ frontend: { env: { GOMEMLIMIT: EnvValue.fromValue(value) } } });
    expect(at('1025MiB')).toThrow(`${OWNER}: env["GOMEMLIMIT"] is "1025MiB"; expected more than 0 and at most the container's memory limit (1Gi). `
      + 'At 0 the collector runs without pause; above the limit the kernel OOM-kills the pod before the runtime collects harder.');
    expect(at('0')).toThrow(`${OWNER}: env["GOMEMLIMIT"] is "0"; expected more than 0`);
    expect(() => synth({ frontend: { resources: { memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1.5) } }, env: { GOMEMLIMIT: EnvValue.fromValue('1537MiB') } } }))
      .toThrow('at most the container\'s memory limit (1536Mi)');
  });

  test('what the runtime reads, up to the limit, is written as given, and so are off, the empty value and a $(reference)', () => {
    for (const value of ['1GiB', '1024MiB', '1073741824', '1073741824B', '921MiB', 'off', '', '$(MEMORY_SHARE)']) {
      expect(goMemLimitOf(synth({ frontend: { env: { GOMEMLIMIT: EnvValue.fromValue(value) } } }), 'frontend')).toEqual([{ name: 'GOMEMLIMIT', value }]);
    }
  });

  test('fails when the value has a leading +: the Go 1.25 runtime of the 1.30 images reads only digits (its atoi64 takes a - alone)', () => {
    for (const value of ['+900MiB', '+1073741824', '+1GiB']) expect(() => checkGoMemoryLimit(OWNER, value, '8Ei')).toThrow('malformed GOMEMLIMIT');
  });

  test('fails for any Kubernetes or decimal spelling, generated: every unit but B, KiB, MiB, GiB and TiB', () => {
    const units = fc.constantFrom('Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'k', 'K', 'M', 'G', 'T', 'P', 'E', 'm', 'KB', 'MB', 'GB', 'kib', 'mib', 'gib', 'PiB', 'iB', 'b');
    fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), units, fc.boolean(), (n, unit, decimal) => {
      const value = `${decimal ? `${n}.5` : n}${unit}`;
      expect(() => checkGoMemoryLimit(OWNER, value, '8Ei')).toThrow('malformed GOMEMLIMIT');
    }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), fc.constantFrom('KiB', 'MiB', 'GiB', 'TiB', 'B', ''), fc.constantFrom(' ', '\t', '.0'), (n, unit, junk) => {
      expect(() => checkGoMemoryLimit(OWNER, `${n}${unit}${junk}`, '8Ei')).toThrow('malformed GOMEMLIMIT');
      expect(() => checkGoMemoryLimit(OWNER, `${junk}${n}${unit}`, '8Ei')).toThrow('malformed GOMEMLIMIT');
    }));
  });

  test('is refused exactly when above the limit, in any pair of units, generated', () => {
    const power: Record<string, bigint> = { B: 0n, KiB: 10n, MiB: 20n, GiB: 30n, TiB: 40n };
    const k8s: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, k: 1000n, M: 1000000n, G: 1000000000n };
    fc.assert(fc.property(fc.integer({ min: 1, max: 70000 }), fc.constantFrom('B', 'KiB', 'MiB', 'GiB', 'TiB'), fc.integer({ min: 1, max: 70000 }), fc.constantFrom('Ki', 'Mi', 'Gi', 'k', 'M', 'G'),
      (n, unit, l, limitUnit) => {
        const bytes = BigInt(n) << power[unit];
        const limit = BigInt(l) * k8s[limitUnit];
        const check = () => checkGoMemoryLimit(OWNER, `${n}${unit}`, `${l}${limitUnit}`);
        if (bytes > limit) expect(check).toThrow(`at most the container's memory limit (${l}${limitUnit})`);
        else expect(check).not.toThrow();
      }));
  });
});

describe('an autoscaled frontend', () => {
  test('fails when its CPU request is zero: the autoscaler has no request to take a share of, and never scales', () => {
    for (const [key, role] of [['frontend', 'frontend'], ['internalFrontend', 'internal-frontend']] as const) {
      expect(() => synth({ [key]: { autoscaling: { minReplicas: 2, maxReplicas: 6 }, resources: { cpu: { request: Cpu.millis(0) } } } }))
        .toThrow(`${role} of TemporalCluster 'temporal': resources.cpu.request is "0m"; expected more than 0 when autoscaling is on. `
          + 'The autoscaler targets autoscaling.cpuUtilization percent of the CPU request and computes no utilization without one, so it would never scale; give a CPU request.');
    }
  });

  test('every spelling of zero is refused and any other amount accepted, generated', () => {
    fc.assert(fc.property(fc.constantFrom('0', '0m', '0.0', '0.000', '0u', '0n', '0e3', '.0', '+0'), (zero) => {
      expect(() => checkAutoscaledCpu(OWNER, zero, '1', 70)).toThrow(`resources.cpu.request is "${zero}"; expected more than 0 when autoscaling is on`);
    }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 100000 }), fc.constantFrom('m', '', 'u', 'n'), (n, unit) => {
      expect(() => checkAutoscaledCpu(OWNER, `${n}${unit}`, `${2 * n}${unit}`, 70)).not.toThrow();
    }));
  });

  test('fails the same way for a worker fleet on a CPU autoscaler, and not on KEDA\'s backlog, which reads no CPU request', () => {
    const fleet = (autoscaling: FleetAutoscaling) => () => {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', { image: 'registry.example/orders-worker:1.4.2', taskQueues: ['orders'], cluster: cluster(chart), autoscaling, resources: { cpu: { request: Cpu.millis(0) } } });
    };
    expect(fleet(FleetAutoscaling.cpu({ minReplicas: 2, maxReplicas: 8 })))
      .toThrow("WorkerFleet 'orders': resources.cpu.request is \"0m\"; expected more than 0 when autoscaling is on.");
    expect(fleet(FleetAutoscaling.backlog({ minReplicas: 1, maxReplicas: 8 }))).not.toThrow();
  });

  test('fails when its target is out of reach under the CPU limit: a pod never uses more than its limit, and the autoscaler scales up only past 110% of the target', () => {
    const guaranteed = { cpu: { request: Cpu.units(1), limit: Cpu.units(1) } };
    expect(() => synth({ frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilization: 95 }, resources: guaranteed } }))
      .toThrow(`${OWNER}: autoscaling.cpuUtilization is 95; expected less than 90.909 with a CPU request of 1 and a limit of 1. `
        + 'A pod uses at most its CPU limit, 100% of its request, and the autoscaler (at kube-controller-manager\'s default tolerance of 10%) scales up only past 110% of the target, '
        + 'so it would never add a pod; lower the target, or raise resources.cpu.limit above the request.');
    expect(() => synth({ frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilization: 91 }, resources: guaranteed } })).toThrow('autoscaling.cpuUtilization is 91');
    expect(find(synth({ frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilization: 90 }, resources: guaranteed } }), 'HorizontalPodAutoscaler', 'temporal-frontend')
      .spec.metrics[0].resource.target.averageUtilization).toBe(90);
    const chart = testChart();
    expect(() => new WorkerFleet(chart, 'orders', {
      image: 'registry.example/orders-worker:1.4.2', taskQueues: ['orders'], cluster: cluster(chart),
      autoscaling: FleetAutoscaling.cpu({ minReplicas: 2, maxReplicas: 8, cpuUtilization: 100 }), resources: guaranteed,
    })).toThrow("WorkerFleet 'orders': autoscaling.cpuUtilization is 100; expected less than 90.909 with a CPU request of 1 and a limit of 1.");
  });

  test('the target is refused exactly when 110% of it reaches 100 × limit / request, in any units, generated', () => {
    const milli: Record<string, number> = { 'm': 1, '': 1000 };
    fc.assert(fc.property(fc.integer({ min: 1, max: 4000 }), fc.constantFrom('m', ''), fc.integer({ min: 1, max: 4000 }), fc.constantFrom('m', ''), fc.integer({ min: 1, max: 100 }),
      (req, reqUnit, lim, limUnit, target) => {
        const request = req * milli[reqUnit];
        const limit = lim * milli[limUnit];
        fc.pre(limit >= request);
        const check = () => checkAutoscaledCpu(OWNER, `${req}${reqUnit}`, `${lim}${limUnit}`, target);
        // Integers: target × 1.1 ≥ 100 × limit / request, multiplied out.
        if (target * 11 * request >= 1000 * limit) expect(check).toThrow(`autoscaling.cpuUtilization is ${target}`);
        else expect(check).not.toThrow();
      }));
  });

  test('a CPU request of zero stays legitimate without autoscaling', () => {
    const chart = synth({ frontend: { resources: { cpu: { request: Cpu.millis(0) } } } });
    expect(find(chart, 'Deployment', 'temporal-frontend').spec.template.spec.containers[0].resources.requests.cpu).toBe('0m');
  });
});

test('fails when the admin tools\' budget holds a drain on an unready pod: its one pod may always be evicted', () => {
  // At one replica the budget wants no healthy pod; under the API's default policy an unready pod's
  // eviction then falls to disruptionsAllowed, 0 with no pod ready.
  expect(find(synth({ adminTools: {} }), 'PodDisruptionBudget', 'temporal-admin-tools').spec).toEqual({
    selector: { matchLabels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/component': 'admin-tools' } },
    maxUnavailable: 1,
    unhealthyPodEvictionPolicy: 'AlwaysAllow',
  });
});

describe('a disruption budget that protects no pod', () => {
  const roleOwner = (role: string) => `${role} of TemporalCluster 'temporal'`;
  test('fails when maxUnavailable lets a drain take every pod of a role of two or more, or minAvailable is 0 there, generated over roles and replica counts', () => {
    fc.assert(fc.property(fc.constantFrom(...ROLE_KEYS), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 6 }), ([role, key], replicas, extra) => {
      expect(() => synth({ internalFrontend: {}, [key]: { replicas, podDisruptionBudget: { maxUnavailable: replicas + extra } } })).toThrow(
        `${roleOwner(role)}: podDisruptionBudget.maxUnavailable is ${replicas + extra}; expected less than the role's ${replicas} replicas. It would let a node drain evict all ${replicas} pods at once`);
      expect(() => synth({ internalFrontend: {}, [key]: { replicas, podDisruptionBudget: { minAvailable: 0 } } })).toThrow(
        `${roleOwner(role)}: podDisruptionBudget.minAvailable is 0; expected at least 1. It would let a node drain evict all ${replicas} pods at once`);
      expect(() => synth({ internalFrontend: {}, [key]: { replicas, podDisruptionBudget: { maxUnavailable: replicas - 1 } } })).not.toThrow();
    }), { numRuns: 25 });
  });

  test('fails the same for an autoscaled frontend at its fewest pods and for a worker fleet; one replica must let its pod go', () => {
    expect(() => synth({ frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6 }, podDisruptionBudget: { maxUnavailable: 2 } } }))
      .toThrow(`${OWNER}: podDisruptionBudget.maxUnavailable is 2; expected less than the role's 2 replicas.`);
    const chart = testChart();
    const c = cluster(chart);
    expect(() => new WorkerFleet(chart, 'orders', { cluster: c, image: 'example/worker:1', taskQueues: ['orders'], replicas: 3, podDisruptionBudget: { minAvailable: 0 } }))
      .toThrow("podDisruptionBudget.minAvailable is 0; expected at least 1.");
    for (const podDisruptionBudget of [{ maxUnavailable: 1 }, { maxUnavailable: 5 }, { minAvailable: 0 }]) {
      expect(() => synth({ frontend: { replicas: 1, podDisruptionBudget } })).not.toThrow();
    }
    expect(() => synth({ frontend: { replicas: 0, podDisruptionBudget: { minAvailable: 0 } } })).not.toThrow();
  });
});
