#!/usr/bin/env bash
# Everything a fresh machine needs, idempotent: the project venv (.venv) with the
# package, the simulator's and the OpenTofu provider's extras and the dev tools, and
# a Pulumi CLI (the one on PATH if it will do, else one built from its Go modules:
# scripts/install-pulumi.sh).
# Usage: scripts/setup.sh [--no-pulumi]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$py" -m venv .venv
fi
# The package accepts a range of the pulumi SDK; development pins the release whose
# CLI scripts/install-pulumi.sh builds, so the tests run a matched pair.
pulumi_release=$(scripts/install-pulumi.sh --print-release)
stamp=.venv/.installed-$( (cat pyproject.toml sdk/python/pyproject.toml; echo "$pulumi_release") | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing pulumi-hostup with the simulator and its dev tools into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  # sdk/python: the native provider's generated Python SDK (pulumi_hostup_native),
  # editable, so a regenerated SDK needs no reinstall.
  .venv/bin/python -m pip install --quiet -e '.[dev,bench,sim,tofu]' -e ./sdk/python \
    "pulumi==$pulumi_release"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
if [ "${1:-}" != "--no-pulumi" ]; then
  scripts/install-pulumi.sh
fi
