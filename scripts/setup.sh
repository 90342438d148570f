#!/usr/bin/env bash
# Everything a fresh machine needs, idempotent: the project venv (.venv) with the
# package, the simulator's and the OpenTofu provider's extras and the dev tools; a
# second venv (.venv-sdk) with the native provider's generated Python SDK; and
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
stamp=.venv/.installed-$( (cat pyproject.toml; echo "$pulumi_release") | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing pulumi-hostup with the simulator and its dev tools into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev,bench,sim,tofu]' "pulumi==$pulumi_release"
  # Earlier setups put the SDK here; it belongs in .venv-sdk (below).
  .venv/bin/python -m pip uninstall --quiet --yes pulumi_hostup_native 2>/dev/null || true
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# .venv-sdk: the native provider's generated Python SDK (sdk/python, editable, so a
# regenerated SDK needs no reinstall) beside this package, for the programs that use
# the SDK. Not in .venv: the SDK's pulumi-plugin.json makes every Python program of
# its virtualenv ask the engine for the hostup plugin, the dynamic resource's too.
if [ ! -x .venv-sdk/bin/python ]; then
  echo "setup: creating .venv-sdk"
  "$py" -m venv .venv-sdk
fi
sdk_stamp=.venv-sdk/.installed-$( (cat pyproject.toml sdk/python/pyproject.toml; echo "$pulumi_release") | sha256sum | cut -c1-16)
if [ ! -f "$sdk_stamp" ]; then
  echo "setup: installing the generated Python SDK and pulumi-hostup into .venv-sdk"
  .venv-sdk/bin/python -m pip install --quiet --upgrade pip
  .venv-sdk/bin/python -m pip install --quiet -e . -e ./sdk/python "pulumi==$pulumi_release"
  rm -f .venv-sdk/.installed-*
  touch "$sdk_stamp"
fi
if [ "${1:-}" != "--no-pulumi" ]; then
  scripts/install-pulumi.sh
fi
