#!/usr/bin/env bash
# Find or build the Pulumi CLI, with the Python language host and the Python
# dynamic-provider launcher next to it, and print the directory that holds them.
#
# Usage:
#   scripts/install-pulumi.sh                  choose (building if needed), then print the bin dir
#   scripts/install-pulumi.sh --print-bin-dir  same, printing only the bin dir on stdout:
#       export PATH="$(scripts/install-pulumi.sh --print-bin-dir):$PATH"
#   scripts/install-pulumi.sh --print-release  the release this script builds (3.260.0)
#
# Which CLI, first match wins:
#   1. the `pulumi` on PATH, if it is v3 at least the release below AND the plugins a
#      dynamic provider needs (pulumi-language-python, pulumi-resource-pulumi-python)
#      are next to it or on PATH, as in every real Pulumi install: no build, seconds;
#   2. our cached build of the release below, if its inputs have not changed;
#   3. a build of the release below from the Go module proxy, into the cache (needs Go;
#      about 6 minutes on 2 cores with empty Go caches, under a minute with warm ones).
#
# What a build puts in the bin dir:
#   pulumi                         github.com/pulumi/pulumi/pkg/v3/cmd/pulumi at the release
#   pulumi-language-python         scripts/pulumi-cli/cmd/pulumi-language-python (ours: the
#                                  upstream module is not served by the Go proxy we reach)
#   pulumi-language-python-exec    the program shim, from the sdk/v3 module at the release
#   pulumi-resource-pulumi-python  scripts/pulumi-cli/pulumi-resource-pulumi-python (ours)
#
# Progress goes to stderr. Environment:
#   PULUMI_HOSTUP_CACHE        cache root (default ${XDG_CACHE_HOME:-~/.cache}/pulumi-hostup)
#   PULUMI_HOSTUP_BUILD_CLI=1  skip 1 and 2: build now (a CI-like check of the build path)
# Go's own caches (GOMODCACHE, GOCACHE) are used as configured.
set -euo pipefail

# The release built here (the Go modules are pinned to it in scripts/pulumi-cli/go.mod),
# and the oldest CLI taken from PATH. scripts/setup.sh pins the development venv's
# `pulumi` Python package to it too; the package itself accepts a range (pyproject.toml).
PULUMI_VERSION=3.260.0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module_dir=$root/scripts/pulumi-cli
cache_root=${PULUMI_HOSTUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hostup}
install_dir=$cache_root/pulumi-v$PULUMI_VERSION
bin_dir=$install_dir/bin
stamp_file=$install_dir/inputs.sha256
version_ldflag="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
# What the engine needs besides `pulumi` to run a Python program with dynamic resources.
PLUGINS=(pulumi-language-python pulumi-resource-pulumi-python)
print_only=false

say() { echo "install-pulumi: $*" >&2; }
# True when PULUMI_HOSTUP_BUILD_CLI asks for a build ("", 0 and false do not).
forced() { case "${PULUMI_HOSTUP_BUILD_CLI:-}" in "" | 0 | false) return 1 ;; esac; }
die() { say "error: $*"; exit 1; }

finish() {
  if ! $print_only; then
    say "Pulumi CLI $("$1/pulumi" version 2>/dev/null) ready; put this directory on PATH:"
  fi
  echo "$1"
  exit 0
}

# True when version $1 (e.g. "v3.272.0", "3.260.0-alpha.1") is a v3 release at least
# PULUMI_VERSION. A pre-release suffix is dropped: it counts as its release.
version_ok() {
  local given=${1#v}
  given=${given%%[-+]*}
  [[ $given =~ ^3\.[0-9]+\.[0-9]+$ ]] || return 1
  [ "$(printf '%s\n%s\n' "$PULUMI_VERSION" "$given" | sort -V | head -n1)" = "$PULUMI_VERSION" ]
}

# True when every plugin in PLUGINS is an executable in dir $1 or on PATH.
plugins_reachable() {
  local dir=$1 plugin
  for plugin in "${PLUGINS[@]}"; do
    [ -x "$dir/$plugin" ] || command -v "$plugin" >/dev/null 2>&1 || return 1
  done
}

# The directory of the `pulumi` on PATH, if it will do (rule 1); nothing otherwise.
usable_on_path() {
  local exe dir version
  exe=$(command -v pulumi 2>/dev/null) || return 1
  dir=$(cd "$(dirname "$exe")" && pwd)
  # Our own build on PATH is judged as the cache is (rule 2): by its inputs.
  [ "$dir" != "$bin_dir" ] || return 1
  version=$("$exe" version 2>/dev/null) || version=""
  if ! version_ok "$version"; then
    say "pulumi on PATH ($exe) is ${version:-of unknown version}; need v3 >= v$PULUMI_VERSION"
    return 1
  fi
  if ! plugins_reachable "$dir"; then
    say "pulumi $version on PATH lacks ${PLUGINS[*]} (next to it or on PATH)"
    return 1
  fi
  say "using pulumi $version on PATH"
  echo "$dir"
}

# A hash of our inputs: a change to the wrapper module, our language host or the
# launcher makes the cached build stale.
inputs_hash() {
  (cd "$module_dir" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \
      -o -name pulumi-resource-pulumi-python \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
    | sha256sum | cut -c1-16
}

# True when the cache holds a complete build of these inputs (rule 2).
cache_complete() {
  local exe
  [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$(inputs_hash)" ] || return 1
  for exe in pulumi "${PLUGINS[@]}" pulumi-language-python-exec; do
    [ -x "$bin_dir/$exe" ] || return 1
  done
  [ "$("$bin_dir/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]
}

# Run a go command without its one line per downloaded module (stdout kept apart;
# pipefail makes the go command's status the function's).
go_quiet() {
  { "$@" 2>&1 1>&3 3>&- | sed -u '/^go: downloading /d' >&2; } 3>&1
}

build() {
  command -v go >/dev/null || die "the go command is needed (Go >= 1.26.6) to build the Pulumi CLI"
  mkdir -p "$cache_root"
  exec 9>"$cache_root/.install.lock"
  if ! flock -n 9; then
    say "another install is running; waiting for it"
    flock 9
    if ! forced && cache_complete; then
      finish "$bin_dir"
    fi
  fi

  say "building Pulumi v$PULUMI_VERSION from the Go module proxy into $bin_dir"
  say "(about 6 minutes on 2 cores with empty Go caches, under a minute with warm ones)"
  staging=$(mktemp -d "$cache_root/.build.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  local started=$SECONDS resolved sdk_dir got

  cd "$module_dir"
  export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"
  resolved=$(go_quiet go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
  [ "$resolved" = "v$PULUMI_VERSION" ] \
    || die "scripts/pulumi-cli/go.mod resolves pkg/v3 $resolved, not v$PULUMI_VERSION"

  say "downloading modules and compiling pulumi (the slow part)"
  go_quiet go build -trimpath -ldflags "-s -w $version_ldflag" -o "$staging/pulumi" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  say "pulumi compiled after $((SECONDS - started))s; compiling pulumi-language-python"
  go_quiet go build -trimpath -ldflags "-s -w $version_ldflag" \
    -o "$staging/pulumi-language-python" ./cmd/pulumi-language-python

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
}

main() {
  case "${1:-}" in
    "") ;;
    --print-bin-dir) print_only=true ;;
    --print-release) echo "$PULUMI_VERSION"; exit 0 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "install-pulumi: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac

  if forced; then
    say "PULUMI_HOSTUP_BUILD_CLI is set: building, whatever is on PATH or cached"
  else
    local dir
    if dir=$(usable_on_path); then
      finish "$dir"
    fi
    if cache_complete; then
      say "cached build of v$PULUMI_VERSION found"
      finish "$bin_dir"
    fi
  fi
  build
}

# Sourced (by the tests, to reach one function), define the functions only.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
