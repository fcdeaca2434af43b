#!/usr/bin/env bash
# Prepares what the end-to-end test (test/e2e) runs instead of container images:
#   - the Temporal server and SQL tool binaries of one release, built from the Go module proxy into
#     a cache outside the repo and reused while present (a cold build takes about five minutes), with
#     the Go toolchain the release's go.mod asks for when the installed Go is older (see below);
#   - the schema files of the same release, from the Go module cache;
#   - the Temporal CLI (`temporal`, which the admin-tools image also holds, for the namespace Job),
#     built from its module github.com/temporalio/cli (main package ./cmd/temporal) into the same
#     cache. It is v1.5.1, not the v1.9.x that recent admin-tools images carry: from v1.9.1 on, the
#     module's go.mod replaces github.com/temporalio/cli/cliext with ./cliext, a nested module that is
#     neither in the module zip nor on the proxy, so `go install` refuses it ("contains one or more
#     replace directives") and a build inside the module cache finds no ./cliext. Override with
#     TEMPORAL_CLI_VERSION;
#   - PostgreSQL from Debian's packages.
#
# A release whose go.mod requires a module version the proxy does not serve is built in a throwaway
# module that replaces that one dependency (see `substitute` below) and says so; everything else,
# the server's own code included, is the release's.
#
# Usage: scripts/e2e-tools.sh [TEMPORAL_VERSION]   (default 1.32.2)
# Progress goes to stderr. On success stdout holds only KEY=VALUE lines, which test/e2e/tools.ts reads:
#   TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL_BIN, TEMPORAL_SCHEMA_DIR, TEMPORAL_CLI_BIN, POSTGRES_BIN_DIR
set -euo pipefail

version="${1:-1.32.2}"
module="go.temporal.io/server"
root="${CDK8S_TEMPORAL_CACHE:-$HOME/.cache/cdk8s-temporal}"
cache="$root/$version"
bin="$cache/bin"
cli_version="${TEMPORAL_CLI_VERSION:-1.5.1}"
cli_bin="$root/temporal-cli/$cli_version/bin"

log() { echo "e2e-tools: $*" >&2; }
die() { log "$*"; exit 1; }

command -v go >/dev/null 2>&1 || die "'go' is not on PATH. The e2e test builds the Temporal server from source.
Install Go 1.24 or newer (Debian: apt-get install -y golang-go, if its version is recent enough;
otherwise the tarball from go.dev/dl unpacked into /usr/local/go, with /usr/local/go/bin on PATH) and retry."

mkdir -p "$bin" "$cli_bin"
# One build at a time: a second test run waits for the first instead of racing it into the same GOBIN.
exec 9>"$cache/.lock"
flock 9

# A release may need a newer Go than the one installed (1.30.9's go.mod says `go 1.26.10`), which go
# refuses under GOTOOLCHAIN=local ("requires go >= 1.26.10"). Then, for this release's build and
# schema download only, GOTOOLCHAIN names exactly the version of the module's `go` line, and go
# fetches that toolchain (golang.org/toolchain) from the module proxy into its module cache once.
# `go mod download -json` reports that refusal in its "Error" field, and exits non-zero, but still
# names the go.mod file it downloaded.
toolchain="$(go env GOTOOLCHAIN)"
gomod="$( (cd / && go mod download -json "$module@v$version" || true) | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
[ -f "$gomod" ] || die "'go mod download -json $module@v$version' named no go.mod file (see go's message above)"
need="$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$gomod" | head -n 1)"
have="$(go env GOVERSION)"; have="${have#go}"
if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$have" "$need" | sort -V | tail -n 1)" != "$have" ]; then
  toolchain="go$need"
  log "$module@v$version needs go >= $need (installed: go$have); using GOTOOLCHAIN=$toolchain for it"
fi

# Dependencies the proxy refuses ("403 Forbidden: This module version is not available"), each with
# the nearest version it serves. 1.31.3-1.31.5 require go.temporal.io/auto-scaled-workers versions
# that it refuses; 1.31.2's version of that module builds with 1.31.5 (tried; 1.31.3 and 1.31.4 were
# not), and only the worker-deployment autoscaler (service/worker/workerdeployment) uses it.
substitute=""
case "$version" in
  1.31.5) substitute="go.temporal.io/auto-scaled-workers v0.0.1-1.31.2 => go.temporal.io/auto-scaled-workers v0.0.0-20260407181057-edd947d743d2" ;;
esac

if [ -x "$bin/server" ] && [ -x "$bin/sql" ]; then
  log "reusing Temporal $version binaries in $bin"
elif [ -z "$substitute" ]; then
  log "building Temporal $version (server, sql tool) into $bin; this takes a few minutes the first time"
  GOBIN="$bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" GOTOOLCHAIN="$toolchain" \
    go install "$module/cmd/server@v$version" "$module/cmd/tools/sql@v$version" >&2
else
  log "building Temporal $version (server, sql tool) into $bin with one dependency substituted, as the module proxy does not serve it: $substitute"
  work="$cache/build"
  rm -rf "$work" && mkdir -p "$work"
  printf 'module cdk8s-temporal/e2e-build\n\ngo %s\n\nrequire %s v%s\n\nreplace %s\n' "${need:-1.26}" "$module" "$version" "$substitute" > "$work/go.mod"
  (cd "$work" && GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=mod" GOTOOLCHAIN="$toolchain" \
    go build -o "$bin/server" "$module/cmd/server" && \
    GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=mod" GOTOOLCHAIN="$toolchain" go build -o "$bin/sql" "$module/cmd/tools/sql") >&2 \
    || die "could not build Temporal $version with the substitute dependency (see go's message above)"
fi

if [ -x "$cli_bin/temporal" ]; then
  log "reusing Temporal CLI $cli_version in $cli_bin"
else
  log "building Temporal CLI $cli_version into $cli_bin"
  (cd / && GOBIN="$cli_bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "github.com/temporalio/cli/cmd/temporal@v$cli_version") >&2 \
    || die "could not build the Temporal CLI $cli_version (see go's message above)"
fi

modcache="$(go env GOMODCACHE)"
schema="$modcache/$module@v$version/schema"
if [ ! -d "$schema" ]; then
  log "downloading module $module@v$version for its schema files"
  (cd / && GOTOOLCHAIN="$toolchain" go mod download "$module@v$version") >&2
fi
[ -d "$schema" ] || die "no schema folder at $schema after 'go mod download'"

find_pg() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
pg="$(find_pg)"
if [ -z "$pg" ] || [ ! -x "$pg/pg_ctl" ]; then
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and this is not root; run: sudo apt-get install -y postgresql"
  log "installing PostgreSQL from Debian's packages"
  # The package's own cluster is never used: the test runs a throwaway one of its own.
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
  pg="$(find_pg)"
  [ -n "$pg" ] && [ -x "$pg/pg_ctl" ] || die "apt-get installed postgresql, but no /usr/lib/postgresql/*/bin/pg_ctl exists"
fi

# The IPv6 test gives its servers addresses in a network namespace of their own (unshare, ip).
if ! command -v ip >/dev/null 2>&1 || ! command -v unshare >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || die "'ip' or 'unshare' is missing and this is not root; run: sudo apt-get install -y iproute2 util-linux"
  log "installing iproute2 and util-linux from Debian's packages"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y iproute2 util-linux >&2
fi

echo "TEMPORAL_SERVER_BIN=$bin/server"
echo "TEMPORAL_SQL_TOOL_BIN=$bin/sql"
echo "TEMPORAL_SCHEMA_DIR=$schema"
echo "TEMPORAL_CLI_BIN=$cli_bin/temporal"
echo "POSTGRES_BIN_DIR=$pg"
