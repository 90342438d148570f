"""Shared helpers of the tests and the benchmarks (`bench/` imports them too).

- `contract`: where openapi.yaml is, and `Contract`, which checks answers against it.
- `pulumi_cli`: the real Pulumi CLI in an isolated sandbox (`PulumiSandbox`).
- `tofu_cli`: the real OpenTofu CLI in an isolated working dir (`TofuWorkspace`), and
  the HCL of mounts for the simulator.
- `pulumi_fixtures`: the pytest plugin with the `pulumi_bin_dir` and `pulumi_sandbox`
  fixtures (registered by tests/conftest.py).
- `hostup_stack`: a stack of VpsIsoMounts against the simulator, and what the engine's
  JSON output says.
- `native`: the native provider through the real CLI: the YAML host, the plugin
  packed and installed, YAML programs, and what the engine said of the native types.
- `provider_host`: the real dynamic-provider host (`python -m pulumi.dynamic`) over gRPC.
- `servers`: loopback servers: `hostup-sim` in its own process, a hostile HTTP server.
- `processes`: stopping children, whole sessions, /proc readings, bounded waits.
- `machine`: the CPU and memory the reports name.
"""
