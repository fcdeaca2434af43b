import { cluster, find, testChart } from './support/synth';

/*
 * Settings that synthesized and applied, then failed in production: an admin-tools budget that
 * held a drain on an unready pod.
 */

function synth(props: Parameters<typeof cluster>[1]) {
  const chart = testChart();
  cluster(chart, props);
  return chart;
}

test('fails when the admin tools\' budget holds a drain on an unready pod: its one pod may always be evicted', () => {
  // At one replica the budget wants no healthy pod; under the API's default policy an unready pod's
  // eviction then falls to disruptionsAllowed, 0 with no pod ready.
  expect(find(synth({ adminTools: {} }), 'PodDisruptionBudget', 'temporal-admin-tools').spec).toEqual({
    selector: { matchLabels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/component': 'admin-tools' } },
    maxUnavailable: 1,
    unhealthyPodEvictionPolicy: 'AlwaysAllow',
  });
});
