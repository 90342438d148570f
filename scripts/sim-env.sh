# Sourced by the demo and the walkthroughs: a local Pulumi (file backend, no
# account) and a running hostup-sim, both under $HOSTUP_DEMO_DIR (default .demo/).
# Defines: start_sim, stop_sim, and exports PULUMI_* and HOSTUP_* for the CLI.
# Expects: $root (the repo), scripts/setup.sh already run.

HOSTUP_DEMO_DIR=${HOSTUP_DEMO_DIR:-$root/.demo}
mkdir -p "$HOSTUP_DEMO_DIR/backend" "$HOSTUP_DEMO_DIR/pulumi-home"
PATH="$("$root/scripts/install-pulumi.sh" --print-bin-dir):$root/.venv/bin:$PATH"
export PATH
export PULUMI_BACKEND_URL="file://$HOSTUP_DEMO_DIR/backend"
export PULUMI_HOME="$HOSTUP_DEMO_DIR/pulumi-home"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_RUNTIME_VIRTUALENV="$root/.venv"

sim_pid=""
start_sim() {
  # A persisted world, so each `pulumi` command (its own process) sees the same VPSes.
  local state="$HOSTUP_DEMO_DIR/sim-state.json"
  [ -f "$state" ] || hostup-sim seed --state "$state" >/dev/null
  rm -f "$HOSTUP_DEMO_DIR/sim-url"
  hostup-sim serve --port 0 --state "$state" --url-file "$HOSTUP_DEMO_DIR/sim-url" "$@" \
    >"$HOSTUP_DEMO_DIR/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 100); do
    [ -s "$HOSTUP_DEMO_DIR/sim-url" ] && break
    kill -0 "$sim_pid" 2>/dev/null || { cat "$HOSTUP_DEMO_DIR/sim.log"; return 1; }
    sleep 0.1
  done
  HOSTUP_SIM_URL=$(cat "$HOSTUP_DEMO_DIR/sim-url")
  export HOSTUP_SIM_URL
  trap stop_sim EXIT
}

stop_sim() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    sim_pid=""
  fi
}
