#!/usr/bin/env bash
# Builds one of the Go commands under tools/ (tools/<name>: a dependency's own code run as a
# command, such as the server's config loader or Flux's post-build substitution) into a cache
# outside the repo, named after a hash of its sources:
# ${CDK8S_TEMPORAL_CACHE:-~/.cache/cdk8s-temporal}/tools/bin/<name>-<hash>. A cached binary is
# reused while the sources are unchanged; a changed tool gets a new name, so a stale binary is
# never run. A cold build needs Go and the Go module proxy, and takes a minute or two (seconds once
# the modules and build cache are warm, as after scripts/e2e-tools.sh).
#
# Like scripts/e2e-tools.sh, it uses the Go toolchain the tool's go.mod asks for when the installed
# Go is older (GOTOOLCHAIN=go<version>, which go fetches from the module proxy once).
#
# Usage: scripts/go-tool.sh <name>
# Progress goes to stderr; on success stdout holds one line, GO_TOOL_BIN=<path>, which the tests
# read (test/support/tool-script.ts).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:-}"
case "$name" in ""|*/*|.*) echo "usage: scripts/go-tool.sh <name of a folder under tools/>" >&2; exit 2;; esac
src="$root/tools/$name"
tools="${CDK8S_TEMPORAL_CACHE:-$HOME/.cache/cdk8s-temporal}/tools"

log() { echo "$name: $*" >&2; }
die() { log "$*"; exit 1; }

[ -f "$src/go.mod" ] || die "no $src/go.mod"
# Every file the build reads from the repo, in a fixed order: go.mod, go.sum and the Go sources.
hash="$(cd "$src" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort \
  | while read -r f; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-16)"
bin="$tools/bin/$name-$hash"
mkdir -p "$tools/bin"
# One build at a time: a second run waits for the first instead of racing it into the same file.
exec 9>"$tools/.$name.lock"
flock 9

if [ -x "$bin" ]; then
  log "reusing $bin"
else
  command -v go >/dev/null 2>&1 || die "'go' is not on PATH, and $bin is missing: the tool is built from tools/$name.
Install Go 1.24 or newer (Debian: apt-get install -y golang-go, if its version is recent enough;
otherwise the tarball from go.dev/dl unpacked into /usr/local/go, with /usr/local/go/bin on PATH) and retry."
  toolchain="$(go env GOTOOLCHAIN)"
  need="$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$src/go.mod" | head -n 1)"
  have="$(go env GOVERSION)"; have="${have#go}"
  if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$have" "$need" | sort -V | tail -n 1)" != "$have" ]; then
    toolchain="go$need"
    log "tools/$name needs go >= $need (installed: go$have); using GOTOOLCHAIN=$toolchain"
  fi
  log "building tools/$name into $bin"
  tmp="$tools/bin/.$name-$$"
  # -mod=readonly: go.mod and go.sum are committed as they are; a build never rewrites them.
  (cd "$src" && GOTOOLCHAIN="$toolchain" GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=readonly" go build -o "$tmp" .) >&2 \
    || { rm -f "$tmp"; die "go build in tools/$name failed (output above)"; }
  # A build killed halfway leaves only the temp file, never a binary that looks finished.
  mv -f "$tmp" "$bin"
fi
echo "GO_TOOL_BIN=$bin"
