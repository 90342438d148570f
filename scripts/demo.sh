#!/usr/bin/env bash
# The demo, from a fresh clone: installs what is missing, starts a local Hostup
# simulator with a seeded world, and runs `pulumi up` on the root project
# (examples/quickstart) against it, with a local file backend and no account.
# Run it again to see a steady-state preview; `scripts/demo.sh --destroy` unmounts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
# shellcheck source=scripts/sim-env.sh
. scripts/sim-env.sh
start_sim

eval "$(hostup-sim seed --print-env)"   # DEMO_API_KEY, VPS_WEB_1, ISO_UBUNTU_2404, ...
echo "demo: hostup-sim is serving $HOSTUP_SIM_URL (state in $HOSTUP_DEMO_DIR)"

pulumi stack select --create demo --non-interactive >/dev/null
pulumi config set hostup:endpoint "$HOSTUP_SIM_URL"
pulumi config set --secret hostup:apiKey "$DEMO_API_KEY"
pulumi config set vpsId "$VPS_WEB_1"
pulumi config set isoId "$ISO_UBUNTU_2404"

if [ "${1:-}" = "--destroy" ]; then
  # --run-program: this run's simulator URL, not the one saved by the last `up`.
  pulumi destroy --yes --non-interactive --run-program
  exit 0
fi
pulumi up --yes --non-interactive
echo
echo "demo: the stack outputs, as the API reported them:"
pulumi stack output --json
echo
echo "demo: a second preview must show no changes (and make no API call):"
pulumi preview --non-interactive --diff
echo
echo "demo: done. Try the drift walkthrough: examples/drift/README.md"
