import * as fs from 'fs';
import * as path from 'path';
import { applyServerSide, deploy, deployedApp } from './deploy';
import { objectsOfKind, synth, Synthesized } from './synth';
import { pollUntil } from '../support/processes';

/**
 * The guards around a cluster's pinned values (history shard count, failover increment, cluster
 * name), enforced by a real API server: the pinned ConfigMap is immutable, and a
 * ValidatingAdmissionPolicy denies deleting it unless it is annotated for break-glass.
 */

const APP = 'apps/main.ts';
/** apps/main.ts keeps its lock here (relative to cdk8s.yaml); deleting it is the lock's documented override. */
const LOCK_FILE = 'temporal.lock.json';
const BREAK_GLASS = 'temporal.io/break-glass';
/** A policy with a CEL type error and no binding: the type checker must warn about it. */
const CONTROL_POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: kube-test-type-check-control
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [DELETE]
      resources: [configmaps]
  validations:
  - expression: oldObject.data.numHistoryShards > 0
`;

const app = deployedApp('pinned', APP);
let pinned: any;
let policy: any;

beforeAll(() => {
  const pinnedMaps = objectsOfKind(app.base.objects, 'ConfigMap').filter((o) => o.immutable === true && o.metadata.name.endsWith('-pinned'));
  if (pinnedMaps.length !== 1) throw new Error(`${APP} should emit exactly one immutable "<cluster>-pinned" ConfigMap; found ${pinnedMaps.length}`);
  pinned = pinnedMaps[0];
  policy = objectsOfKind(app.base.objects, 'ValidatingAdmissionPolicy')
    .find((p) => (p.spec?.matchConditions ?? []).some((c: any) => c.expression === `oldObject.metadata.name == '${pinned.metadata.name}'`));
});

test('the pinned ConfigMap holds the values a cluster can never change', () => {
  expect(pinned.metadata).toMatchObject({ name: 'temporal-pinned', namespace: 'temporal' });
  expect(Object.keys(pinned.data).sort()).toEqual(['currentClusterName', 'failoverVersionIncrement', 'numHistoryShards']);
});

/** Synthesizes apps/main.ts in the repo copy with `edit` applied to its source, without its lock (whose refusal is the first guard). */
async function synthEdited(edit: (source: string) => string): Promise<Synthesized> {
  const appPath = path.join(app.repo, APP);
  const original = fs.readFileSync(appPath, 'utf8');
  const edited = edit(original);
  if (edited === original) throw new Error(`the edit changed nothing in ${APP}`);
  fs.writeFileSync(appPath, edited);
  fs.rmSync(path.join(app.repo, LOCK_FILE), { force: true });
  try {
    return await synth(app.repo, APP);
  } finally {
    fs.writeFileSync(appPath, original);
  }
}

/** Each pinned value, changed in the app's source: another shard count, failover increment or cluster name. */
const CHANGES: Array<[key: string, edit: (source: string) => string]> = [
  ['numHistoryShards', (src) => src.replace(/numHistoryShards:\s*(\d+)/, (_, n) => `numHistoryShards: ${Number(n) * 2}`)],
  ['failoverVersionIncrement', (src) => src.replace(/numHistoryShards:\s*(\d+),/, (m) => `${m} failoverVersionIncrement: 100,`)],
  ['currentClusterName', (src) => src.replace(/numHistoryShards:\s*(\d+),/, (m) => `${m} clusterName: 'renamed',`)],
];

test.each(CHANGES)('a changed %s is refused by the API server: the pinned ConfigMap is immutable', async (key, edit) => {
  const changed = await synthEdited(edit);
  const changedPinned = changed.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === pinned.metadata.name);
  expect(changedPinned?.data?.[key]).toBeDefined();
  expect(changedPinned.data[key]).not.toBe(pinned.data[key]);

  const result = await applyServerSide(app.server, changed.outDir);
  console.log(`kubectl apply of ${APP} with ${key} ${pinned.data[key]} -> ${changedPinned.data[key]} exited with ${result.code}.\n`
    + `stderr:\n${result.stderr.trim()}`);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(`ConfigMap "${pinned.metadata.name}" is invalid`);
  expect(result.stderr).toMatch(/data: Forbidden: field is immutable/);

  const stored = await app.server.getJson('configmap', pinned.metadata.name, pinned.metadata.namespace);
  expect(stored.data).toEqual(pinned.data);
});

describe('the ValidatingAdmissionPolicy that guards the pinned ConfigMap', () => {
  const name = () => pinned.metadata.name;
  const ns = () => pinned.metadata.namespace;
  const deleteArgs = (...extra: string[]) => ['delete', 'configmap', name(), '-n', ns(), ...extra];
  const message = () => policy.spec.validations[0].message as string;

  beforeAll(() => {
    if (!policy) throw new Error(`${APP} emits no ValidatingAdmissionPolicy that matches ConfigMap ${pinned?.metadata?.name}; it should (protectPinnedValues)`);
  });

  /** The policy once kube-controller-manager's status controller has type-checked its current generation. */
  const typeChecked = (policyName: string) => pollUntil(`status.typeChecking of ValidatingAdmissionPolicy ${policyName}`, 120_000, async () => {
    const p = await app.server.getJson('validatingadmissionpolicy', policyName);
    return p?.status?.typeChecking && p.status.observedGeneration === p.metadata.generation ? p : undefined;
  }, { intervalMs: 500, abort: () => app.server.crashed });

  /** Applies a policy of our own and returns its type-checking warnings. */
  async function typeCheck(manifest: string): Promise<unknown[]> {
    const file = path.join(app.server.dir, 'type-check-control.yaml');
    fs.writeFileSync(file, manifest);
    await app.server.kubectlOk('apply the type-check control policy', ['apply', '--server-side', '-f', file]);
    const name = /name: (\S+)/.exec(manifest)![1];
    return (await typeChecked(name)).status.typeChecking.expressionWarnings ?? [];
  }

  test('is type-checked without warnings and denies a delete (bounded wait until it is active)', async () => {
    // kube-controller-manager's status controller type-checks the CEL against the ConfigMap schema.
    const stored = await typeChecked(policy.metadata.name);
    expect(stored.status.typeChecking.expressionWarnings ?? []).toEqual([]);
    // The check is not vacuous: a policy (without binding, so it never runs) that compares a
    // ConfigMap data value, a string, with a number gets a warning from the same controller.
    const control = await typeCheck(CONTROL_POLICY);
    expect(JSON.stringify(control)).toContain('no matching overload');

    // The admission plugin picks policies and bindings up from informers, a moment after they are stored.
    const denied = await pollUntil('the policy to deny a dry-run delete', 60_000, async () => {
      const result = await app.server.kubectl(deleteArgs('--dry-run=server'));
      return result.code !== 0 && result.stderr.includes(message()) ? result : undefined;
    }, { intervalMs: 500, abort: () => app.server.crashed });
    expect(denied.stderr).toContain(`ValidatingAdmissionPolicy '${policy.metadata.name}'`);
  });

  test('denies kubectl delete with the policy message', async () => {
    const result = await app.server.kubectl(deleteArgs());
    console.log(`kubectl delete configmap ${name()} -n ${ns()} (no annotation) exited with ${result.code}:\n${result.stderr.trim()}`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message());
    expect(await app.server.getJson('configmap', name(), ns())).toBeDefined();
  });

  test('denies the delete of a whole collection that holds it (kubectl delete configmap --all, by label, or one deletecollection request), as the delete of it by name', async () => {
    // kubectl deletes what --all and -l list one by one; --raw sends the API's one DELETE of the collection (deletecollection).
    for (const args of [['configmap', '-n', ns(), '--all'], ['configmap', '-n', ns(), '-l', 'app.kubernetes.io/managed-by=cdk8s-temporal'],
      ['--raw', `/api/v1/namespaces/${ns()}/configmaps`]]) {
      const result = await app.server.kubectl(['delete', ...args]);
      console.log(`kubectl delete ${args.join(' ')} exited with ${result.code}:\n${result.stderr.trim()}`);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(message());
      expect(await app.server.getJson('configmap', name(), ns())).toBeDefined();
    }
    // What the collection delete removed besides the pinned ConfigMap comes back with the app.
    await deploy(app.server, app.base, `apply ${APP} again`);
  });

  test(`allows the delete once the ConfigMap is annotated ${BREAK_GLASS}="true" (and only "true")`, async () => {
    // Metadata of an immutable ConfigMap can still change; only data and binaryData cannot.
    await app.server.kubectlOk('annotate break-glass=false', ['annotate', 'configmap', name(), '-n', ns(), `${BREAK_GLASS}=false`]);
    const stillDenied = await app.server.kubectl(deleteArgs());
    expect(stillDenied.code).not.toBe(0);
    expect(stillDenied.stderr).toContain(message());

    await app.server.kubectlOk('annotate break-glass=true', ['annotate', '--overwrite', 'configmap', name(), '-n', ns(), `${BREAK_GLASS}=true`]);
    await app.server.kubectlOk(`delete the annotated ConfigMap ${name()}`, deleteArgs());
    expect(await app.server.getJson('configmap', name(), ns())).toBeUndefined();

    // The Deployment policy's CREATE binding reads the pinned ConfigMap as its release record
    // (parameterNotFoundAction: Deny): without it, no Deployment of the cluster is created (none of its
    // pods could start anyway). Its UPDATE binding reads no param, so an update (a finalizer the garbage
    // collector removes during a teardown, a restart) still passes.
    const history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    await app.server.kubectlOk('annotate the history Deployment without the pinned ConfigMap', ['annotate', '--overwrite', 'deployment', history.metadata.name, '-n', ns(), 'kube-test/touched=1']);
    const file = path.join(app.server.dir, 'history-recreated.json');
    fs.writeFileSync(file, JSON.stringify({ ...history, metadata: { ...history.metadata, name: `${history.metadata.name}-again` } }));
    const create = await app.server.kubectl(['create', '--dry-run=server', '-f', file]);
    console.log(`kubectl create of a history Deployment without the pinned ConfigMap exited with ${create.code}:\n${create.stderr.trim()}`);
    expect([create.code, create.stderr]).toEqual([1, expect.stringContaining('no params found for policy binding with `Deny` parameterNotFoundAction')]);
    // The next apply of the manifests writes the pinned ConfigMap before the Deployments, and all of it lands.
    await deploy(app.server, app.base, `apply ${APP} after the pinned ConfigMap was deleted`);
    expect((await app.server.getJson('configmap', name(), ns())).data).toEqual(pinned.data);
  });
});

/** The workload policy of the app (Deployments and every other kind of workload), once the API server has type-checked it, which must find nothing to warn about. */
const typeCheckedEnvPolicy = () => typeCheckedPolicy('-env-guard');

/** The start of the env rule's message for `kind` `name` of the app's cluster. */
const envMessage = (kind: string, name: string) => `${kind} ${name} of Temporal cluster ${pinned.metadata.namespace}/temporal sets a value it can never change`;

/** The app's policy whose name ends with `suffix`, once the API server has type-checked it, which must find nothing to warn about. */
async function typeCheckedPolicy(suffix: string): Promise<any> {
  const envPolicy = objectsOfKind(app.base.objects, 'ValidatingAdmissionPolicy').find((p) => p.metadata.name.endsWith(suffix));
  if (!envPolicy) throw new Error(`${APP} emits no policy named *${suffix}; it should (protectPinnedValues)`);
  const stored = await pollUntil(`status.typeChecking of ${envPolicy.metadata.name}`, 120_000, async () => {
    const p = await app.server.getJson('validatingadmissionpolicy', envPolicy.metadata.name);
    return p?.status?.typeChecking && p.status.observedGeneration === p.metadata.generation ? p : undefined;
  }, { intervalMs: 500, abort: () => app.server.crashed });
  expect(stored.status.typeChecking.expressionWarnings ?? []).toEqual([]);
  return envPolicy;
}

describe('the ValidatingAdmissionPolicy that guards the servers\' pinned env', () => {
  test('is type-checked without warnings and denies a Deployment that sets a pinned value as a literal', async () => {
    const envPolicy = await typeCheckedEnvPolicy();

    const history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    const tampered = JSON.parse(JSON.stringify(history));
    const container = tampered.spec.template.spec.containers[0];
    container.env = container.env.map((e: any) => (e.name === 'TEMPORAL_NUM_HISTORY_SHARDS' ? { name: e.name, value: '1024' } : e));
    const file = path.join(app.server.dir, 'tampered-history.json');
    fs.writeFileSync(file, JSON.stringify(tampered));
    // The message starts from the policy's variable `subject`, the object's kind and name, which the API server evaluates for it.
    expect(envPolicy.spec.validations[0].messageExpression).toMatch(/^variables\.subject \+ /);
    expect(envPolicy.spec.variables.find((v: any) => v.name === 'subject').expression).toContain("request.kind.kind + ' ' + object.metadata.name");
    const message = envMessage('Deployment', history.metadata.name);
    const denied = await pollUntil('the env guard to deny the tampered Deployment', 60_000, async () => {
      const result = await app.server.kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
      return result.code !== 0 && result.stderr.includes(message) ? result : undefined;
    }, { intervalMs: 500, abort: () => app.server.crashed });
    console.log(`kubectl apply of a history Deployment with TEMPORAL_NUM_HISTORY_SHARDS=1024 exited with ${denied.code}:\n${denied.stderr.trim()}`);
    const storedHistory = await app.server.getJson('deployment', history.metadata.name, history.metadata.namespace);
    expect(storedHistory.spec.template.spec.containers[0].env).toContainEqual(
      { name: 'TEMPORAL_NUM_HISTORY_SHARDS', valueFrom: { configMapKeyRef: { name: pinned.metadata.name, key: 'numHistoryShards' } } });
  });
});

describe('a Deployment of the cluster whose own labels were rewritten', () => {
  test('is still guarded (kubectl set env of a literal shard count is denied): its pods are the cluster\'s, and the policy reads their labels', async () => {
    await typeCheckedEnvPolicy();
    const history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    const target = ['deployment', history.metadata.name, '-n', history.metadata.namespace];
    // What a kustomize `labels` entry (metadata only, its default) or a chart wrapping the manifests does to the Deployment.
    await app.server.kubectlOk('relabel the history Deployment', ['label', '--overwrite', ...target, 'app.kubernetes.io/name=temporal-platform']);
    try {
      const result = await app.server.kubectl(['set', 'env', ...target, 'TEMPORAL_NUM_HISTORY_SHARDS=1024']);
      console.log(`kubectl set env TEMPORAL_NUM_HISTORY_SHARDS=1024 on the relabelled history Deployment exited with ${result.code}:\n${result.stderr.trim()}`);
      expect([result.code, result.stderr]).toEqual([1, expect.stringContaining(envMessage('Deployment', history.metadata.name))]);
      const stored = await app.server.getJson('deployment', history.metadata.name, history.metadata.namespace);
      expect(stored.spec.template.spec.containers[0].env).toContainEqual(
        { name: 'TEMPORAL_NUM_HISTORY_SHARDS', valueFrom: { configMapKeyRef: { name: pinned.metadata.name, key: 'numHistoryShards' } } });
    } finally {
      await app.server.kubectlOk('restore the history Deployment\'s label', ['label', '--overwrite', ...target, 'app.kubernetes.io/name=temporal']);
    }
  });
});

describe('a Deployment or Pod of the cluster whose pod labels kustomize\'s commonLabels rewrote', () => {
  test('is still guarded: the policies also know the cluster\'s pods by the ConfigMaps they use, which no label transformer renames', async () => {
    await typeCheckedEnvPolicy();
    const history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    const kustomized = JSON.parse(JSON.stringify(history));
    kustomized.metadata.name = `${history.metadata.name}-kustomized`;
    for (const labels of [kustomized.metadata.labels, kustomized.spec.selector.matchLabels, kustomized.spec.template.metadata.labels]) labels['app.kubernetes.io/instance'] = 'prod';
    const write = (name: string, object: unknown) => {
      const file = path.join(app.server.dir, name);
      fs.writeFileSync(file, JSON.stringify(object));
      return file;
    };
    const own = await app.server.kubectl(['create', '--dry-run=server', '-f', write('kustomized.json', kustomized)]);
    if (own.code !== 0) throw new Error(app.server.failure('create the kustomized history Deployment', ['create', '--dry-run=server'], own));
    const container = kustomized.spec.template.spec.containers[0];
    container.env = container.env.map((e: any) => (e.name === 'TEMPORAL_NUM_HISTORY_SHARDS' ? { name: e.name, value: '1024' } : e));
    const denied = await app.server.kubectl(['create', '--dry-run=server', '-f', write('kustomized-shards.json', kustomized)]);
    console.log(`kubectl create of a history Deployment relabelled instance=prod with TEMPORAL_NUM_HISTORY_SHARDS=1024 exited with ${denied.code}:\n${denied.stderr.trim()}`);
    expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining(envMessage('Deployment', kustomized.metadata.name))]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...kustomized.spec.template.metadata, name: 'kustomized-pod', namespace: history.metadata.namespace }, spec: kustomized.spec.template.spec };
    const deniedPod = await app.server.kubectl(['create', '--dry-run=server', '-f', write('kustomized-pod.json', pod)]);
    expect([deniedPod.code, deniedPod.stderr]).toEqual([1, expect.stringContaining(envMessage('Pod', 'kustomized-pod'))]);
  });
});

describe('the ValidatingAdmissionPolicy that guards the server config', () => {
  test('is type-checked without warnings, denies a server config that sets a pinned value itself, and lets any other change through', async () => {
    const configPolicy = await typeCheckedPolicy('-config-guard');
    const config = objectsOfKind(app.base.objects, 'ConfigMap').find((c) => c.metadata.name === 'temporal-config');
    const file = 'config.yaml';
    const text = config.data[file] as string;
    /** Applies the server config with `edit` made to its file (server-side, taking the fields over, as a tool that owns them would). */
    const applyConfig = async (edit: (t: string) => string, restore = false) => {
      const edited = edit(text);
      if (edited === text && !restore) throw new Error('the edit changed nothing in the server config');
      const out = path.join(app.server.dir, 'server-config.json');
      fs.writeFileSync(out, JSON.stringify({ ...config, data: { [file]: edited } }));
      return app.server.kubectl(['apply', '--server-side', '--force-conflicts', '-f', out]);
    };
    const message = configPolicy.spec.validations[0].message as string;
    const templated = 'numHistoryShards: {{ env "TEMPORAL_NUM_HISTORY_SHARDS" }}';
    expect(text).toContain(templated);
    // A shard count pasted from a Temporal sample config over the template line.
    const denied = await pollUntil('the config guard to deny a literal shard count', 60_000, async () => {
      const result = await applyConfig((t) => t.replace(templated, 'numHistoryShards: 4'));
      return result.code !== 0 && result.stderr.includes(message) ? result : undefined;
    }, { intervalMs: 500, abort: () => app.server.crashed });
    console.log(`kubectl apply of the server config with numHistoryShards: 4 exited with ${denied.code}:\n${denied.stderr.trim()}`);
    const edits: Array<[string, (t: string) => string]> = [
      ['a second numHistoryShards line after the template', (t) => t.replace(templated, `${templated}\n  numHistoryShards: 4`)],
      ['a literal failover increment', (t) => t.replace('failoverVersionIncrement: {{ env "TEMPORAL_FAILOVER_VERSION_INCREMENT" }}', 'failoverVersionIncrement: 100')],
      ['a literal cluster name', (t) => t.replace('currentClusterName: {{ env "TEMPORAL_CURRENT_CLUSTER_NAME" | quote }}', 'currentClusterName: "renamed"')],
    ];
    for (const [what, edit] of edits) {
      const result = await applyConfig(edit);
      expect([what, result.code, result.stderr]).toEqual([what, 1, expect.stringContaining(message)]);
    }
    // A merge patch (kubectl patch, what an edit sends) of the whole file is admitted alike.
    const patched = await app.server.kubectl(['patch', 'configmap', config.metadata.name, '-n', config.metadata.namespace, '--type=merge',
      '-p', JSON.stringify({ data: { [file]: text.replace(templated, 'numHistoryShards: 4') } })]);
    expect([patched.code, patched.stderr]).toEqual([1, expect.stringContaining(message)]);
    expect((await app.server.getJson('configmap', config.metadata.name, config.metadata.namespace)).data[file]).toBe(text);

    // Any other change (a log level) goes through; the app's own config comes back with the next apply.
    const other = await applyConfig((t) => t.replace('level: info', 'level: debug'));
    if (other.code !== 0) throw new Error(app.server.failure('apply the server config with another log level', ['apply', '--server-side', '-f', '<config>'], other));
    await applyConfig((t) => t, true);
    expect((await app.server.getJson('configmap', config.metadata.name, config.metadata.namespace)).data[file]).toBe(text);
  });
});

describe('the release rule of the same policy', () => {
  test('is type-checked, lets a Deployment move one minor up or to any patch, and denies a skipped minor, a minor downgrade and a dropped release label unless broken glass', async () => {
    await typeCheckedEnvPolicy();

    const history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    const running = history.metadata.labels['app.kubernetes.io/version'] as string;
    const [major, minor] = running.split('.').map(Number);
    /**
     * Applies the history Deployment with its release label set to `release` (undefined drops it) and its images' tag to `image`
     * (by default the release, as a change of version does); returns kubectl's result.
     */
    const applyRelease = async (release: string | undefined, annotations?: Record<string, string>, image = release) => {
      const changed = JSON.parse(JSON.stringify(history));
      // On the Deployment and its pods, as a change of version writes it (the policy denies a Deployment whose pods say another release).
      for (const labels of [changed.metadata.labels, changed.spec.template.metadata.labels]) {
        if (release === undefined) delete labels['app.kubernetes.io/version'];
        else labels['app.kubernetes.io/version'] = release;
      }
      for (const c of [...changed.spec.template.spec.containers, ...(changed.spec.template.spec.initContainers ?? [])]) {
        if (image !== undefined) c.image = c.image.replace(`:${running}`, `:${image}`);
      }
      if (annotations) changed.metadata.annotations = { ...(changed.metadata.annotations ?? {}), ...annotations };
      const file = path.join(app.server.dir, 'history-release.json');
      fs.writeFileSync(file, JSON.stringify(changed));
      return app.server.kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
    };
    const storedRelease = async () => (await app.server.getJson('deployment', history.metadata.name, history.metadata.namespace)).metadata.labels?.['app.kubernetes.io/version'];

    // The policy takes effect when the API server has loaded it: poll on the first denial.
    const skip = `${major}.${minor + 2}.0`;
    const denied = await pollUntil('the release rule to deny a skipped minor', 60_000, async () => {
      const result = await applyRelease(skip);
      return result.code !== 0 && result.stderr.includes(`runs release ${running} and this update says ${skip}.`) ? result : undefined;
    }, { intervalMs: 500, abort: () => app.server.crashed });
    console.log(`kubectl apply of the history Deployment from ${running} to ${skip} exited with ${denied.code}:\n${denied.stderr.trim()}`);
    expect(await storedRelease()).toBe(running);

    for (const [release, says] of [[`${major}.${minor - 1}.9`, `${major}.${minor - 1}.9`], [undefined, 'no release (no label app.kubernetes.io/version)']] as const) {
      const result = await applyRelease(release);
      expect([release, result.code, result.stderr]).toEqual([release, 1, expect.stringContaining(`this update says ${says}.`)]);
      expect(await storedRelease()).toBe(running);
    }
    const next = `${major}.${minor + 1}.0`;
    for (const release of [`${major}.${minor}.0`, running, next]) {
      const result = await applyRelease(release);
      if (result.code !== 0) throw new Error(app.server.failure(`apply release ${release} over ${await storedRelease()}`, ['apply', '--server-side', '-f', '<history>'], result));
      expect(await storedRelease()).toBe(release);
    }
    // kubectl set image past the label: the image rule reads the tag the containers run.
    const skipped = await applyRelease(next, undefined, `${major}.${minor + 2}.0`);
    expect([skipped.code, skipped.stderr]).toEqual([1, expect.stringContaining(`is labelled release ${next} but its containers run temporalio/server:${major}.${minor + 2}.0`)]);
    // The release behind a prefix and a dot, upper case: Kubernetes' findAll reads it as the synth check does.
    const embedded = await applyRelease(next, undefined, `myorg.V${major}.${minor + 2}.0`);
    expect([embedded.code, embedded.stderr]).toEqual([1, expect.stringContaining(`is labelled release ${next} but its containers run temporalio/server:myorg.V${major}.${minor + 2}.0`)]);
    expect(await storedRelease()).toBe(next);
    // Back to the release the rest of the app runs: a minor downgrade, so only through break-glass, which names the image's tag.
    expect((await applyRelease(running)).code).toBe(1);
    expect((await applyRelease(running, { [BREAK_GLASS]: 'true' })).code).toBe(1);
    const back = await applyRelease(running, { [BREAK_GLASS]: running });
    if (back.code !== 0) throw new Error(app.server.failure(`apply release ${running} over ${next} with break-glass`, ['apply', '--server-side', '-f', '<history>'], back));
    expect(await storedRelease()).toBe(running);

    // An annotation left behind (kubectl annotate is a field manager of its own, which no apply of the
    // manifests removes) lets no later skip through: "true" turned the rules off for good.
    const target = ['deployment', history.metadata.name, '-n', history.metadata.namespace];
    for (const leftover of ['true', running]) {
      await app.server.kubectlOk(`annotate ${BREAK_GLASS}=${leftover}`, ['annotate', '--overwrite', ...target, `${BREAK_GLASS}=${leftover}`]);
      const later = await applyRelease(skip);
      console.log(`kubectl apply of release ${skip} over ${running} with ${BREAK_GLASS}=${leftover} left on the Deployment exited with ${later.code}:\n${later.stderr.trim()}`);
      expect([leftover, later.code, later.stderr]).toEqual([leftover, 1, expect.stringContaining(`runs release ${running} and this update says ${skip}.`)]);
      const setImage = await app.server.kubectl(['set', 'image', ...target, `temporal=temporalio/server:${skip}`]);
      expect([leftover, setImage.code, setImage.stderr]).toEqual([leftover, 1, expect.stringContaining(`is labelled release ${running} but its containers run temporalio/server:${skip}`)]);
      expect(await storedRelease()).toBe(running);
    }
    await app.server.kubectlOk(`remove ${BREAK_GLASS}`, ['annotate', ...target, `${BREAK_GLASS}-`]);
  });
});

describe('the image rule reads a release in underscores, in hyphens and in the repository path, as the synth check does', () => {
  test('kubectl set image to another minor so written is denied; the registry host\'s digits, a date and the release in the path are not another release', async () => {
    await typeCheckedEnvPolicy();
    const history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    const running = history.metadata.labels['app.kubernetes.io/version'] as string;
    const [major, minor] = running.split('.').map(Number);
    const target = ['deployment', history.metadata.name, '-n', history.metadata.namespace];
    const image = () => app.server.getJson('deployment', history.metadata.name, history.metadata.namespace).then((d) => d.spec.template.spec.containers[0].image);
    const original = await image();
    const skip = [major, minor + 2, 0];
    for (const [reference, named] of [[`temporalio/server:${skip.join('_')}`, `temporalio/server:${skip.join('_')}`], [`temporalio/server:v${skip.join('-')}`, `temporalio/server:v${skip.join('-')}`],
      [`registry.example.com:5000/${skip.join('.')}/server:fips`, `${skip.join('.')}/server:fips`], [`temporalio/server-${skip.join('.')}:${running}`, `temporalio/server-${skip.join('.')}:${running}`]]) {
      const denied = await app.server.kubectl(['set', 'image', ...target, `temporal=${reference}`]);
      console.log(`kubectl set image temporal=${reference} on the history Deployment labelled ${running} exited with ${denied.code}:\n${denied.stderr.trim()}`);
      expect([reference, denied.code, denied.stderr]).toEqual([reference, 1, expect.stringContaining(`is labelled release ${running} but its containers run ${named}.`)]);
      expect(await image()).toBe(original);
    }
    for (const reference of [`10.1.2.3:5000/temporalio/server:${running}`, `temporalio/server:${running}-2024-01-15`, `registry.example.com/${running}/server:fips`]) {
      await app.server.kubectlOk(`set image temporal=${reference}`, ['set', 'image', ...target, `temporal=${reference}`]);
      expect(await image()).toBe(reference);
    }
    await app.server.kubectlOk('set the history image back', ['set', 'image', ...target, `temporal=${original}`]);
  });
});

describe('the workload policy: every other kind whose pods carry the cluster\'s labels', () => {
  const KINDS = ['Pod', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;
  let history: any;
  let running: string;
  let major: number;
  let minor: number;
  const ns = () => pinned.metadata.namespace;

  /** A `kind` named `name` whose pods are the history Deployment's template, `edit`ed, with `metadata` of its own; a Pod is the pod itself. */
  const workload = (kind: string, name: string, edit: (pod: any) => void = () => undefined, metadata: Record<string, unknown> = {}) => {
    const pod = JSON.parse(JSON.stringify(history.spec.template));
    edit(pod);
    const meta = { name, namespace: ns(), ...metadata };
    const selector = { matchLabels: pod.metadata.labels };
    if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { ...pod.metadata, ...meta }, spec: pod.spec };
    // A Job's pods restart Never or OnFailure, which validation requires before admission runs.
    const jobPod = { ...pod, spec: { ...pod.spec, restartPolicy: 'Never' } };
    if (kind === 'Job') return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { template: jobPod } };
    if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { schedule: '@hourly', jobTemplate: { spec: { template: jobPod } } } };
    return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector, template: pod } };
  };
  const literalShards = (pod: any) => {
    pod.spec.containers[0].env = pod.spec.containers[0].env.map((e: any) => (e.name === 'TEMPORAL_NUM_HISTORY_SHARDS' ? { name: e.name, value: '4' } : e));
  };
  const atRelease = (release: string) => (pod: any) => {
    pod.metadata.labels['app.kubernetes.io/version'] = release;
    for (const c of pod.spec.containers) c.image = c.image.replace(`:${running}`, `:${release}`);
  };
  /** Creates `object` (dry run unless told), as the admin or, impersonated, as `as` (kubectl's --as and --as-group flags). */
  const create = (object: any, dryRun = true, as: string[] = []) => {
    const file = path.join(app.server.dir, `workload-${object.kind}-${object.metadata.name}.json`);
    fs.writeFileSync(file, JSON.stringify(object));
    return app.server.kubectl(['create', ...(dryRun ? ['--dry-run=server'] : []), ...as, '-f', file]);
  };
  /** kube-controller-manager's controller `name` with --use-service-account-credentials: its ServiceAccount in kube-system, which the bootstrap RBAC lets do its work. */
  const asController = (name: string) => [`--as=system:serviceaccount:kube-system:${name}`];

  beforeAll(async () => {
    history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    running = history.metadata.labels['app.kubernetes.io/version'];
    [major, minor] = running.split('.').map(Number);
    // Type-checked against every kind's schema without a warning: dyn keeps a Pod's lack of spec.template from being one.
    await typeCheckedEnvPolicy();
  });

  test('denies a Pod, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob of the cluster that sets the shard count as a literal, or joins two minors past the record; lets the cluster\'s own template through', async () => {
    const first = await pollUntil('the workload policy to deny a bare Pod with a literal shard count', 60_000, async () => {
      const result = await create(workload('Pod', 'bare-shards', literalShards));
      return result.code !== 0 && result.stderr.includes(envMessage('Pod', 'bare-shards')) ? result : undefined;
    }, { intervalMs: 500, abort: () => app.server.crashed });
    console.log(`kubectl create of a bare Pod with the cluster's labels and TEMPORAL_NUM_HISTORY_SHARDS=4 exited with ${first.code}:\n${first.stderr.trim()}`);
    const skip = `${major}.${minor + 2}.0`;
    for (const kind of KINDS) {
      const shards = await create(workload(kind, `${kind.toLowerCase()}-shards`, literalShards));
      expect([kind, shards.code, shards.stderr]).toEqual([kind, 1, expect.stringContaining(envMessage(kind, `${kind.toLowerCase()}-shards`))]);
      const ahead = await create(workload(kind, `${kind.toLowerCase()}-ahead`, atRelease(skip)));
      expect([kind, ahead.code, ahead.stderr]).toEqual([kind, 1, expect.stringContaining(`of Temporal cluster ${ns()}/temporal is created where ConfigMap ${pinned.metadata.name} records release ${running} and this update says ${skip}.`)]);
      const image = await create(workload(kind, `${kind.toLowerCase()}-image`, (pod) => { pod.spec.containers[0].image = `temporalio/server:${major}_${minor + 2}_0`; }));
      expect([kind, image.code, image.stderr]).toEqual([kind, 1, expect.stringContaining(`is labelled release ${running} but its containers run temporalio/server:${major}_${minor + 2}_0.`)]);
      const own = await create(workload(kind, `${kind.toLowerCase()}-own`));
      if (own.code !== 0) throw new Error(app.server.failure(`create a ${kind} of the cluster's own pod template`, ['create', '--dry-run=server'], own));
    }
  });

  test('the pods a ReplicaSet of the cluster creates pass, at any release its admitted owner runs; updates that leave the containers alone pass; kubectl set image on one is held to the image rule', async () => {
    // No kube-controller-manager controller but the policy status one runs here: the ReplicaSet and its pods are created as the
    // Deployment and ReplicaSet controllers would, with controller references to their owners, under their usernames (impersonated).
    const deployment = await app.server.getJson('deployment', history.metadata.name, ns());
    const hash = 'kubetest1';
    const owner = (kind: string, o: any) => ({ ownerReferences: [{ apiVersion: o.apiVersion, kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }] });
    const withHash = (pod: any) => { pod.metadata.labels['pod-template-hash'] = hash; };
    const rs = workload('ReplicaSet', `${history.metadata.name}-${hash}`, withHash, { labels: { ...history.spec.template.metadata.labels, 'pod-template-hash': hash }, ...owner('Deployment', deployment) });
    (rs.spec as any).replicas = 1;
    const createdRs = await create(rs, false, asController('deployment-controller'));
    if (createdRs.code !== 0) throw new Error(app.server.failure('create the history ReplicaSet as the Deployment controller would', ['create', '-f', '<rs>'], createdRs));
    const storedRs = await app.server.getJson('replicaset', rs.metadata.name, ns());
    // Its pod, from its template; and one a minor past the record, as a Deployment let through by break-glass makes: by the
    // ReplicaSet controller's ServiceAccount, and by kube-controller-manager's own user (without --use-service-account-credentials).
    const ahead = (pod: any) => { withHash(pod); atRelease(`${major}.${minor + 2}.0`)(pod); };
    for (const [name, edit, as] of [[`${rs.metadata.name}-a`, withHash, asController('replicaset-controller')],
      [`${rs.metadata.name}-b`, ahead, ['--as=system:kube-controller-manager', '--as-group=system:masters']]] as const) {
      const pod = await create(workload('Pod', name, edit, owner('ReplicaSet', storedRs)), false, [...as]);
      if (pod.code !== 0) throw new Error(app.server.failure(`create pod ${name} as the ReplicaSet controller would`, ['create', '-f', '<pod>'], pod));
      expect((await app.server.getJson('pod', name, ns())).metadata.ownerReferences[0].uid).toBe(storedRs.metadata.uid);
    }
    // A scale of the ReplicaSet, a label on the pod: nothing that runs changes.
    await app.server.kubectlOk('scale the ReplicaSet', ['scale', 'replicaset', rs.metadata.name, '-n', ns(), '--replicas=2']);
    await app.server.kubectlOk('annotate the pod a minor ahead', ['annotate', 'pod', `${rs.metadata.name}-b`, '-n', ns(), 'kube-test/touched=1']);
    const setImage = await app.server.kubectl(['set', 'image', 'pod', `${rs.metadata.name}-a`, '-n', ns(), `temporal=temporalio/server:${major}.${minor + 2}.0`]);
    expect([setImage.code, setImage.stderr]).toEqual([1, expect.stringContaining(`Pod ${rs.metadata.name}-a of Temporal cluster ${ns()}/temporal is labelled release ${running} but its containers run temporalio/server:${major}.${minor + 2}.0.`)]);
    // A pod of the same labels that no ReplicaSet owns, a minor past the record: denied.
    const bare = await create(workload('Pod', `${rs.metadata.name}-c`, ahead));
    expect([bare.code, bare.stderr]).toEqual([1, expect.stringContaining(`Pod ${rs.metadata.name}-c of Temporal cluster ${ns()}/temporal is created where ConfigMap ${pinned.metadata.name} records release`)]);
    // The same pod with a hand-forged controller reference to the stored ReplicaSet (its real uid), by anyone but the ReplicaSet
    // controller: the admin, the Deployment controller (which makes ReplicaSets, not pods; in system:masters here, so that RBAC lets
    // the request reach admission), a look-alike ServiceAccount elsewhere.
    for (const as of [[], [...asController('deployment-controller'), '--as-group=system:masters'], ['--as=system:serviceaccount:default:replicaset-controller', '--as-group=system:masters']]) {
      const forged = await create(workload('Pod', `${rs.metadata.name}-d`, ahead, owner('ReplicaSet', storedRs)), true, as);
      console.log(`kubectl create ${as.join(' ')} of a pod two minors ahead with a forged controller reference to ReplicaSet ${rs.metadata.name} exited with ${forged.code}:\n${forged.stderr.trim()}`);
      expect([as, forged.code, forged.stderr]).toEqual([as, 1, expect.stringContaining(`Pod ${rs.metadata.name}-d of Temporal cluster ${ns()}/temporal is created where ConfigMap ${pinned.metadata.name} records release ${running} and this update says ${major}.${minor + 2}.0.`)]);
    }
    const forgedRs = await create({ ...workload('ReplicaSet', `${history.metadata.name}-forged`, ahead), metadata: { ...rs.metadata, name: `${history.metadata.name}-forged` } }, true);
    expect([forgedRs.code, forgedRs.stderr]).toEqual([1, expect.stringContaining(`ReplicaSet ${history.metadata.name}-forged of Temporal cluster ${ns()}/temporal is created where ConfigMap`)]);

    // kubectl debug (the pods/ephemeralcontainers subresource, served without a kubelet): the env and image rules hold for the
    // ephemeral container; a busybox to debug with passes.
    const debug = (container: string, ...args: string[]) => app.server.kubectl(['debug', '-n', ns(), `pod/${rs.metadata.name}-a`, `--container=${container}`, ...args]);
    const ephemeral = async () => ((await app.server.getJson('pod', `${rs.metadata.name}-a`, ns())).spec.ephemeralContainers ?? []).map((c: any) => c.name);
    const shards = await debug('shards', '--image=busybox:1.36.1', '--env=TEMPORAL_NUM_HISTORY_SHARDS=4', '--', 'sleep', '1');
    console.log(`kubectl debug with TEMPORAL_NUM_HISTORY_SHARDS=4 on a pod of the cluster exited with ${shards.code}:\n${shards.stderr.trim()}`);
    expect([shards.code, shards.stderr]).toEqual([1, expect.stringContaining(`Pod ${rs.metadata.name}-a of Temporal cluster ${ns()}/temporal sets a value it can never change`)]);
    const server2 = history.spec.template.spec.containers[0].image.replace(`:${running}`, `:${major}.${minor + 2}.0`);
    const skip = await debug('skip', `--image=${server2}`);
    expect([skip.code, skip.stderr]).toEqual([1, expect.stringContaining(`is labelled release ${running} but its containers run ${server2.replace(/^[^/]*[.:][^/]*\//, '')}.`)]);
    expect(await ephemeral()).toEqual([]);
    await app.server.kubectlOk('kubectl debug with busybox', ['debug', '-n', ns(), `pod/${rs.metadata.name}-a`, '--container=busybox', '--image=busybox:1.36.1', '--env=DEBUG=1', '--', 'sleep', '1']);
    expect(await ephemeral()).toEqual(['busybox']);

    await app.server.kubectlOk('delete the pods', ['delete', 'pod', '-n', ns(), `${rs.metadata.name}-a`, `${rs.metadata.name}-b`, '--wait=false']);
    await app.server.kubectlOk('delete the ReplicaSet', ['delete', 'replicaset', '-n', ns(), rs.metadata.name, '--wait=false']);
  });
});

describe('the release record: the pinned ConfigMap\'s release label, which a created Deployment is held to', () => {
  const label = 'app.kubernetes.io/version';
  let history: any;
  let running: string;
  let major: number;
  let minor: number;
  const ns = () => pinned.metadata.namespace;
  const historyTarget = () => ['deployment', history.metadata.name, '-n', ns()];
  /** The history Deployment of the app at `release` (its and its pods' label, and image tags), with `annotations`, written to a file. */
  const historyAt = (release: string, annotations?: Record<string, string>) => {
    const d = JSON.parse(JSON.stringify(history));
    d.metadata.labels[label] = release;
    d.spec.template.metadata.labels[label] = release;
    for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) c.image = c.image.replace(`:${running}`, `:${release}`);
    if (annotations) d.metadata.annotations = { ...(d.metadata.annotations ?? {}), ...annotations };
    const file = path.join(app.server.dir, `history-${release}.json`);
    fs.writeFileSync(file, JSON.stringify(d));
    return file;
  };
  const storedHistory = () => app.server.getJson('deployment', history.metadata.name, ns());
  const record = async () => (await app.server.getJson('configmap', pinned.metadata.name, ns())).metadata.labels?.[label];
  const recordMessage = (from: string, to: string) => `ConfigMap ${pinned.metadata.name} records release ${from} of Temporal cluster ${ns()}/temporal and this update says ${to}.`;
  const createdMessage = (to: string) => `Deployment ${history.metadata.name} of Temporal cluster ${ns()}/temporal is created where ConfigMap ${pinned.metadata.name} records release ${running} and this update says ${to}.`;
  const relabelRecord = (release: string) => app.server.kubectl(['label', '--overwrite', 'configmap', pinned.metadata.name, '-n', ns(), `${label}=${release}`]);

  beforeAll(async () => {
    history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
    running = history.metadata.labels[label];
    [major, minor] = running.split('.').map(Number);
    expect(pinned.metadata.labels[label]).toBe(running);
    // Both policies type-check against the real schemas (params as a ConfigMap), without a warning.
    await typeCheckedEnvPolicy();
    await typeCheckedPolicy('-pinned-guard');
  });

  test('kubectl delete deployment, then an apply two minors ahead, is denied; one minor ahead (or the record\'s own minor) passes; break-glass lets a skip through', async () => {
    const skip = `${major}.${minor + 2}.0`;
    const next = `${major}.${minor + 1}.0`;
    await app.server.kubectlOk('delete the history Deployment', ['delete', ...historyTarget(), '--wait=false']);
    expect(await storedHistory()).toBeUndefined();
    const below = `${major}.${minor - 1}.9`;
    for (const [args, says] of [[['apply', '--server-side', '-f', historyAt(skip)], skip], [['create', '-f', historyAt(skip)], skip], [['apply', '-f', historyAt(below)], below]] as const) {
      const denied = await app.server.kubectl([...args]);
      console.log(`kubectl ${args[0]} of a new history Deployment at ${says} (record ${running}) exited with ${denied.code}:\n${denied.stderr.trim()}`);
      expect([args[0], denied.code, denied.stderr]).toEqual([args[0], 1, expect.stringContaining(createdMessage(says))]);
      expect(await storedHistory()).toBeUndefined();
    }
    await app.server.kubectlOk(`create the history Deployment at ${next}`, ['apply', '--server-side', '-f', historyAt(next)]);
    expect((await storedHistory()).metadata.labels[label]).toBe(next);
    // kubectl replace --force deletes and creates: back at the record's minor, which the record allows (the release rule alone would not: a downgrade).
    await app.server.kubectlOk(`replace --force the history Deployment at ${running}`, ['replace', '--force', '-f', historyAt(running)]);
    expect((await storedHistory()).metadata.labels[label]).toBe(running);
    const glass = await app.server.kubectl(['replace', '--force', '-f', historyAt(skip, { [BREAK_GLASS]: skip })]);
    if (glass.code !== 0) throw new Error(app.server.failure(`replace --force the history Deployment at ${skip} with break-glass`, ['replace', '--force'], glass));
    expect((await storedHistory()).metadata.labels[label]).toBe(skip);
    // Back to the app's own Deployment, by the same way round.
    await app.server.kubectlOk('delete the history Deployment again', ['delete', ...historyTarget(), '--wait=false']);
    await deploy(app.server, app.base, `apply ${APP} to restore the history Deployment`);
    expect((await storedHistory()).metadata.labels[label]).toBe(running);
  });

  test('the record moves one minor up at most and never down, break-glass naming the release aside; a Deployment deleted with the namespace\'s others is held to it', async () => {
    const skip = `${major}.${minor + 2}.0`;
    const next = `${major}.${minor + 1}.0`;
    for (const [release, says] of [[skip, skip], [`${major}.${minor - 1}.9`, `${major}.${minor - 1}.9`], [`${major + 1}.${minor}.0`, `${major + 1}.${minor}.0`]]) {
      const denied = await relabelRecord(release);
      console.log(`kubectl label configmap ${pinned.metadata.name} ${label}=${release} exited with ${denied.code}:\n${denied.stderr.trim()}`);
      expect([release, denied.code, denied.stderr]).toEqual([release, 1, expect.stringContaining(recordMessage(running, says))]);
    }
    const dropped = await app.server.kubectl(['label', 'configmap', pinned.metadata.name, '-n', ns(), `${label}-`]);
    expect([dropped.code, dropped.stderr]).toEqual([1, expect.stringContaining(recordMessage(running, ''))]);
    expect(await record()).toBe(running);
    // An apply of the output a minor ahead, in its own order (the record before the Deployments), moves both. The Jobs stay
    // out: a real upgrade renames them (a hash of their spec), which an edit of the release in the text cannot.
    const ahead = path.join(app.server.dir, 'ahead.json');
    const items = app.base.objects.filter((o) => o.kind !== 'Job').map((o) => JSON.parse(JSON.stringify(o).split(running).join(next)));
    fs.writeFileSync(ahead, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const applied = await app.server.kubectl(['apply', '--server-side', '--force-conflicts', '-f', ahead], 180_000);
    if (applied.code !== 0) throw new Error(app.server.failure(`apply ${APP} a minor ahead`, ['apply', '--server-side', '-f', ahead], applied));
    expect([await record(), (await storedHistory()).metadata.labels[label]]).toEqual([next, next]);
    // A delete of every Deployment in the namespace, then one two minors past the record: denied.
    await app.server.kubectlOk('delete every Deployment of the namespace', ['delete', 'deployments', '--all', '-n', ns(), '--wait=false']);
    const skipped = await app.server.kubectl(['create', '-f', historyAt(`${major}.${minor + 3}.0`)]);
    expect([skipped.code, skipped.stderr]).toEqual([1, expect.stringContaining(`records release ${next} and this update says ${major}.${minor + 3}.0.`)]);
    // Back down to the app's release: only through break-glass on the record, naming that release.
    expect((await relabelRecord(running)).code).toBe(1);
    await app.server.kubectlOk('annotate the record for break-glass', ['annotate', '--overwrite', 'configmap', pinned.metadata.name, '-n', ns(), `${BREAK_GLASS}=${running}`]);
    await app.server.kubectlOk(`label the record back to ${running} with break-glass`, ['label', '--overwrite', 'configmap', pinned.metadata.name, '-n', ns(), `${label}=${running}`]);
    await app.server.kubectlOk('remove the break-glass annotation', ['annotate', 'configmap', pinned.metadata.name, '-n', ns(), `${BREAK_GLASS}-`]);
    await deploy(app.server, app.base, `apply ${APP} at ${running} again`);
    expect([await record(), (await storedHistory()).metadata.labels[label]]).toEqual([running, running]);
  });
});

describe('a first install with the policies already in force', () => {
  test('passes in the output\'s own order (the record before the Deployments); a Deployment applied before its record is denied', async () => {
    // Another namespace: a cluster of its own, with its own policies, put in force before the rest of its output.
    const fresh = await synthEdited((src) => src.replace("namespace: 'temporal'", "namespace: 'fresh'"));
    const policies = fresh.objects.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'));
    expect(policies.map((p) => p.metadata.name)).toContain('fresh-temporal-pinned-env-guard');
    const policyFile = path.join(app.server.dir, 'fresh-policies.json');
    fs.writeFileSync(policyFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: policies }));
    await app.server.kubectlOk('create namespace fresh', ['create', 'namespace', 'fresh']);
    await app.server.kubectlOk('apply the fresh cluster\'s policies alone', ['apply', '--server-side', '-f', policyFile]);
    const frontend = fresh.objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'frontend');
    const frontendFile = path.join(app.server.dir, 'fresh-frontend.json');
    fs.writeFileSync(frontendFile, JSON.stringify(frontend));
    // The policy is in force once a Deployment without its record is denied.
    const denied = await pollUntil('the fresh env policy to deny a Deployment whose record is missing', 60_000, async () => {
      const result = await app.server.kubectl(['apply', '--server-side', '--dry-run=server', '-f', frontendFile]);
      return result.code !== 0 && result.stderr.includes('no params found') ? result : undefined;
    }, { intervalMs: 500, abort: () => app.server.crashed });
    console.log(`kubectl apply of the fresh frontend before its pinned ConfigMap exited with ${denied.code}:\n${denied.stderr.trim()}`);
    await deploy(app.server, fresh, 'first install of the fresh cluster, in the output\'s order');
    expect((await app.server.getJson('deployment', frontend.metadata.name, 'fresh')).metadata.labels['app.kubernetes.io/version']).toBe(frontend.metadata.labels['app.kubernetes.io/version']);
  });
});
