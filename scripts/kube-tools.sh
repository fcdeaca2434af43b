#!/usr/bin/env bash
# Prepares what the Kubernetes API server test (test/kube) runs: kube-apiserver, kubectl,
# kube-controller-manager and etcd, built from their Go modules into a cache outside the repo
# (${CDK8S_TEMPORAL_CACHE:-~/.cache/cdk8s-temporal}/kube/<version>/bin) and reused while present.
#
# Why a wrapper module: k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/apiserver,
# ...) with ./staging/src/... paths, and `go install pkg@version` refuses a module with replace
# directives. So we write a throwaway module that requires k8s.io/kubernetes vX.Y.Z and replaces every
# staging module with its published v0.Y.Z release. etcd's server module has the same shape (it
# replaces api/v3, client/v3, ... with ../ paths), so it gets the same treatment. The replace lists are
# read from the downloaded go.mod files, never written down here.
#
# etcd is the version Kubernetes itself tests with (ETCD_VERSION in the release's hack/lib/etcd.sh),
# so the only pinned version is the Kubernetes one, in test/kube/versions.json.
#
# Usage: scripts/kube-tools.sh [KUBERNETES_VERSION]   (default: "kubernetes" in test/kube/versions.json)
# Progress goes to stderr. On success stdout holds only KEY=VALUE lines, which test/kube/tools.ts reads:
#   KUBE_APISERVER_BIN, KUBECTL_BIN, KUBE_CONTROLLER_MANAGER_BIN, ETCD_BIN, KUBERNETES_VERSION, ETCD_VERSION
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "kube-tools: $*" >&2; }
die() { log "$*"; exit 1; }

command -v go >/dev/null 2>&1 || die "'go' is not on PATH. The test builds kube-apiserver, kubectl, kube-controller-manager and etcd from source.
Install Go 1.26 or newer (Debian: apt-get install -y golang-go, if its version is recent enough;
otherwise the tarball from go.dev/dl unpacked into /usr/local/go, with /usr/local/go/bin on PATH) and retry."
command -v openssl >/dev/null 2>&1 || die "'openssl' is not on PATH. The test makes the API server's service-account keys with it.
Install it (Debian: apt-get install -y openssl) and retry."
command -v node >/dev/null 2>&1 || die "'node' is not on PATH; it reads test/kube/versions.json and go.mod JSON"

version="${1:-$(node -p "require('$root/test/kube/versions.json').kubernetes")}"
[[ "$version" =~ ^1\.([0-9]+)\.([0-9]+)$ ]] || die "expected a Kubernetes version like 1.37.2, got '$version'"
# Staging modules are published as v0.<minor>.<patch> for Kubernetes v1.<minor>.<patch>.
minor="${BASH_REMATCH[1]}"
staging_version="v0.$minor.${BASH_REMATCH[2]}"

cache="${CDK8S_TEMPORAL_CACHE:-$HOME/.cache/cdk8s-temporal}/kube/$version"
bin="$cache/bin"
mkdir -p "$bin"
# One build at a time: a second test run waits for the first instead of racing it into the same bin.
exec 9>"$cache/.lock"
flock 9

# Prints "<go.mod path>\t<module dir>" of module@version, downloading it if needed.
download() {
  go mod download -json "$1" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s);
      if (m.Error || !m.GoMod || !m.Dir) { console.error(m.Error || "no GoMod/Dir in: " + s); process.exit(1); }
      console.log(m.GoMod + "\t" + m.Dir);
    });'
}

# Writes a wrapper module into $1 that requires $2@$3 and, for every module that $2's go.mod both
# requires and replaces with a local path, replaces it with that module at version $4.
write_wrapper() {
  local dir="$1" module="$2" module_version="$3" replace_version="$4" gomod
  gomod="$(download "$module@$module_version" | cut -f1)" || die "cannot download $module@$module_version"
  rm -rf "$dir" && mkdir -p "$dir"
  local go_line
  go_line="$(go mod edit -json "$gomod" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).Go));')"
  (
    cd "$dir"
    go mod init cdk8s-temporal-kube-tools >/dev/null 2>&1
    go mod edit -go="$go_line" -require="$module@$module_version"
    local args
    mapfile -t args < <(go mod edit -json "$gomod" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const m = JSON.parse(s);
        const required = new Set((m.Require || []).map((r) => r.Path));
        for (const r of m.Replace || []) {
          const local = r.New.Path.startsWith("./") || r.New.Path.startsWith("../");
          // Only modules the build can reach: etcd also "replaces" forbidden modules it never requires.
          if (local && !r.New.Version && required.has(r.Old.Path)) console.log(r.Old.Path);
        }
      });')
    [ "${#args[@]}" -gt 0 ] || die "found no local replaces in $gomod; the wrapper approach needs revisiting"
    local edits=()
    for m in "${args[@]}"; do edits+=("-replace=$m=$m@$replace_version"); done
    go mod edit "${edits[@]}"
    log "wrapper for $module@$module_version in $dir replaces ${#args[@]} modules with $replace_version"
  )
}

# Builds the main packages "$@" (at version $2 of the wrapper's one requirement) of the wrapper module
# in $1, with extra linker flags $3, into $bin under the names "$4" (one per package, in order).
build() {
  local dir="$1" at="$2" ldflags="$3" names=($4); shift 4
  (
    cd "$dir"
    # `go get` of the packages at the pinned version adds exactly the requirements and go.sum lines
    # their build needs (a bare `go get pkg` would mean @upgrade).
    go get "${@/%/@$at}" >&2
    # Static, stripped binaries with the tags Kubernetes' own release build uses (hack/lib/golang.sh).
    # One package per `go build`, so each binary gets the name we want ("etcd", not "server").
    local i=0
    for pkg in "$@"; do
      local name="${names[$i]}"
      CGO_ENABLED=0 go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags="-s -w $ldflags" \
        -o "$bin/.$name.tmp" "$pkg" >&2
      # A build killed halfway leaves only the temp file, never a broken binary that looks finished.
      mv -f "$bin/.$name.tmp" "$bin/$name"
      i=$((i + 1))
    done
  )
}

# Remembered next to the binaries, so a warm run needs neither the module cache nor the network.
if [ -s "$cache/etcd.version" ]; then
  etcd_version="$(cat "$cache/etcd.version")"
else
  k8s_dir="$(download "k8s.io/kubernetes@v$version" | cut -f2)" || die "cannot download k8s.io/kubernetes@v$version"
  etcd_version="$(sed -n 's/^ETCD_VERSION=\${ETCD_VERSION:-\([0-9.]*\)}$/\1/p' "$k8s_dir/hack/lib/etcd.sh")"
  [ -n "$etcd_version" ] || die "no ETCD_VERSION default in $k8s_dir/hack/lib/etcd.sh"
  echo "$etcd_version" > "$cache/etcd.version"
fi

# kube-controller-manager runs only its ValidatingAdmissionPolicy status controller: that controller
# type-checks policies' CEL against the schemas and writes status.typeChecking.
k8s_binaries=(kube-apiserver kubectl kube-controller-manager)
missing=()
for b in "${k8s_binaries[@]}"; do [ -x "$bin/$b" ] || missing+=("$b"); done
if [ "${#missing[@]}" -eq 0 ]; then
  log "reusing ${k8s_binaries[*]} $version in $bin"
else
  log "building ${missing[*]} $version into $bin; the first time this takes 20-40 minutes"
  write_wrapper "$cache/kubernetes" k8s.io/kubernetes "v$version" "$staging_version"
  # The version the binaries report (and kubectl's version-skew check reads), as hack/lib/version.sh sets it.
  ldflags=""
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=v$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  build "$cache/kubernetes" "v$version" "$ldflags" "${missing[*]}" "${missing[@]/#/k8s.io/kubernetes/cmd/}"
fi

if [ -x "$bin/etcd" ]; then
  log "reusing etcd $etcd_version in $bin"
else
  log "building etcd $etcd_version (the version Kubernetes $version tests with) into $bin"
  write_wrapper "$cache/etcd" go.etcd.io/etcd/server/v3 "v$etcd_version" "v$etcd_version"
  # The module's root is etcd's main package (server/main.go).
  build "$cache/etcd" "v$etcd_version" "" etcd go.etcd.io/etcd/server/v3
fi

for b in "${k8s_binaries[@]}" etcd; do
  [ -x "$bin/$b" ] || die "the build finished but $bin/$b is missing"
done

echo "KUBE_APISERVER_BIN=$bin/kube-apiserver"
echo "KUBECTL_BIN=$bin/kubectl"
echo "KUBE_CONTROLLER_MANAGER_BIN=$bin/kube-controller-manager"
echo "ETCD_BIN=$bin/etcd"
echo "KUBERNETES_VERSION=$version"
echo "ETCD_VERSION=$etcd_version"
