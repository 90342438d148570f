"""A trivial dynamic provider: each resource is a file in a directory the test names.

It lives in its own module (not __main__) so that dill pickles the provider by
reference, as our real provider is; the provider process must then import this
module, which is part of what the smoke test proves.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class MarkerProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        marker_dir = Path(props["marker_dir"])
        marker_dir.mkdir(parents=True, exist_ok=True)
        marker_id = f"{props['label']}-{uuid.uuid4().hex[:8]}"
        (marker_dir / marker_id).write_text(props["label"])
        outs = {
            **props,
            "greeting": f"hello {props['label']}",
            # Which interpreter served the provider: the launcher's venv choice.
            "provider_python": sys.executable,
        }
        return CreateResult(marker_id, outs)

    def delete(self, id: str, props: dict[str, Any]) -> None:
        (Path(props["marker_dir"]) / id).unlink(missing_ok=True)


class Marker(Resource):
    label: pulumi.Output[str]
    greeting: pulumi.Output[str]
    provider_python: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        label: str,
        marker_dir: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "label": label,
            "marker_dir": marker_dir,
            "greeting": None,
            "provider_python": None,
        }
        super().__init__(MarkerProvider(), name, props, opts)
