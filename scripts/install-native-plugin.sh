#!/usr/bin/env bash
# Pack the native provider plugin `pulumi-resource-hostup` into a tarball and install it
# into Pulumi's plugin cache, as users install provider plugins; then no PATH is needed.
#
# Usage:
#   scripts/install-native-plugin.sh [--python PY] [--out DIR] [--no-install]
#     --python PY    the Python that has pulumi-hostup installed (default: this repo's
#                    .venv/bin/python if there, else python3); the plugin runs with it
#     --out DIR      where the tarball goes (default: dist/)
#     --no-install   only pack; print the tarball's path on stdout
#
# The tarball holds one launcher, `pulumi-resource-hostup`, that runs
# `PY -I -m pulumi_resource_hostup` (PULUMI_HOSTUP_PYTHON, when set, replaces PY),
# so it works on the machine it was packed on. Then:
#   pulumi plugin install resource hostup <version> --file <tarball>
# with the `pulumi` on PATH (else the one scripts/install-pulumi.sh provides).
# `pulumi plugin ls` shows it; `pulumi plugin rm resource hostup <version>` removes it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "install-native-plugin: $*" >&2; }
die() { say "error: $*"; exit 1; }

python=""
out=$root/dist
install=true
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python=${2:?--python needs a path}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --no-install) install=false; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python=$root/.venv/bin/python; else python=python3; fi
fi
python=$(command -v "$python") || die "no Python at ${python}"
python=$(cd "$(dirname "$python")" && pwd)/$(basename "$python")  # absolute, not resolved: keep the venv
version=$("$python" -I -m pulumi_resource_hostup --version 2>/dev/null) \
  || die "$python cannot run pulumi_resource_hostup: pip install pulumi-hostup into it first (scripts/setup.sh does, for .venv)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cat >"$stage/pulumi-resource-hostup" <<LAUNCHER
#!/bin/sh
# pulumi-resource-hostup $version: the Hostup native provider, run by the Python that
# has pulumi-hostup installed (packed by scripts/install-native-plugin.sh).
exec "\${PULUMI_HOSTUP_PYTHON:-$python}" -I -m pulumi_resource_hostup "\$@"
LAUNCHER
chmod 0755 "$stage/pulumi-resource-hostup"
tarball=$out/pulumi-resource-hostup-v$version-$(uname -s | tr A-Z a-z)-$(uname -m).tar.gz
tar -C "$stage" -czf "$tarball" pulumi-resource-hostup
say "packed $tarball (runs $python)"

if ! $install; then
  echo "$tarball"
  exit 0
fi
if ! command -v pulumi >/dev/null; then
  PATH="$("$root/scripts/install-pulumi.sh" --print-bin-dir):$PATH"
fi
pulumi plugin install resource hostup "$version" --file "$tarball" --reinstall >&2
say "installed: resource hostup $version (see: pulumi plugin ls)"
