#!/usr/bin/env bash
# Scores what every app in apps/*.ts synthesizes with kube-score, a Kubernetes best-practice checker
# (github.com/zegl/kube-score), and fails on any finding at WARNING or CRITICAL that is not a listed
# exception in .kube-score.yaml at the repo root.
#
#   - kube-score is built from its Go module into a cache outside the repo,
#     ${CDK8S_TEMPORAL_CACHE:-~/.cache/cdk8s-temporal}/tools/bin/kube-score-<version>, and reused while
#     present (a cold build takes a minute or two). KUBE_SCORE_BIN=/path/to/kube-score skips the build.
#   - Each app is synthesized in a throwaway copy of the working tree (node_modules symlinked), because
#     apps/main.ts reads and writes temporal.lock.json in its working directory: the repo's own lock
#     file and dist/ are never touched.
#   - kube-score runs with --kubernetes-version set to the oldest Kubernetes minor we support (from
#     .kube-score.yaml), so it only recommends APIs that every supported version serves, and with
#     --disable-ignore-checks-annotations, so a `kube-score/ignore` annotation in a manifest cannot
#     hide a finding: every exception lives in .kube-score.yaml, with its reason, and nothing
#     scanner-specific leaks into users' manifests.
#   - Exceptions are applied to kube-score's JSON output rather than passed as --ignore-test, so that
#     an exception that no longer matches anything is reported (and fails the run) instead of
#     silently lingering. The check names are kube-score's test IDs (`kube-score list`), the same
#     names --ignore-test takes; an unknown name is an error.
#
# Usage: scripts/kube-score.sh [APP...]   (APP: a file name in apps/ without .ts; default: all of them)
# Exit codes: 0 no finding left; 1 findings at WARNING or above, or stale exceptions; 2 a synth
# failed; 3 tooling or configuration error.
# Environment: KUBE_SCORE_VERSION (default below), KUBE_SCORE_BIN, KUBE_SCORE_CONFIG (default
# .kube-score.yaml), CDK8S_TEMPORAL_CACHE, KUBE_SCORE_KEEP=1 keeps the temp dir (synthesized YAML and
# kube-score JSON) and prints where it is.
set -euo pipefail

# The newest version the Go module proxy serves: go list -m -versions github.com/zegl/kube-score
version="${KUBE_SCORE_VERSION:-v1.20.0}"
module="github.com/zegl/kube-score"
# An exact release: the cached binary is named after it and reused as long as it exists.
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "kube-score: KUBE_SCORE_VERSION must be an exact release like v1.20.0, got '$version'" >&2; exit 3; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${KUBE_SCORE_CONFIG:-$root/.kube-score.yaml}"

log() { echo "kube-score: $*" >&2; }
die() { local code="$1"; shift; log "$*"; exit "$code"; }

command -v node >/dev/null 2>&1 || die 3 "'node' is not on PATH; install Node.js 20 (apt-get install -y nodejs npm)"
[ -d "$root/node_modules/ts-node" ] && [ -d "$root/node_modules/yaml" ] \
  || die 3 "$root/node_modules lacks ts-node or yaml; run 'npm ci' in $root first"
[ -f "$config" ] || die 3 "no exceptions file at $config"

# --- kube-score ------------------------------------------------------------------------------------
if [ -n "${KUBE_SCORE_BIN:-}" ]; then
  bin="$KUBE_SCORE_BIN"
  [ -x "$bin" ] || die 3 "KUBE_SCORE_BIN=$bin is not an executable file"
else
  tools="${CDK8S_TEMPORAL_CACHE:-$HOME/.cache/cdk8s-temporal}/tools"
  bin="$tools/bin/kube-score-$version"
  mkdir -p "$tools/bin"
  # One build at a time: a second run waits for the first instead of racing it into the same file.
  exec 9>"$tools/.kube-score.lock"
  flock 9
  if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
    log "reusing $bin"
  else
    command -v go >/dev/null 2>&1 || die 3 "'go' is not on PATH, and $bin is missing: kube-score is built from its Go module.
Install Go 1.23 or newer (Debian: apt-get install -y golang-go, if its version is recent enough;
otherwise the tarball from go.dev/dl unpacked into /usr/local/go, with /usr/local/go/bin on PATH) and retry,
or point KUBE_SCORE_BIN at a kube-score binary."
    log "building $module $version into $bin (a minute or two the first time)"
    gobin="$tools/.build-$$"
    rm -rf "$gobin"
    # main.version is what `kube-score version` prints; goreleaser sets it for the project's releases.
    (cd "$tools" && GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
      go install -trimpath -ldflags="-s -w -X main.version=$version" "$module/cmd/kube-score@$version") >&2 \
      || { rm -rf "$gobin"; die 3 "go install $module/cmd/kube-score@$version failed (output above)"; }
    # A build killed halfway leaves only the temp dir, never a broken binary that looks finished.
    mv -f "$gobin/kube-score" "$bin"
    rm -rf "$gobin"
  fi
  exec 9>&-
fi
checks_csv="$("$bin" list)" || die 3 "'$bin list' failed"

# --- synthesize ------------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-temporal-kube-score.XXXXXX")"
if [ "${KUBE_SCORE_KEEP:-}" = 1 ]; then
  trap 'log "kept $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/repo" "$work/out"
# The working tree as it is (uncommitted edits included), minus what is big or generated. GNU tar
# exits 1 when a file changes while it is read (others may be editing); that copy is still usable.
{ tar -C "$root" --exclude=./node_modules --exclude=./.git --exclude=./.jest-cache --exclude=./build \
    --exclude=./dist --exclude='./dist.staging-*' --exclude=./coverage --warning=no-file-changed -cf - . \
    || [ $? -eq 1 ]; } | tar -C "$work/repo" -xf -
ln -s "$root/node_modules" "$work/repo/node_modules"

apps=()
if [ "$#" -gt 0 ]; then
  for a in "$@"; do
    a="${a%.ts}"; a="${a#apps/}"
    [ -f "$work/repo/apps/$a.ts" ] || die 3 "no app apps/$a.ts"
    apps+=("$a")
  done
else
  for f in "$work/repo"/apps/*.ts; do
    [ -e "$f" ] || continue
    case "$f" in *.d.ts) continue ;; esac
    apps+=("$(basename "$f" .ts)")
  done
fi
[ "${#apps[@]}" -gt 0 ] || die 3 "found no apps/*.ts in $root"

for a in "${apps[@]}"; do
  log "synthesizing apps/$a.ts"
  if ! (cd "$work/repo" && CDK8S_OUTDIR="$work/out/$a" CDK8S_CHECK_UPGRADE=false \
      node -r ts-node/register/transpile-only "apps/$a.ts") >"$work/synth-$a.log" 2>&1; then
    cat "$work/synth-$a.log" >&2
    die 2 "synth of apps/$a.ts failed (output above)"
  fi
  compgen -G "$work/out/$a/*.yaml" >/dev/null || die 2 "apps/$a.ts synthesized no YAML into its outdir"
done

# --- score -----------------------------------------------------------------------------------------
kube_version="$(cd "$root" && node -e '
  const c = require("yaml").parse(require("fs").readFileSync(process.argv[1], "utf-8")) || {};
  if (!/^v1\.\d+$/.test(c.kubernetesVersion || "")) {
    console.error(`kubernetesVersion in ${process.argv[1]} must look like v1.30, got ${JSON.stringify(c.kubernetesVersion)}`);
    process.exit(1);
  }
  console.log(c.kubernetesVersion);
  for (const t of c.enableOptionalTests || []) console.log(t);' "$config")" || die 3 "cannot read $config"
optional=()
while read -r t; do optional+=("--enable-optional-test=$t"); done < <(tail -n +2 <<<"$kube_version")
kube_version="$(head -n 1 <<<"$kube_version")"

for a in "${apps[@]}"; do
  files=("$work/out/$a"/*.yaml)
  # kube-score exits 1 on a CRITICAL finding and on an error alike: its JSON on stdout tells them apart.
  "$bin" score --output-format json --output-version v2 --kubernetes-version "$kube_version" \
    --disable-ignore-checks-annotations "${optional[@]}" "${files[@]}" \
    >"$work/out/$a.json" 2>"$work/out/$a.stderr" || true
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf-8"))' "$work/out/$a.json" 2>/dev/null || {
    cat "$work/out/$a.stderr" "$work/out/$a.json" >&2
    die 3 "kube-score produced no JSON for apps/$a.ts (output above)"
  }
done

log "kube-score $("$bin" version | sed -n 's/^kube-score version: \([^,]*\).*/\1/p'), --kubernetes-version $kube_version, exceptions from ${config#"$root"/}"

# --- apply exceptions and report -------------------------------------------------------------------
cd "$root"
all_apps=0; [ "$#" -eq 0 ] && all_apps=1
CHECKS_CSV="$checks_csv" ALL_APPS="$all_apps" node - "$config" "$work/out" "${apps[@]}" <<'NODE'
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const [configPath, outDir, ...apps] = process.argv.slice(2);
const WARNING = 5; // kube-score's grades: CRITICAL 1, WARNING 5, ALMOST_OK 7, ALL_OK 10
const known = new Map(process.env.CHECKS_CSV.trim().split('\n').map((l) => l.split(',')).map((f) => [f[0], f[f.length - 1]]));

function configError(msg) {
  console.error(`kube-score: ${configPath}: ${msg}`);
  process.exit(3);
}

// --- the exceptions file ---
const config = YAML.parse(fs.readFileSync(configPath, 'utf-8')) || {};
for (const k of Object.keys(config)) {
  if (!['kubernetesVersion', 'enableOptionalTests', 'exceptions'].includes(k)) configError(`unknown key "${k}"`);
}
for (const t of config.enableOptionalTests || []) {
  if (known.get(t) !== 'optional') configError(`enableOptionalTests: "${t}" is not one of kube-score's optional tests`);
}
const exceptions = (config.exceptions || []).map((e, i) => {
  const where = `exceptions[${i}]`;
  if (!e || typeof e !== 'object') configError(`${where} is not a mapping`);
  for (const k of Object.keys(e)) {
    if (!['check', 'reason', 'objects', 'messages', 'when'].includes(k)) configError(`${where}: unknown key "${k}"`);
  }
  if (!known.has(e.check)) configError(`${where}: "${e.check}" is not a kube-score test ID (see 'kube-score list')`);
  if (typeof e.reason !== 'string' || e.reason.trim().length < 20) configError(`${where} (${e.check}) needs a reason: one honest sentence or more`);
  if (e.objects !== undefined && (!Array.isArray(e.objects) || e.objects.some((o) => typeof o !== 'string' || !o.includes('/')))) {
    configError(`${where}: objects must be a list of "Kind/name" patterns (* matches any run of characters)`);
  }
  if (e.messages !== undefined && (!Array.isArray(e.messages) || e.messages.some((m) => typeof m !== 'string' || !m))) {
    configError(`${where}: messages must be a list of kube-score message texts`);
  }
  if (e.when !== undefined) {
    for (const k of Object.keys(e.when)) if (k !== 'podSpreadsOver') configError(`${where}: unknown condition "when.${k}"`);
    if (typeof e.when.podSpreadsOver !== 'string') configError(`${where}: when.podSpreadsOver must be a topology key`);
  }
  const patterns = (e.objects || []).map((o) => new RegExp(`^${o.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return { ...e, patterns, matched: 0 };
});

// --- helpers over the synthesized manifests ---
function podTemplate(obj) {
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template;
  return obj.spec?.template;
}
function matchesSelector(sel, labels) {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels || {})) if (labels[k] !== v) return false;
  for (const r of sel.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    if (r.operator === 'In' && !(has && r.values.includes(labels[r.key]))) return false;
    if (r.operator === 'NotIn' && has && r.values.includes(labels[r.key])) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
/** True when the object's pods carry a topology spread constraint over `key` that selects themselves. */
function spreadsOver(obj, key) {
  const t = podTemplate(obj);
  const labels = t?.metadata?.labels || {};
  return (t?.spec?.topologySpreadConstraints || []).some((c) => c.topologyKey === key && matchesSelector(c.labelSelector, labels));
}

function exceptionFor(checkId, obj, summary) {
  return exceptions.find((e) => {
    if (e.check !== checkId) return false;
    if (e.messages && !e.messages.includes(summary)) return false;
    if (e.patterns.length && !e.patterns.some((p) => p.test(`${obj.kind}/${obj.metadata?.name}`))) return false;
    if (e.when?.podSpreadsOver && !(obj.spec && spreadsOver(obj, e.when.podSpreadsOver))) return false;
    return true;
  });
}

function describe(e) {
  const scope = [
    ...(e.objects ? [`objects ${e.objects.join(', ')}`] : []),
    ...(e.messages ? [`messages ${e.messages.map((m) => JSON.stringify(m)).join(', ')}`] : []),
    ...(e.when ? [`when pods spread over ${e.when.podSpreadsOver}`] : []),
  ];
  return `${e.check}${scope.length ? ` (${scope.join('; ')})` : ''}`;
}

// --- score ---
const gradeName = (g) => (g <= 1 ? 'CRITICAL' : g <= WARNING ? 'WARNING' : 'OK');
let failing = 0;
for (const app of apps) {
  const manifests = new Map();
  const dir = path.join(outDir, app);
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf-8'))) {
      const o = doc.toJS();
      if (o && o.kind) manifests.set(`${o.apiVersion}|${o.kind}|${o.metadata?.namespace || ''}|${o.metadata?.name}`, o);
    }
  }
  const scored = JSON.parse(fs.readFileSync(path.join(outDir, `${app}.json`), 'utf-8')) || [];
  const findings = [];
  const excepted = new Map();
  for (const so of scored) {
    const tm = so.type_meta || {};
    const om = so.object_meta || {};
    const obj = manifests.get(`${tm.apiVersion}|${tm.kind}|${om.namespace || ''}|${om.name}`)
      || { apiVersion: tm.apiVersion, kind: tm.kind, metadata: om };
    const ref = `${tm.kind} ${om.namespace ? `${om.namespace}/` : ''}${om.name}`;
    for (const c of so.checks || []) {
      if (c.skipped || c.grade > WARNING) continue;
      const comments = (c.comments || []).length ? c.comments : [{ path: '', summary: c.check.name }];
      // One line per check, object and message; the containers it concerns (kube-score's comment
      // path) go in brackets.
      for (const m of comments) {
        const e = exceptionFor(c.check.id, obj, m.summary);
        if (e) {
          e.matched++;
          excepted.set(e, (excepted.get(e) || 0) + 1);
          continue;
        }
        const key = `${c.check.id}|${ref}|${m.summary}`;
        let f = findings.find((x) => x.key === key);
        if (!f) findings.push((f = { key, grade: c.grade, check: c.check.id, ref, message: m.summary, paths: [] }));
        if (m.path && !f.paths.includes(m.path)) f.paths.push(m.path);
      }
    }
  }
  findings.sort((a, b) => a.grade - b.grade || a.check.localeCompare(b.check) || a.ref.localeCompare(b.ref) || a.message.localeCompare(b.message));
  console.log(`== apps/${app}.ts: ${findings.length} finding(s) at WARNING or above, ${[...excepted.values()].reduce((s, n) => s + n, 0)} excepted`);
  for (const f of findings) {
    console.log(`  ${gradeName(f.grade).padEnd(8)} ${f.check}  ${f.ref}: ${f.message}${f.paths.length ? ` [${f.paths.sort().join(', ')}]` : ''}`);
  }
  for (const [e, n] of [...excepted].sort(([a], [b]) => a.check.localeCompare(b.check))) console.log(`  excepted ${describe(e)}: ${n} finding(s)`);
  failing += findings.length;
}

// Only a run over every app can tell that an exception matches nothing.
const stale = process.env.ALL_APPS === '1' ? exceptions.filter((e) => e.matched === 0) : [];
for (const e of stale) {
  console.log(`stale exception: ${describe(e)} matched no finding in any app; remove it from ${path.basename(configPath)}`);
}
if (failing || stale.length) {
  console.log(`FAILED: ${failing} finding(s) at WARNING or above${stale.length ? `, ${stale.length} stale exception(s)` : ''}.`
    + ' Fix the manifests, or add an exception with its reason to ' + path.basename(configPath) + ' only when the check does not apply.');
  process.exit(1);
}
console.log('kube-score: no finding at WARNING or above outside the listed exceptions.');
NODE
