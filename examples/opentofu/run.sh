#!/usr/bin/env bash
# examples/opentofu against a local hostup-sim, as README.md in this directory says:
# the provider installed from a filesystem mirror (so `tofu init` writes a lock file),
# then apply, a plan that changes nothing, and (with --destroy) destroy.
# Everything lives in .demo/opentofu; nothing talks to anything but 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/scripts/setup.sh" --no-pulumi
PATH="$("$root/scripts/install-tofu.sh" --print-bin-dir):$root/.venv/bin:$PATH"
export PATH CHECKPOINT_DISABLE=1
work=${HOSTUP_DEMO_DIR:-$root/.demo}/opentofu
mkdir -p "$work"
cp "$root/examples/opentofu/main.tf" "$work/"

# The simulator, with its world in a file so that every tofu command sees the same one.
[ -f "$work/sim-state.json" ] || hostup-sim seed --state "$work/sim-state.json" >/dev/null
rm -f "$work/sim-url"
hostup-sim serve --port 0 --state "$work/sim-state.json" --url-file "$work/sim-url" \
  >"$work/sim.log" 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/sim-url" ] && break; sleep 0.1; done
[ -s "$work/sim-url" ] || { cat "$work/sim.log"; exit 1; }
eval "$(hostup-sim seed --print-env)"  # DEMO_API_KEY and the world's ids
export HOSTUP_ENDPOINT HOSTUP_API_KEY="$DEMO_API_KEY"
HOSTUP_ENDPOINT=$(cat "$work/sim-url")

step() { printf '\n$ %s\n' "$*"; "$@"; }
cd "$work"
step python -m terraform_provider_hostup.mirror "$work/mirror" --cli-config "$work/tofurc"
export TF_CLI_CONFIG_FILE=$work/tofurc
step tofu init -input=false
step tofu apply -input=false -auto-approve
step tofu plan -input=false -detailed-exitcode
if [ "${1:-}" = "--destroy" ]; then
  step tofu destroy -input=false -auto-approve
fi
