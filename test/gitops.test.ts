import { Duration } from 'cdk8s';
import { GitOps } from '../lib';
import { cluster, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';

function annotated(gitOps: GitOps) {
  const chart = testChart();
  cluster(chart, { gitOps, namespaces: [{ name: 'default', retention: Duration.days(3) }] });
  const all = objects(chart);
  return { jobs: all.filter((o) => o.kind === 'Job'), others: all.filter((o) => o.kind !== 'Job') };
}

describe('GitOps', () => {
  test('off by default: no controller annotations anywhere', () => {
    const chart = testChart();
    cluster(chart);
    expect(JSON.stringify(objects(chart))).not.toMatch(/argocd|fluxcd/);
  });

  test('Argo CD: Jobs in an earlier sync wave than everything else', () => {
    const { jobs, others } = annotated(GitOps.argoCd());
    expect(jobs).toHaveLength(3);
    for (const job of nonEmpty(jobs)) expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
    for (const other of nonEmpty(others)) expect(other.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
  });

  test('Argo CD: Jobs as PreSync hooks, recreated on every sync', () => {
    const { jobs } = annotated(GitOps.argoCd({ jobsAsPreSyncHooks: true }));
    for (const job of nonEmpty(jobs)) {
      expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    }
  });

  test('Flux: Jobs may be recreated when their immutable spec changes', () => {
    const { jobs, others } = annotated(GitOps.flux());
    for (const job of nonEmpty(jobs)) expect(job.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/force': 'enabled' });
    for (const other of nonEmpty(others)) expect(other.metadata.annotations ?? {}).toEqual({});
  });

  describe('fails when', () => {
    test('the Jobs\' wave would not come before the servers\'', () => {
      expect(() => GitOps.argoCd({ jobSyncWave: 0 })).toThrow(/GitOps.argoCd: jobSyncWave is 0; expected a negative integer/);
    });
  });
});
