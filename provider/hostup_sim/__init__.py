"""hostup_sim: a local simulator of the Hostup VPS ISO API (openapi.yaml), for tests and demos.

    from hostup_sim.server import SimServer      # threaded loopback server
    from hostup_sim.store import HostupStore     # state + one method per operationId
    from hostup_sim.admin import SimAdmin        # drive a running sim from another process
    from hostup_sim import world                 # fixed ids and keys of the demo world

Command line: `hostup-sim serve|seed|drift|log|faults|settings|reset` (see __main__.py).
The package imports nothing from pulumi_hostup: its wire code is written apart from
the client's models, and both are checked against openapi.yaml.
"""
