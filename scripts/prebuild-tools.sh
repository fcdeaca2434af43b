#!/usr/bin/env bash
# Builds, or finds in the cache, every Go tool the end-to-end and API server tests run, by calling
# the same scripts those tests call: the Temporal releases of test/e2e (scripts/e2e-tools.sh), the
# tools under tools/ (scripts/go-tool.sh) and Kubernetes (scripts/kube-tools.sh). It changes
# nothing the tests see: each script keeps its own cache, lock and checks, and a test that finds a
# build still running waits on that build's lock.
#
# Why it exists: .ci/run starts it in the background, at the lowest CPU priority, while the unit
# tests run. Jest runs the unit tests on one worker on two cores, so on a machine whose caches are
# cold the builds (Kubernetes alone is 20 to 40 minutes) use the idle core instead of adding their
# whole length to the run. Warm, it takes seconds.
#
# Usage: scripts/prebuild-tools.sh   (progress on stderr; exits non-zero if a build failed, after
# trying the others)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { echo "prebuild-tools: $*" >&2; }

kubernetes="$(node -p "require('./test/kube/versions.json').kubernetes")" || { log "cannot read test/kube/versions.json"; exit 1; }
# The release the e2e tests run (TemporalVersion.DEFAULT) and the one the upgrade test starts from.
default_release="$(sed -n "s/^ *public static readonly DEFAULT = '\([0-9.]*\)';$/\1/p" lib/versions.ts)"
upgrade_from="$(sed -n "s/^const FROM = '\([0-9.]*\)';$/\1/p" test/e2e/upgrade.e2e.test.ts)"
[ -n "$default_release" ] && [ -n "$upgrade_from" ] \
  || { log "cannot read TemporalVersion.DEFAULT (lib/versions.ts) or FROM (test/e2e/upgrade.e2e.test.ts)"; exit 1; }
releases=("$default_release" "$upgrade_from")
failed=()

step() {
  local name="$1"; shift
  local started=$SECONDS
  if "$@" >/dev/null; then
    log "$name ready ($((SECONDS - started)) s)"
  else
    log "$name FAILED (exit $?); the tests that need it will build it again and report why"
    failed+=("$name")
  fi
}

# In the order the tests need them: the e2e tests run before the API server tests.
step "Temporal ${releases[0]}" bash scripts/e2e-tools.sh "${releases[0]}"
for tool in config-decode flux-substitute promql-parse; do
  step "$tool" bash scripts/go-tool.sh "$tool"
done
for release in "${releases[@]:1}"; do
  step "Temporal $release" bash scripts/e2e-tools.sh "$release"
done
step "Kubernetes $kubernetes" bash scripts/kube-tools.sh "$kubernetes"

[ "${#failed[@]}" -eq 0 ] || { log "failed: ${failed[*]}"; exit 1; }
