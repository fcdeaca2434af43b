import { Duration, Testing } from 'cdk8s';
import fc from 'fast-check';
import { EnvValue } from 'cdk8s-plus-27';
import { GitOps, LabelMatcher, WorkerFleet } from '../lib';
import { synthesizedApps } from './support/app-generator';
import { fluxSubstitutedText } from './support/flux-text';
import { cluster, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';

/** The scripts that expand parameters, each found in the output by a text only it holds. */
const SCRIPTS: Array<[string, string]> = [
  ['schema wait', 'wait-for-schema.sh'], ['Elasticsearch wait', 'ES_MAPPING_FIELD'], ['password command', 'with-password-command'],
  ['namespaces', 'operator namespace create'], ['search attributes', 'search-attribute create'], ['dashboard', '\\"uid\\":\\"$datasource\\"'],
  ['remote clusters', 'operator cluster upsert'],
];

function annotated(gitOps: GitOps) {
  const chart = testChart();
  cluster(chart, { gitOps, namespaces: [{ name: 'default', retention: Duration.days(3) }] });
  const all = objects(chart);
  const schema = (o: any) => o.kind === 'Job' && /^temporal-schema-/.test(o.metadata.name);
  const serviceAccount = (o: any) => o.kind === 'ServiceAccount' && o.metadata.name === 'temporal-jobs';
  return {
    jobs: all.filter((o) => o.kind === 'Job'),
    schemaJobs: all.filter(schema),
    jobServiceAccount: all.filter(serviceAccount),
    clientJobs: all.filter((o) => o.kind === 'Job' && !schema(o)),
    others: all.filter((o) => o.kind !== 'Job' && !serviceAccount(o)),
  };
}

/** Each schema Job's pods need its ServiceAccount; the namespace and remote-cluster Jobs need the frontend. */
function clientJobsOf(gitOps: GitOps) {
  const chart = testChart();
  cluster(chart, {
    gitOps, namespaces: [{ name: 'default', retention: Duration.days(3) }],
    enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example:7233' }],
  });
  return objects(chart).filter((o) => o.kind === 'Job' && !/^temporal-schema-/.test(o.metadata.name));
}

describe('GitOps', () => {
  test('off by default: no controller annotations anywhere', () => {
    const chart = testChart();
    cluster(chart);
    expect(JSON.stringify(objects(chart))).not.toMatch(/argocd|fluxcd/);
  });

  test('Argo CD: schema Jobs and their ServiceAccount in an earlier sync wave than the servers, the Jobs that call the frontend in a later one', () => {
    // Argo CD applies a wave only once every object of the wave before is healthy, and a Job is healthy
    // once it has completed: a schema Job whose ServiceAccount came in a later wave could never create a
    // pod, and a namespace Job before the servers would wait for a frontend that is never applied.
    const { jobs, schemaJobs, jobServiceAccount, clientJobs, others } = annotated(GitOps.argoCd());
    expect(jobs).toHaveLength(3);
    for (const job of nonEmpty(schemaJobs)) {
      expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
      expect(job.spec.template.spec.serviceAccountName).toBe('temporal-jobs');
    }
    expect(jobServiceAccount.map((o) => o.metadata.annotations)).toEqual([{ 'argocd.argoproj.io/sync-wave': '-1' }]);
    expect(clientJobs.map((o) => o.metadata.annotations)).toEqual([{ 'argocd.argoproj.io/sync-wave': '1' }]);
    for (const other of nonEmpty(others)) expect(other.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
    expect(annotated(GitOps.argoCd({ jobSyncWave: -5 })).jobServiceAccount.map((o) => o.metadata.annotations)).toEqual([{ 'argocd.argoproj.io/sync-wave': '-5' }]);
    expect(clientJobsOf(GitOps.argoCd()).map((o) => [o.metadata.labels['app.kubernetes.io/component'], o.metadata.annotations])).toEqual([
      ['namespaces', { 'argocd.argoproj.io/sync-wave': '1' }], ['remote-clusters', { 'argocd.argoproj.io/sync-wave': '1' }]]);
  });

  test('Argo CD: schema Jobs and their ServiceAccount as PreSync hooks, the Jobs that call the frontend as PostSync hooks, recreated on every sync', () => {
    const { schemaJobs, jobServiceAccount, clientJobs } = annotated(GitOps.argoCd({ jobsAsPreSyncHooks: true }));
    const hook = (phase: string) => ({ 'argocd.argoproj.io/hook': phase, 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    for (const job of nonEmpty(schemaJobs)) expect(job.metadata.annotations).toEqual(hook('PreSync'));
    expect(jobServiceAccount.map((o) => o.metadata.annotations)).toEqual([hook('PreSync')]);
    expect(clientJobs.map((o) => o.metadata.annotations)).toEqual([hook('PostSync')]);
    expect(clientJobsOf(GitOps.argoCd({ jobsAsPreSyncHooks: true })).map((o) => o.metadata.annotations)).toEqual([hook('PostSync'), hook('PostSync')]);
  });

  test('fails when a schema Job\'s egress policy comes after the Job under restrictEgress: deny-all, applied by an earlier sync, let a new store\'s Job reach neither DNS nor its database, and the sync waited on it forever', () => {
    // Day 2: deny-all (Ingress and Egress) is on the server; a secondary visibility store adds a
    // schema Job, whose own egress policy is new in this sync. It must be applied with the Job or before.
    const synth = (gitOps: GitOps) => {
      const chart = testChart();
      cluster(chart, { gitOps, networkPolicy: { restrictEgress: true } });
      return objects(chart).filter((o) => o.kind === 'NetworkPolicy');
    };
    const schemaEgress = (o: any) => /^temporal-schema-.*-egress$/.test(o.metadata.name);
    const waves = synth(GitOps.argoCd({ jobSyncWave: -3 }));
    expect(nonEmpty(waves.filter(schemaEgress)).map((o) => o.metadata.annotations)).toEqual(waves.filter(schemaEgress).map(() => ({ 'argocd.argoproj.io/sync-wave': '-3' })));
    expect(waves.find((o) => o.metadata.name === 'temporal-deny-all').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
    const hooks = synth(GitOps.argoCd({ jobsAsPreSyncHooks: true })).filter(schemaEgress);
    expect(nonEmpty(hooks).map((o) => o.metadata.annotations['argocd.argoproj.io/hook'])).toEqual(hooks.map(() => 'PreSync'));
  });

  test('Flux: Jobs may be recreated when their immutable spec changes, and no object goes through post-build substitution', () => {
    const { jobs, jobServiceAccount, others } = annotated(GitOps.flux());
    const noSubstitution = { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' };
    for (const job of nonEmpty(jobs)) expect(job.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/force': 'enabled', ...noSubstitution });
    expect(jobServiceAccount.map((o) => o.metadata.annotations)).toEqual([noSubstitution]);
    for (const other of nonEmpty(others)) expect(other.metadata.annotations).toEqual(expect.objectContaining(noSubstitution));
  });

  test('Flux: only the text an app gives can hold what envsubst reads (${...}, $$), and GitOps.flux() keeps every object that holds it from substitution', () => {
    // The kustomize-controller runs github.com/fluxcd/pkg/envsubst over each object's YAML unless the
    // object is annotated (or labelled) kustomize.toolkit.fluxcd.io/substitute: disabled
    // (fluxcd/pkg kustomize/kustomize_varsub.go); there an unset ${name} is "" and $$ is $.
    const chart = testChart();
    cluster(chart, { gitOps: GitOps.flux(), namespaces: [{ name: 'default', retention: Duration.days(3), description: 'costs $$5 or ${price}' }], monitoring: { dashboard: {}, seriesSelector: [LabelMatcher.equal('job', 'temporal')] } });
    const substituted = objects(chart).filter((o) => fluxSubstitutedText([o]).length > 0);
    expect(substituted.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([expect.stringMatching(/^Job\/temporal-namespaces-/)]);
    for (const o of substituted) expect([o.kind, o.metadata.name, o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/substitute']]).toEqual([o.kind, o.metadata.name, 'disabled']);
  });

  test('Flux without GitOps.flux(): the library\'s own text holds no ${ and no $$, so a Kustomization that substitutes applies every object as written', () => {
    // A platform's Kustomizations often substitute cluster-wide variables into everything they
    // apply. The scripts build their ${...} expansions when the shell runs (lib/pod/shell-expand.ts);
    // the dashboard names its data source variable unbraced. tools/flux-substitute runs Flux's own
    // code over the example apps (test/e2e/flux-substitution.e2e.test.ts).
    // Fixed seed by default; FC_SEED=<n> draws other apps, FC_RUNS=<n> more of them.
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const { objects: output } of synthesizedApps(Number(process.env.FC_SEED ?? 20261206), Number(process.env.FC_RUNS ?? 80), (spec) => ({ ...spec, gitOps: undefined }))) {
      const text = JSON.stringify(output);
      for (const [what, marker] of SCRIPTS) if (text.includes(marker)) seen.add(what);
      problems.push(...fluxSubstitutedText(output));
    }
    expect(problems).toEqual([]);
    // Every script that used to hold ${...} was drawn at least once, so the check above saw it.
    expect([...seen].sort()).toEqual(SCRIPTS.map(([what]) => what).sort());
  });

  test('fails when an object holds ${ or $$ anywhere, a map key included: the check sees what envsubst reads', () => {
    const script = { kind: 'ConfigMap', metadata: { name: 'x' }, data: { 'run.sh': 'store=${arg%%=*}' } };
    const kubelet = { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ command: ['sh', '-c', 'echo $$(date)'] }] } };
    const key = { kind: 'ConfigMap', metadata: { name: 'k' }, data: { '${file}': 'x' } };
    expect(fluxSubstitutedText([script, kubelet, key]).map((p) => p.split(' ')[0])).toEqual(['ConfigMap/x', 'Pod/p', 'ConfigMap/k']);
    expect(fluxSubstitutedText([{ kind: 'ConfigMap', metadata: { name: 'ok' }, data: { 'run.sh': 'expand_param store \'arg%%=*\'; echo "$store" $datasource' } }])).toEqual([]);
  });

  describe('fails when', () => {
    test('the Jobs\' wave would not come before the servers\'', () => {
      expect(() => GitOps.argoCd({ jobSyncWave: 0 })).toThrow(/GitOps.argoCd: jobSyncWave is 0; expected a negative integer/);
      // Argo CD parses the annotation with strconv.Atoi and puts what it cannot parse in wave 0.
      for (const jobSyncWave of [-1e21, -(2 ** 53), -0.5, -Infinity]) {
        expect(() => GitOps.argoCd({ jobSyncWave })).toThrow(/GitOps.argoCd: jobSyncWave is .*; expected a negative integer, so that the Jobs run before the servers \(wave 0\), written in plain digits/);
      }
      expect(GitOps.argoCd({ jobSyncWave: -(2 ** 53) + 1 }).annotations.jobs).toEqual({ 'argocd.argoproj.io/sync-wave': '-9007199254740991' });
    });
    test('schema.ttlAfterFinished deletes Jobs the controller keeps in the app\'s state: it would recreate and rerun them on every sync or interval', () => {
      const ttlJobs = (gitOps: GitOps | undefined, ttl = Duration.hours(1)) => () => {
        const chart = testChart();
        cluster(chart, { gitOps, schema: { ttlAfterFinished: ttl } });
        return objects(chart).filter((o) => o.kind === 'Job').map((o) => o.spec.ttlSecondsAfterFinished);
      };
      for (const gitOps of [GitOps.flux(), GitOps.argoCd(), GitOps.argoCd({ jobSyncWave: -3, jobsAsPreSyncHooks: false })]) {
        for (const [ttl, shown] of [[Duration.hours(1), '3600s'], [Duration.seconds(0), '0s']] as const) {
          expect(ttlJobs(gitOps, ttl)).toThrow(new RegExp(`TemporalCluster 'temporal': schema.ttlAfterFinished is "${shown}"; expected no value while gitOps keeps the schema Jobs in the app's state `
            + '\\(GitOps.flux\\(\\), or GitOps.argoCd\\(\\) without jobsAsPreSyncHooks\\)\\. The controller recreates each Job the TTL deletes.*Leave it unset.*jobsAsPreSyncHooks: true'));
        }
      }
      // Argo CD hooks are not tracked, and a plain kubectl apply does not come back for them.
      expect(nonEmpty(ttlJobs(GitOps.argoCd({ jobsAsPreSyncHooks: true }))())).toEqual(expect.arrayContaining([3600]));
      expect(nonEmpty(ttlJobs(undefined)())).toEqual(expect.arrayContaining([3600]));
    });
  });
});

describe('text that Flux\'s post-build substitution would change, in an app that did not say how it is applied', () => {
  const command = Symbol.for('cdk8s-temporal.synth-command');
  const global = globalThis as Record<symbol, unknown>;
  /** An app whose user text is `description` (a namespace's) and `env` (a fleet's): its objects and the summary's warnings about substitution. */
  const synthOf = (gitOps: GitOps | undefined, description: string, env: string) => {
    const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: false, locks: [] };
    global[command] = run;
    try {
      const chart = testChart();
      const c = cluster(chart, { gitOps, namespaces: [{ name: 'default', retention: Duration.days(3), description }] });
      new WorkerFleet(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster: c, env: { GREETING: EnvValue.fromValue(env) } });
      const output = Testing.synth(chart);
      return { output, warnings: (run.warnings ?? []).filter((w) => w.includes('post-build substitution')) };
    } finally {
      delete global[command];
    }
  };
  /** What Flux would change: text in an object not kept from substitution. */
  const substituted = (output: any[]) => fluxSubstitutedText(output.filter((o) => o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/substitute'] !== 'disabled'));

  test('fails when a ${ in the app\'s text goes out with no gitOps: the summary names the object, the text and the remedy', () => {
    const { warnings } = synthOf(undefined, 'costs ${price}', 'plain');
    expect(warnings).toEqual([expect.stringMatching(/^TemporalCluster 'temporal': Job\/temporal-namespaces-[0-9a-f]+ holds " ?costs \$\{price\}", which a Flux Kustomization with post-build substitution would apply changed .*If Flux applies the output, give the cluster gitOps: GitOps.flux\(\), which keeps every object as written; if another tool does, say which \(GitOps.kubectl\(\), GitOps.argoCd\(\)\) to silence this warning.$/)]);
    // A fleet of the cluster goes out the same way: its env is the app's text too.
    expect(synthOf(undefined, 'plain', 'echo $$HOME').warnings).toEqual([expect.stringMatching(/^WorkerFleet 'orders': Deployment\/orders holds .*give its cluster gitOps: GitOps.flux\(\)/)]);
  });

  test('fails when a worker fleet of a cluster with GitOps.flux() is substituted: the fleet\'s objects are kept as written too', () => {
    const { output, warnings } = synthOf(GitOps.flux(), 'costs ${price}', 'echo ${HOME}');
    expect(substituted(output)).toEqual([]);
    expect(warnings).toEqual([]);
    const fleetObjects = output.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 'orders' || /^orders-to-/.test(o.metadata.name));
    expect(nonEmpty(fleetObjects).map((o) => o.metadata.annotations)).toEqual(fleetObjects.map(() => ({ 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' })));
  });

  test('GitOps.kubectl() says no controller rewrites the output: no annotations, no warning', () => {
    const { output, warnings } = synthOf(GitOps.kubectl(), 'costs ${price}', 'echo $$HOME');
    expect(warnings).toEqual([]);
    expect(output.filter((o) => o.metadata.annotations && Object.keys(o.metadata.annotations).some((k) => /fluxcd|argoproj/.test(k)))).toEqual([]);
    expect(synthOf(GitOps.argoCd(), 'costs ${price}', 'x').warnings).toEqual([]);
  });

  test('generated text: the summary warns exactly when, without gitOps, Flux would change an object, and never with GitOps.flux()', () => {
    // Text around the two forms envsubst reads, and near misses it leaves alone ($name, $(VAR), a lone $ or {).
    const piece = fc.constantFrom('${', '$$', '$', '{', '}', '$(', 'a', ' ', 'HOME', '\\');
    const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, text, (description, env) => {
      const plain = synthOf(undefined, description, env);
      expect(plain.warnings.length > 0).toBe(substituted(plain.output).length > 0);
      const flux = synthOf(GitOps.flux(), description, env);
      expect([substituted(flux.output), flux.warnings]).toEqual([[], []]);
    }), { numRuns: 40 });
  });
});

describe('the Flux substitution warning beyond the cdk8s-temporal command\'s summary', () => {
  const command = Symbol.for('cdk8s-temporal.synth-command');
  const global = globalThis as Record<symbol, unknown>;
  /** A fleet of a frontend outside the app, with `env` and `gitOps`, synthesized under the command: its objects and the summary's warnings. */
  const externalFleet = (gitOps: GitOps | undefined, env: string) => {
    const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: false, locks: [] };
    global[command] = run;
    try {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', {
        image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], frontend: { address: 'temporal.other.example:7233' }, env: { GREETING: EnvValue.fromValue(env) }, gitOps,
      });
      const output = Testing.synth(chart);
      return { output, warnings: (run.warnings ?? []).filter((w) => w.includes('post-build substitution')) };
    } finally {
      delete global[command];
    }
  };

  test('fails when a worker fleet of an external frontend holds text Flux would substitute: no warning, and no way to say GitOps.flux() or GitOps.kubectl()', () => {
    expect(externalFleet(undefined, 'echo ${HOME}').warnings).toEqual([expect.stringMatching(/^WorkerFleet 'orders': Deployment\/orders holds "echo \$\{HOME\}", which a Flux Kustomization with post-build substitution would apply changed .*If Flux applies the output, give the fleet gitOps: GitOps.flux\(\), which keeps every object as written; if another tool does, say which \(GitOps.kubectl\(\), GitOps.argoCd\(\)\) to silence this warning\.$/)]);
    const flux = externalFleet(GitOps.flux(), 'echo ${HOME}');
    expect(flux.warnings).toEqual([]);
    expect(nonEmpty(flux.output).map((o) => o.metadata.annotations)).toEqual(flux.output.map(() => ({ 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' })));
    for (const gitOps of [GitOps.kubectl(), GitOps.argoCd()]) {
      const said = externalFleet(gitOps, 'echo $$HOME');
      expect(said.warnings).toEqual([]);
      expect(said.output.filter((o) => o.metadata.annotations && Object.keys(o.metadata.annotations).some((k) => /fluxcd|argoproj/.test(k)))).toEqual([]);
    }
    // The same rule over generated text: a warning exactly when Flux would change an object.
    const piece = fc.constantFrom('${', '$$', '$', '{', '}', '$(', 'a', ' ', 'HOME');
    fc.assert(fc.property(fc.array(piece, { maxLength: 6 }).map((p) => p.join('')), (env) => {
      const plain = externalFleet(undefined, env);
      expect(plain.warnings.length > 0).toBe(fluxSubstitutedText(plain.output).length > 0);
      expect(externalFleet(GitOps.flux(), env).warnings).toEqual([]);
    }), { numRuns: 25 });
  });

  test('fails when a fleet of a cluster is given gitOps of its own, or gitOps is no GitOps: the cluster\'s controller applies it', () => {
    const chart = testChart();
    const c = cluster(chart, { gitOps: GitOps.kubectl() });
    expect(() => new WorkerFleet(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster: c, gitOps: GitOps.flux() }))
      .toThrow("WorkerFleet 'orders': gitOps is GitOps.flux(); expected no value with cluster: the fleet goes out through its cluster's controller, as the cluster's gitOps says. Drop it, and give the cluster gitOps.");
    // Every way to make one, the call as written: "set" told the user nothing they could look for.
    fc.assert(fc.property(fc.oneof(
      fc.constant(['GitOps.flux()', GitOps.flux()] as const), fc.constant(['GitOps.kubectl()', GitOps.kubectl()] as const),
      fc.constant(['GitOps.argoCd()', GitOps.argoCd()] as const), fc.constant(['GitOps.argoCd({ jobsAsPreSyncHooks: true })', GitOps.argoCd({ jobsAsPreSyncHooks: true })] as const),
      fc.integer({ min: -1000, max: -2 }).map((w) => [`GitOps.argoCd({ jobSyncWave: ${w} })`, GitOps.argoCd({ jobSyncWave: w })] as const),
    ), ([text, own]) => {
      const ch = testChart();
      const cl = cluster(ch, { gitOps: GitOps.kubectl() });
      expect(() => new WorkerFleet(ch, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster: cl, gitOps: own }))
        .toThrow(`WorkerFleet 'orders': gitOps is ${text}; expected no value with cluster`);
    }), { numRuns: 20 });
    expect(() => new WorkerFleet(testChart(), 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], frontend: { address: 'temporal.other.example:7233' }, gitOps: 'flux' as never }))
      .toThrow(/WorkerFleet 'orders': gitOps is "flux"; expected GitOps.flux\(\), GitOps.argoCd\(\) or GitOps.kubectl\(\)/);
  });

  test('fails when plain cdk8s synth (CDK8S_OUTDIR set, no command) runs an app with text Flux would substitute: the warning went nowhere', () => {
    const synthApp = () => {
      const chart = testChart();
      const c = cluster(chart, { namespaces: [{ name: 'default', retention: Duration.days(3), description: 'costs ${price}' }] });
      new WorkerFleet(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster: c, env: { GREETING: EnvValue.fromValue('echo $$HOME') } });
      return Testing.synth(chart);
    };
    const written: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(((text: string) => { written.push(String(text)); return true; }) as typeof process.stderr.write);
    const before = process.env.CDK8S_OUTDIR;
    try {
      delete process.env.CDK8S_OUTDIR;
      const quiet = synthApp();
      expect(written).toEqual([]); // a test's synth: nobody to tell
      process.env.CDK8S_OUTDIR = 'dist';
      const told = synthApp();
      expect(told).toEqual(quiet); // the output is the same, byte for byte
      expect(written).toEqual([
        expect.stringMatching(/^cdk8s-temporal: warning: TemporalCluster 'temporal': Job\/temporal-namespaces-[0-9a-f]+ holds " ?costs \$\{price\}", which a Flux Kustomization with post-build substitution .*give the cluster gitOps: GitOps.flux\(\).*\n$/),
        expect.stringMatching(/^cdk8s-temporal: warning: WorkerFleet 'orders': Deployment\/orders holds .*give its cluster gitOps: GitOps.flux\(\).*\n$/),
      ]);
      // Once per process, however often the app synthesizes; under the command, in its summary only.
      synthApp();
      expect(written.length).toBe(2);
      const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: false, locks: [] };
      global[command] = run;
      try {
        const chart = testChart();
        cluster(chart, { namespaces: [{ name: 'default', retention: Duration.days(3), description: 'costs ${other}' }] });
        Testing.synth(chart);
      } finally {
        delete global[command];
      }
      expect(written.length).toBe(2);
      expect(run.warnings).toEqual([expect.stringMatching(/costs \$\{other\}/)]);
    } finally {
      stderr.mockRestore();
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
  });
});
