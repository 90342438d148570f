#!/usr/bin/env bash
# Every check, from a fresh clone: installs what is missing (the venv, the Pulumi
# CLI and OpenTofu built from their Go modules), then format, lint, types and the
# whole test suite, the real-engine tests included. Extra arguments go to pytest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
PATH="$(scripts/install-pulumi.sh --print-bin-dir):$root/.venv/bin:$PATH"
PATH="$(scripts/install-tofu.sh --print-bin-dir):$PATH"
export PATH
# The YAML language host tests/native runs programs with (built once when missing).
scripts/install-pulumi-yaml.sh >/dev/null

echo "test: ruff format --check"
ruff format --check .
echo "test: ruff check"
ruff check .
echo "test: mypy --strict provider/"
mypy
echo "test: pytest"
python -m pytest "$@"
