import { Duration } from 'cdk8s';
import { GitOps, LabelMatcher } from '../lib';
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

  test('Flux: Jobs may be recreated when their immutable spec changes, and no object goes through post-build substitution', () => {
    const { jobs, others } = annotated(GitOps.flux());
    const noSubstitution = { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' };
    for (const job of nonEmpty(jobs)) expect(job.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/force': 'enabled', ...noSubstitution });
    for (const other of nonEmpty(others)) expect(other.metadata.annotations).toEqual(expect.objectContaining(noSubstitution));
  });

  test('Flux: every object that holds text envsubst reads (${...}, $$) is kept from it', () => {
    // The kustomize-controller runs github.com/fluxcd/pkg/envsubst over each object's YAML unless the
    // object is annotated (or labelled) kustomize.toolkit.fluxcd.io/substitute: disabled
    // (fluxcd/pkg kustomize/kustomize_varsub.go); there an unset ${name} is "" and $$ is $.
    const chart = testChart();
    cluster(chart, { gitOps: GitOps.flux(), namespaces: [{ name: 'default', retention: Duration.days(3), description: 'costs $$5' }], monitoring: { dashboard: {}, seriesSelector: [LabelMatcher.equal('job', 'temporal')] } });
    const substituted = objects(chart).filter((o) => /\$\{|\$\$/.test(JSON.stringify(o)));
    // The schema-wait script, the namespace Job and the dashboard at least.
    expect(substituted.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining([
      'ConfigMap/temporal-schema-wait', 'ConfigMap/temporal-dashboard', expect.stringMatching(/^Job\/temporal-namespaces-/)]));
    for (const o of substituted) expect([o.kind, o.metadata.name, o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/substitute']]).toEqual([o.kind, o.metadata.name, 'disabled']);
  });

  describe('fails when', () => {
    test('the Jobs\' wave would not come before the servers\'', () => {
      expect(() => GitOps.argoCd({ jobSyncWave: 0 })).toThrow(/GitOps.argoCd: jobSyncWave is 0; expected a negative integer/);
    });
  });
});
