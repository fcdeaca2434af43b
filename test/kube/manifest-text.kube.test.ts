import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import fc from 'fast-check';
import { run } from './process';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { goYamlReadsAsNonString, manifestTextProblem } from '../../lib/validation';
import { stringifyDocuments } from '../../lib/yaml-output';
import { buildApp, clusterSpec } from '../support/app-generator';

/*
 * The props refuse text that kubectl would refuse or read as other text (lib/validation/manifest-text.ts).
 * Here the real kubectl reads what both writers (cdk8s's, which a user's own `app.synth()` uses,
 * and the library's faster one) make of every code point and of generated multi-line text: what
 * the check lets through must read back exactly, and what it refuses must really be refused or
 * changed by kubectl, so the check is neither short of kubectl's reader nor stricter than it.
 * `kubectl annotate --local` reads a file with kubectl's own YAML reader and needs no server.
 */

let kubectl: string;
let dir: string;

beforeAll(() => {
  kubectl = ensureKubeTools().kubectlBin;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-manifest-text-'));
}, TOOLS_TIMEOUT_MS);

afterAll(() => {
  if (dir && process.env.KUBE_TEST_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A ConfigMap holding each text as a data value and a container's env value, one level deeper;
 * with `asKeys`, also as annotation keys (a key kubectl reads as a number comes back as its digits).
 */
function carrier(name: string, texts: readonly string[], asKeys = false): unknown[] {
  const data = Object.fromEntries(texts.map((t, i) => [`t${i}`, t]));
  const annotations = asKeys ? { annotations: Object.fromEntries(texts.map((t, i) => [t, `k${i}`])) } : {};
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...annotations }, data },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', env: texts.map((t, i) => ({ name: `T${i}`, value: t })) }] } },
  ];
}

/** What kubectl reads from `docs` written by `writer`: the objects, or its error. */
async function kubectlReads(file: string, docs: unknown[], writer: (docs: unknown[]) => string): Promise<{ objects?: any[]; error?: string }> {
  fs.writeFileSync(file, writer(docs));
  const result = await run(kubectl, ['annotate', '--local', '-o', 'json', '-f', file, 'probe=1'], { timeoutMs: 300_000 });
  if (result.code !== 0) return { error: result.stderr.trim() || `exit ${result.code}` };
  // One indented JSON object per object read, one after the other.
  return { objects: result.stdout.split(/\n(?=\{\n)/).map((text) => JSON.parse(text)) };
}

const WRITERS: Array<[string, (docs: unknown[]) => string]> = [
  ['cdk8s Yaml.stringify', (docs) => Yaml.stringify(...docs)],
  ['the library\'s writer', (docs) => stringifyDocuments(docs)],
];

/** The texts kubectl did not read back as written, from carrier(name, texts, asKeys) under each writer. */
async function misread(name: string, texts: readonly string[], asKeys = false): Promise<Set<number>> {
  const bad = new Set<number>();
  for (const [writer, write] of WRITERS) {
    const read = await kubectlReads(path.join(dir, `${name}-${writer.replace(/\W+/g, '-')}.yaml`), carrier(name, texts, asKeys), write);
    if (read.error !== undefined) throw new Error(`kubectl refused the file of texts the check lets through (${writer}): ${read.error.slice(0, 2000)}`);
    const [configMap, pod] = read.objects!;
    texts.forEach((t, i) => {
      if (configMap.data?.[`t${i}`] !== t || pod.spec.containers[0].env[i].value !== t) bad.add(i);
      if (asKeys && configMap.metadata.annotations?.[t] !== `k${i}`) bad.add(i);
    });
  }
  return bad;
}

/** Whether kubectl refuses or changes `text`, alone in its own file, under either writer. */
async function kubectlMisreads(name: string, text: string, asKeys = false): Promise<boolean> {
  for (const [writer, write] of WRITERS) {
    const read = await kubectlReads(path.join(dir, `${name}-${writer.replace(/\W+/g, '-')}.yaml`), carrier(name, [text], asKeys), write);
    if (read.error !== undefined || read.objects![0].data?.t0 !== text || read.objects![1].spec.containers[0].env[0].value !== text) return true;
    if (asKeys && read.objects![0].metadata.annotations?.[text] !== 'k0') return true;
  }
  return false;
}

test('every code point of the BMP, and samples of the other planes, the check lets through reads back as written; every one it refuses, kubectl refuses or changes', async () => {
  const accepted: string[] = [];
  const refused: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    // Unpaired surrogates: a few of each kind, at the start, inside and at the end of the text.
    if (cp >= 0xd800 && cp <= 0xdfff && ![0xd800, 0xdbff, 0xdc00, 0xdfff].includes(cp)) continue;
    // Above the Basic Multilingual Plane, each plane's first and last 256 code points (its
    // non-characters among them) and every 251st between.
    if (cp > 0xffff && (cp & 0xffff) >= 0x100 && (cp & 0xffff) < 0xff00 && cp % 251 !== 0) continue;
    const ch = String.fromCharCode(...(cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp]));
    for (const text of [`x${ch}y`, ch, `${ch}z`]) (manifestTextProblem(text) === undefined ? accepted : refused).push(text);
  }
  // Chunks keep each ConfigMap small enough for kubectl's reader to be quick.
  const chunk = 20_000;
  for (let i = 0; i < accepted.length; i += chunk) {
    const texts = accepted.slice(i, i + chunk);
    const bad = [...await misread(`accepted-${i / chunk}`, texts)].map((j) => JSON.stringify(texts[j]));
    expect(bad).toEqual([]);
  }
  expect(refused.length).toBeGreaterThan(100);
  const readBack: string[] = [];
  for (const [i, text] of refused.entries()) {
    if (!(await kubectlMisreads(`refused-${i}`, text))) readBack.push(JSON.stringify(text));
  }
  expect(readBack).toEqual([]);
}, 20 * 60 * 1000);

test('generated multi-line text: what the check lets through reads back as written, what it refuses does not', async () => {
  const piece = fc.constantFrom(' ', ' ', '  ', '\t', '\n', '\n', '\n\n', 'a', 'b c', ':', '#', '- ', '|', '>', '"', '\'', '\r', '\u3000', '\ufeff', 'yes', '0x1', '---');
  const texts = [...new Set(fc.sample(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')),
    { seed: Number(process.env.FC_SEED ?? 20261203), numRuns: Number(process.env.FC_RUNS ?? 6000) }))];
  const accepted = texts.filter((t) => manifestTextProblem(t) === undefined);
  const refused = texts.filter((t) => manifestTextProblem(t) !== undefined);
  expect(refused.length).toBeGreaterThan(50);
  expect(accepted.filter((t) => t.includes('\n')).length).toBeGreaterThan(1000);
  expect([...await misread('generated', accepted)].map((j) => JSON.stringify(accepted[j]))).toEqual([]);
  // Each refused text alone in a file, since one that kubectl refuses fails the whole file.
  const readBack: string[] = [];
  for (const [i, text] of refused.slice(0, 150).entries()) {
    if (!(await kubectlMisreads(`generated-refused-${i}`, text))) readBack.push(JSON.stringify(text));
  }
  expect(readBack).toEqual([]);
}, 20 * 60 * 1000);

test('generated number-like text, as values and as keys: what the check lets through reads back as written, what it refuses does not', async () => {
  // go-yaml v2 reads more strings as numbers than YAML 1.1 does, and cdk8s's writer quotes by YAML 1.1.
  const piece = fc.constantFrom('0', '1', '7', '8', '9', '12', '59', '60', '2001', '-', '+', '.', '_', 'x', 'X', 'o', 'O', 'b', 'B', 'e', 'E', 'a', 'f', '0o-', '0o+',
    'inf', 'nan', 'Inf', 'yes', 'Y', 'on', '~', 'null', ':', 'T', 't', ' ', 'Z', '2001-1-2', '2001-12-14', '0b', '0o', '0x', '10:20:30', '.5');
  // The forms known to differ come first; the draw finds others around them.
  const known = ['0o644', '0O7', '0X1F', '0B101', '0b-1', '0b+01', '1e_0', '+_1', '-0o17', '9E0_'];
  const texts = [...new Set([...known, ...fc.sample(fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
    { seed: Number(process.env.FC_SEED ?? 20261203), numRuns: Number(process.env.FC_RUNS ?? 20000) })])];
  const accepted = texts.filter((t) => manifestTextProblem(t) === undefined);
  const refused = texts.filter((t) => manifestTextProblem(t) !== undefined);
  expect(known.filter((t) => manifestTextProblem(t) === undefined)).toEqual([]);
  expect([...await misread('numbers', accepted, true)].map((j) => JSON.stringify(accepted[j]))).toEqual([]);
  // kubectl reads with go-yaml v2; what only v3 (kustomize's kyaml, Flux) reads as a number, such as
  // 0o-60, is held to v3 by the unit table in test/validators.test.ts.
  const readBack: string[] = [];
  for (const [i, text] of refused.filter((t) => goYamlReadsAsNonString(t, 2)).entries()) {
    if (!(await kubectlMisreads(`numbers-refused-${i}`, text, true))) readBack.push(JSON.stringify(text));
  }
  expect(readBack).toEqual([]);
}, 20 * 60 * 1000);

test('whole generated apps, written by either writer, read back in kubectl as the objects synth made', async () => {
  const specs = fc.sample(clusterSpec, { seed: Number(process.env.FC_SEED ?? 20261203), numRuns: Number(process.env.FC_RUNS ?? 30) });
  let compared = 0;
  for (const [i, spec] of specs.entries()) {
    let objects: any[];
    try {
      objects = buildApp(spec, Testing.app()).charts.flatMap((chart) => Testing.synth(chart));
    } catch {
      continue;
    }
    for (const [writer, write] of WRITERS) {
      const read = await kubectlReads(path.join(dir, `app-${i}-${writer.replace(/\W+/g, '-')}.yaml`), objects, write);
      expect({ writer, error: read.error }).toEqual({ writer, error: undefined });
      const back = read.objects!.map((o) => {
        const { probe, ...annotations } = o.metadata.annotations;
        expect(probe).toBe('1');
        if (Object.keys(annotations).length > 0) o.metadata.annotations = annotations;
        else delete o.metadata.annotations;
        return o;
      });
      expect(back).toEqual(objects);
    }
    compared++;
  }
  expect(compared).toBeGreaterThan(specs.length / 2);
}, 20 * 60 * 1000);
