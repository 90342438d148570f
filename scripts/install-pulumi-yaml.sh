#!/usr/bin/env bash
# Find or build pulumi-language-yaml (the language host for Pulumi YAML programs)
# and print the directory that holds it.
#
# Usage:
#   scripts/install-pulumi-yaml.sh                  choose (building if needed), then print the dir
#   scripts/install-pulumi-yaml.sh --print-bin-dir  same, printing only the dir on stdout:
#       export PATH="$(scripts/install-pulumi-yaml.sh --print-bin-dir):$PATH"
#   scripts/install-pulumi-yaml.sh --print-release  the release this script builds (1.25.0)
#
# Which host, first match wins:
#   1. the `pulumi-language-yaml` on PATH: no build;
#   2. our cached build of the release below;
#   3. `go install github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v<release>`
#      from the Go module proxy, into the cache (needs Go; about 4 minutes on 2 busy
#      cores with empty Go caches, 45 MB). Nothing is downloaded from anywhere else.
#
# Progress goes to stderr. Environment:
#   PULUMI_HOSTUP_CACHE         cache root (default ${XDG_CACHE_HOME:-~/.cache}/pulumi-hostup)
#   PULUMI_HOSTUP_BUILD_YAML=1  skip 1 and 2: build now
# Go's own caches (GOMODCACHE, GOCACHE) are used as configured.
set -euo pipefail

YAML_VERSION=1.25.0

cache_root=${PULUMI_HOSTUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hostup}
install_dir=$cache_root/pulumi-yaml-v$YAML_VERSION
bin_dir=$install_dir/bin
exe=pulumi-language-yaml
print_only=false

say() { echo "install-pulumi-yaml: $*" >&2; }
forced() { case "${PULUMI_HOSTUP_BUILD_YAML:-}" in "" | 0 | false) return 1 ;; esac; }
die() { say "error: $*"; exit 1; }

finish() {
  if ! $print_only; then
    say "$exe ready; put this directory on PATH:"
  fi
  echo "$1"
  exit 0
}

cache_complete() { [ -x "$bin_dir/$exe" ] && [ -f "$install_dir/complete" ]; }

build() {
  command -v go >/dev/null || die "the go command is needed to build $exe v$YAML_VERSION"
  mkdir -p "$cache_root"
  exec 9>"$cache_root/.install-yaml.lock"
  if ! flock -n 9; then
    say "another install is running; waiting for it"
    flock 9
    if ! forced && cache_complete; then
      finish "$bin_dir"
    fi
  fi
  say "building $exe v$YAML_VERSION from the Go module proxy into $bin_dir"
  say "(about 4 minutes on 2 cores with empty Go caches)"
  local staging started=$SECONDS
  staging=$(mktemp -d "$cache_root/.build-yaml.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  # GOFLAGS from the caller could force -mod=vendor or the like; `go install pkg@v` wants none.
  { GOBIN=$staging GOFLAGS=-trimpath go install \
      "github.com/pulumi/pulumi-yaml/cmd/$exe@v$YAML_VERSION" 2>&1 1>&3 3>&- \
      | sed -u '/^go: downloading /d' >&2; } 3>&1
  [ -x "$staging/$exe" ] || die "go install left no $exe"
  rm -rf "$bin_dir"
  mkdir -p "$install_dir"
  mv "$staging" "$bin_dir"
  chmod 0755 "$bin_dir"
  echo "v$YAML_VERSION" >"$install_dir/complete"
  say "built in $((SECONDS - started))s: $(du -sh "$bin_dir" | cut -f1) in $bin_dir"
  finish "$bin_dir"
}

main() {
  case "${1:-}" in
    "") ;;
    --print-bin-dir) print_only=true ;;
    --print-release) echo "$YAML_VERSION"; exit 0 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "install-pulumi-yaml: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  if forced; then
    say "PULUMI_HOSTUP_BUILD_YAML is set: building, whatever is on PATH or cached"
  else
    local found
    if found=$(command -v "$exe" 2>/dev/null) && [ "$(dirname "$found")" != "$bin_dir" ]; then
      $print_only || say "using $found on PATH"
      finish "$(cd "$(dirname "$found")" && pwd)"
    fi
    if cache_complete; then
      $print_only || say "cached build of v$YAML_VERSION found"
      finish "$bin_dir"
    fi
  fi
  build
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
