#!/usr/bin/env bash
# Build the Pulumi CLI, the Python language host and the Python dynamic-provider
# launcher at one pinned Pulumi release, from the Go module proxy, with no other
# download. The result is cached under ~/.cache/pulumi-hostup/pulumi-v<version>/bin.
#
# Usage:
#   scripts/install-pulumi.sh                  build if needed, then print the bin dir
#   scripts/install-pulumi.sh --print-bin-dir  same, printing only the bin dir on stdout:
#       export PATH="$(scripts/install-pulumi.sh --print-bin-dir):$PATH"
#
# What lands in the bin dir:
#   pulumi                         github.com/pulumi/pulumi/pkg/v3/cmd/pulumi at the pin
#   pulumi-language-python         scripts/pulumi-cli/cmd/pulumi-language-python (ours: the
#                                  upstream module is not served by the Go proxy we reach)
#   pulumi-language-python-exec    the program shim, from the sdk/v3 module at the pin
#   pulumi-resource-pulumi-python  scripts/pulumi-cli/pulumi-resource-pulumi-python (ours)
#
# Progress goes to stderr. Environment:
#   PULUMI_HOSTUP_CACHE  cache root (default ${XDG_CACHE_HOME:-~/.cache}/pulumi-hostup)
#   PULUMI_HOSTUP_FORCE_BUILD=1  build even if a cached or PATH install matches
# Go's own caches (GOMODCACHE, GOCACHE) are used as configured.
set -euo pipefail

PULUMI_VERSION=3.260.0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module_dir=$root/scripts/pulumi-cli
cache_root=${PULUMI_HOSTUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hostup}
install_dir=$cache_root/pulumi-v$PULUMI_VERSION
bin_dir=$install_dir/bin
version_ldflag="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"

print_only=false
case "${1:-}" in
  "") ;;
  --print-bin-dir) print_only=true ;;
  -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
  *) echo "install-pulumi: unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

say() { echo "install-pulumi: $*" >&2; }
die() { say "error: $*"; exit 1; }

finish() {
  if ! $print_only; then
    say "Pulumi CLI v$PULUMI_VERSION ready; put this directory on PATH:"
  fi
  echo "$1"
  exit 0
}

# The Python SDK pin and this build must be one release.
pyproject_pin=$(sed -n 's/^[[:space:]]*"pulumi==\([0-9.]*\)".*/\1/p' "$root/pyproject.toml" | head -n1)
if [ -n "$pyproject_pin" ] && [ "$pyproject_pin" != "$PULUMI_VERSION" ]; then
  die "pyproject.toml pins pulumi==$pyproject_pin but this script builds $PULUMI_VERSION; change both together"
fi

# A hash of our inputs: a change to the wrapper module, our language host or the
# launcher makes the cached build stale.
inputs_hash() {
  (cd "$module_dir" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \
      -o -name pulumi-resource-pulumi-python \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
    | sha256sum | cut -c1-16
}

# "v3.260.0" when the directory holds a complete install of the pinned release.
complete_install() {
  local dir=$1 exe
  for exe in pulumi pulumi-language-python pulumi-resource-pulumi-python; do
    [ -x "$dir/$exe" ] || return 1
  done
  [ "$("$dir/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]
}

force=${PULUMI_HOSTUP_FORCE_BUILD:-}
stamp_file=$install_dir/inputs.sha256
if [ -z "$force" ]; then
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$(inputs_hash)" ] \
      && [ -f "$bin_dir/pulumi-language-python-exec" ] && complete_install "$bin_dir"; then
    say "cached build of v$PULUMI_VERSION found"
    finish "$bin_dir"
  fi
  # An install on PATH (an official one, or ours) will do if it is the pinned release
  # and has the Python plugins next to it.
  if on_path=$(command -v pulumi 2>/dev/null) && [ "$(dirname "$on_path")" != "$bin_dir" ]; then
    path_dir=$(cd "$(dirname "$on_path")" && pwd)
    if complete_install "$path_dir"; then
      say "using the matching pulumi v$PULUMI_VERSION on PATH"
      finish "$path_dir"
    fi
  fi
fi

command -v go >/dev/null || die "the go command is needed (Go >= 1.26.6) to build the Pulumi CLI"

mkdir -p "$cache_root"
exec 9>"$cache_root/.install.lock"
if ! flock -n 9; then
  say "another install is running; waiting for it"
  flock 9
  if [ -z "$force" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$(inputs_hash)" ] \
      && complete_install "$bin_dir"; then
    finish "$bin_dir"
  fi
fi

say "building Pulumi v$PULUMI_VERSION from the Go module proxy into $bin_dir"
say "(about 6 minutes on 2 cores with empty Go caches, under a minute with warm ones)"
staging=$(mktemp -d "$cache_root/.build.XXXXXX")
trap 'rm -rf "$staging"' EXIT
started=$SECONDS

# Run a go command without its one line per downloaded module (stdout kept apart;
# pipefail makes the go command's status the function's).
go_quiet() {
  { "$@" 2>&1 1>&3 3>&- | sed -u '/^go: downloading /d' >&2; } 3>&1
}

cd "$module_dir"
export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"
resolved=$(go_quiet go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
[ "$resolved" = "v$PULUMI_VERSION" ] \
  || die "scripts/pulumi-cli/go.mod resolves pkg/v3 $resolved, not v$PULUMI_VERSION"

say "downloading modules and compiling pulumi (the slow part)"
go_quiet go build -trimpath -ldflags "-s -w $version_ldflag" -o "$staging/pulumi" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
say "pulumi compiled after $((SECONDS - started))s; compiling pulumi-language-python"
go_quiet go build -trimpath -ldflags "-s -w $version_ldflag" -o "$staging/pulumi-language-python" \
  ./cmd/pulumi-language-python

sdk_dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$staging/"
install -m 0755 "$module_dir/pulumi-resource-pulumi-python" "$staging/"

got=$("$staging/pulumi" version)
[ "$got" = "v$PULUMI_VERSION" ] || die "built pulumi reports $got, expected v$PULUMI_VERSION"

rm -rf "$bin_dir"
mkdir -p "$install_dir"
mv "$staging" "$bin_dir"
chmod 0755 "$bin_dir"
inputs_hash >"$stamp_file"
say "built in $((SECONDS - started))s: $(du -sh "$bin_dir" | cut -f1) in $bin_dir"
finish "$bin_dir"
