#!/usr/bin/env bash
# The drift walkthrough of README.md, run end to end against a local hostup-sim.
# Each step prints what a person would type, then runs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/examples/drift
"$root/scripts/setup.sh"
export HOSTUP_DEMO_DIR=${HOSTUP_DEMO_DIR:-$root/.demo/drift}
rm -rf "$HOSTUP_DEMO_DIR"
# shellcheck source=../../scripts/sim-env.sh
. "$root/scripts/sim-env.sh"
start_sim
eval "$(hostup-sim seed --print-env)"
cd "$here"
step() { printf '\n$ %s\n' "$*"; "$@"; }

pulumi stack select --create drift --non-interactive >/dev/null
pulumi config set hostup:endpoint "$HOSTUP_SIM_URL"
pulumi config set --secret hostup:apiKey "$DEMO_API_KEY"
pulumi config set vpsId "$VPS_BUILD_1"
pulumi config set installerIsoId "$ISO_UBUNTU_2404"
pulumi config set toolsIsoId "$ISO_TOOLS"

step pulumi up --yes --non-interactive
echo; echo "# Someone ejects the installer and swaps the tools ISO in the dashboard:"
step hostup-sim drift unmount --vps "$VPS_BUILD_1" --device ide1
step hostup-sim drift swap --vps "$VPS_BUILD_1" --device ide3 --iso "$ISO_SYSTEMRESCUE"
echo; echo "# A preview alone does not see it: state still says all is well."
step pulumi preview --non-interactive
echo; echo "# refresh reads the VPS's ISO listing (once for both mounts):"
step pulumi refresh --yes --non-interactive --diff
echo; echo "# up puts back what the program declares: a create and an update."
step pulumi up --yes --non-interactive
step pulumi preview --non-interactive --expect-no-changes
step pulumi destroy --yes --non-interactive
