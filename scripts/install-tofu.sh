#!/usr/bin/env bash
# Find or build the OpenTofu CLI (`tofu`) and print the directory that holds it.
#
# Usage:
#   scripts/install-tofu.sh                  choose (building if needed), then print the bin dir
#   scripts/install-tofu.sh --print-bin-dir  same, printing only the bin dir on stdout:
#       export PATH="$(scripts/install-tofu.sh --print-bin-dir):$PATH"
#   scripts/install-tofu.sh --print-release  the release this script builds (1.12.6)
#
# Which tofu, first match wins:
#   1. the `tofu` on PATH, if it is v1 at least the release below: no build;
#   2. our cached build of the release below, if its inputs have not changed;
#   3. a build of the release below from the Go module proxy, into the cache, through
#      the wrapper module scripts/tofu-cli (upstream's go.mod has a `replace` line, so
#      `go install github.com/opentofu/opentofu/cmd/tofu@v1.12.6` is refused). Needs Go
#      >= 1.26.6; about 7 minutes on 2 cores with empty Go caches, seconds with warm ones.
# Nothing is downloaded but Go modules: no release archive, no registry.
#
# Progress goes to stderr. Environment:
#   PULUMI_HOSTUP_CACHE         cache root (default ${XDG_CACHE_HOME:-~/.cache}/pulumi-hostup)
#   PULUMI_HOSTUP_BUILD_TOFU=1  skip 1 and 2: build now (a CI-like check of the build path)
# Go's own caches (GOMODCACHE, GOCACHE) are used as configured.
set -euo pipefail

# The release built here (pinned in scripts/tofu-cli/go.mod), and the oldest tofu taken
# from PATH.
TOFU_VERSION=1.12.6

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module_dir=$root/scripts/tofu-cli
cache_root=${PULUMI_HOSTUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-hostup}
install_dir=$cache_root/tofu-v$TOFU_VERSION
bin_dir=$install_dir/bin
stamp_file=$install_dir/inputs.sha256
# Upstream's release flags (its goreleaser config); without the -X it calls itself -dev.
ldflags="-s -w -X 'github.com/opentofu/opentofu/version.dev=no'"
print_only=false

say() { echo "install-tofu: $*" >&2; }
# True when PULUMI_HOSTUP_BUILD_TOFU asks for a build ("", 0 and false do not).
forced() { case "${PULUMI_HOSTUP_BUILD_TOFU:-}" in "" | 0 | false) return 1 ;; esac; }
die() { say "error: $*"; exit 1; }

# The version `tofu version` prints for executable $1 ("1.12.6"), or nothing.
tofu_version() {
  local out line
  # The whole output, then its first line: piping into `head -n1` could kill tofu with
  # SIGPIPE before it ends, and pipefail would then read that as no version at all.
  out=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null) || return 0
  line=${out%%$'\n'*}
  echo "${line#OpenTofu v}"
}

finish() {
  if ! $print_only; then
    say "OpenTofu $(tofu_version "$1/tofu") ready; put this directory on PATH:"
  fi
  echo "$1"
  exit 0
}

# True when version $1 (e.g. "1.12.6", "1.13.0-beta1") is a v1 release at least
# TOFU_VERSION. A pre-release suffix is dropped: it counts as its release.
version_ok() {
  local given=${1#v}
  given=${given%%[-+]*}
  [[ $given =~ ^1\.[0-9]+\.[0-9]+$ ]] || return 1
  [ "$(printf '%s\n%s\n' "$TOFU_VERSION" "$given" | sort -V | head -n1)" = "$TOFU_VERSION" ]
}

# The directory of the `tofu` on PATH, if it will do (rule 1); nothing otherwise.
usable_on_path() {
  local exe dir version
  exe=$(command -v tofu 2>/dev/null) || return 1
  dir=$(cd "$(dirname "$exe")" && pwd)
  # Our own build on PATH is judged as the cache is (rule 2): by its inputs.
  [ "$dir" != "$bin_dir" ] || return 1
  version=$(tofu_version "$exe")
  if ! version_ok "$version"; then
    say "tofu on PATH ($exe) is ${version:-of unknown version}; need v1 >= v$TOFU_VERSION"
    return 1
  fi
  say "using tofu $version on PATH"
  echo "$dir"
}

# A hash of our inputs: a change to the wrapper module makes the cached build stale.
inputs_hash() {
  (cd "$module_dir" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) \
      -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# True when the cache holds a complete build of these inputs (rule 2).
cache_complete() {
  [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$(inputs_hash)" ] || return 1
  [ -x "$bin_dir/tofu" ] && [ "$(tofu_version "$bin_dir/tofu")" = "$TOFU_VERSION" ]
}

# Run a go command without its one line per downloaded module (stdout kept apart;
# pipefail makes the go command's status the function's).
go_quiet() {
  { "$@" 2>&1 1>&3 3>&- | sed -u '/^go: downloading /d' >&2; } 3>&1
}

build() {
  command -v go >/dev/null || die "the go command is needed (Go >= 1.26.6) to build OpenTofu"
  mkdir -p "$cache_root"
  exec 9>"$cache_root/.install-tofu.lock"
  if ! flock -n 9; then
    say "another install is running; waiting for it"
    flock 9
    if ! forced && cache_complete; then
      finish "$bin_dir"
    fi
  fi

  say "building OpenTofu v$TOFU_VERSION from the Go module proxy into $bin_dir"
  say "(about 7 minutes on 2 cores with empty Go caches, seconds with warm ones)"
  staging=$(mktemp -d "$cache_root/.build-tofu.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  local started=$SECONDS resolved got

  cd "$module_dir"
  export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"
  export CGO_ENABLED=0
  resolved=$(go_quiet go list -m -f '{{.Version}}' github.com/opentofu/opentofu)
  [ "$resolved" = "v$TOFU_VERSION" ] \
    || die "scripts/tofu-cli/go.mod resolves opentofu $resolved, not v$TOFU_VERSION"

  say "downloading modules and compiling tofu (the slow part)"
  go_quiet go build -trimpath -ldflags "$ldflags" -o "$staging/tofu" \
    github.com/opentofu/opentofu/cmd/tofu

  got=$(tofu_version "$staging/tofu")
  [ "$got" = "$TOFU_VERSION" ] || die "built tofu reports ${got:-nothing}, expected $TOFU_VERSION"

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
    --print-release) echo "$TOFU_VERSION"; exit 0 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "install-tofu: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac

  if forced; then
    say "PULUMI_HOSTUP_BUILD_TOFU is set: building, whatever is on PATH or cached"
  else
    local dir
    if dir=$(usable_on_path); then
      finish "$dir"
    fi
    if cache_complete; then
      say "cached build of v$TOFU_VERSION found"
      finish "$bin_dir"
    fi
  fi
  build
}

# Sourced (by the tests, to reach one function), define the functions only.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
