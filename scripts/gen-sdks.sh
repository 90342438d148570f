#!/usr/bin/env bash
# Generate the native provider's SDKs (sdk/python, sdk/nodejs) from its schema
# (provider/pulumi_resource_hostup/schema.json) with Pulumi's codegen at the CLI's
# release, through our small Go program in scripts/sdkgen/ (`pulumi package gen-sdk`
# cannot run with the CLI this project builds).
#
# Usage:
#   scripts/gen-sdks.sh               regenerate sdk/python and sdk/nodejs in place
#   scripts/gen-sdks.sh --out DIR     generate into DIR/python and DIR/nodejs instead
#   scripts/gen-sdks.sh --check       fail if sdk/ differs from what the schema generates
#
# The generator is built from the Go module proxy into the cache (under a minute with
# the Go caches scripts/install-pulumi.sh leaves; a few minutes cold) and reused while
# scripts/sdkgen/ is unchanged. Environment: PULUMI_HOSTUP_CACHE (as install-pulumi.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root=${PULUMI_HOSTUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hostup}
schema=$root/provider/pulumi_resource_hostup/schema.json
say() { echo "gen-sdks: $*" >&2; }
die() { say "error: $*"; exit 1; }

out=$root/sdk
check=false
case "${1:-}" in
  "") ;;
  --out) out=${2:?--out needs a directory} ;;
  --check) check=true ;;
  -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac

command -v go >/dev/null || die "the go command is needed to build scripts/sdkgen"
hash=$(cd "$root/scripts/sdkgen" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
exe=$cache_root/sdkgen-$hash/sdkgen
if [ ! -x "$exe" ]; then
  say "building scripts/sdkgen (Pulumi's codegen) into $(dirname "$exe")"
  mkdir -p "$(dirname "$exe")"
  (cd "$root/scripts/sdkgen" && GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" \
    go build -trimpath -o "$exe.tmp" . 2> >(sed -u '/^go: downloading /d' >&2))
  mv "$exe.tmp" "$exe"
fi

# The Python codegen names README.md in pyproject.toml but writes it inside the package.
generate() {
  "$exe" "$schema" "$1"
  cp "$1/python/pulumi_hostup_native/README.md" "$1/python/README.md"
}

if $check; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  # Build and install leftovers (pip, npm, Python) are not the generator's.
  if ! diff -r -x build -x "*.egg-info" -x node_modules -x bin -x __pycache__ "$tmp" "$root/sdk" >&2; then
    die "sdk/ is not what the schema generates: run scripts/gen-sdks.sh and commit sdk/"
  fi
  say "sdk/ matches the schema"
  exit 0
fi
generate "$out"
