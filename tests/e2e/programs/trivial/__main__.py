"""Three Marker resources; exports what the smoke test checks."""

from __future__ import annotations

import pulumi
from trivial_provider import Marker

config = pulumi.Config()
marker_dir = config.require("markerDir")

markers = [Marker(f"marker-{i}", label=f"label-{i}", marker_dir=marker_dir) for i in range(3)]

pulumi.export("ids", [m.id for m in markers])
pulumi.export("greetings", [m.greeting for m in markers])
pulumi.export("providerPython", markers[0].provider_python)
