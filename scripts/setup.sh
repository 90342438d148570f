#!/usr/bin/env bash
# Everything a fresh machine needs, idempotent: the project venv (.venv) with the
# package and its dev tools, and the Pulumi CLI built from its Go modules.
# Usage: scripts/setup.sh [--no-pulumi]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$py" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing pulumi-hostup and its dev tools into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev,bench]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
if [ "${1:-}" != "--no-pulumi" ]; then
  scripts/install-pulumi.sh
fi
