#!/usr/bin/env bash
# Regenerates the TypeScript bindings for the CRDs vendored in schemas/crds (see schemas/SOURCES.md):
#
#   imports/monitoring.coreos.com_servicemonitors.ts   ServiceMonitor
#   imports/monitoring.coreos.com_podmonitors.ts       PodMonitor
#   imports/monitoring.coreos.com_prometheusrules.ts   PrometheusRule
#   imports/cert-manager.io_certificates.ts            Certificate
#   imports/keda.sh_scaledobjects.ts                   ScaledObject (KEDA)
#   imports/keda.sh_triggerauthentications.ts          TriggerAuthentication (KEDA)
#
# Each output file is named after the CRD file it comes from.
#
# One `cdk8s import` call per CRD file, in the `name:=file` form: several files in one call, or
# several CRDs of one API group without a name, overwrite each other silently (all would become
# <group>.ts). Each call writes to its own temporary directory (the CLI names the file
# <name>-<group>.ts); the script then moves it to imports/<crd file basename>.ts. The generated
# code does not refer to its own file name, so the rename changes nothing in it.
#
# Works offline: a local CRD file needs no download, CDK8S_CHECK_UPGRADE=false plus
# --no-check-upgrade skip the CLI's version check against the npm registry, and --no-save keeps
# the CLI from adding the import to cdk8s.yaml.
#
# Usage: scripts/import-crds.sh [CRD_DIR]   (default: schemas/crds)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crds="$(cd "${1:-$repo/schemas/crds}" && pwd)"
cdk8s="$repo/node_modules/.bin/cdk8s"
[ -x "$cdk8s" ] || { echo "import-crds: $cdk8s not found; run npm ci first" >&2; exit 1; }

export CDK8S_CHECK_UPGRADE=false

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# name (module prefix for the CLI) and CRD file basename (without .yaml). Only the kinds the
# library emits: Certificates name their issuer by reference, so Issuer bindings are not needed, and
# worker fleets use namespaced TriggerAuthentications only (no ClusterTriggerAuthentication).
imports=(
  "servicemonitor monitoring.coreos.com_servicemonitors"
  "podmonitor monitoring.coreos.com_podmonitors"
  "prometheusrule monitoring.coreos.com_prometheusrules"
  "certificate cert-manager.io_certificates"
  "scaledobject keda.sh_scaledobjects"
  "triggerauthentication keda.sh_triggerauthentications"
)

for entry in "${imports[@]}"; do
  read -r name base <<<"$entry"
  src="$crds/$base.yaml"
  [ -f "$src" ] || { echo "import-crds: $src not found" >&2; exit 1; }
  out="$tmp/$name"
  # Run from the temp dir so the CLI reads no cdk8s.yaml and can write none.
  (cd "$tmp" && "$cdk8s" import --no-check-upgrade --no-save --language typescript --output "$out" "$name:=$src") >/dev/null
  shopt -s nullglob
  generated=("$out"/*.ts)
  shopt -u nullglob
  if [ "${#generated[@]}" -ne 1 ]; then
    echo "import-crds: expected one file from $base.yaml, got: ${generated[*]:-none}" >&2
    exit 1
  fi
  mv "${generated[0]}" "$repo/imports/$base.ts"
  echo "imports/$base.ts <- $(basename "${generated[0]}") ($(grep -oE '^export class [A-Za-z0-9]+ extends ApiObject' "$repo/imports/$base.ts" | awk '{print $3}' | paste -sd, -))"
done

# One pass per object instead of one copy per field in every toJson_* (see scripts/linear-imports.js).
for entry in "${imports[@]}"; do
  read -r _ base <<<"$entry"
  node "$repo/scripts/linear-imports.js" "$repo/imports/$base.ts"
done
