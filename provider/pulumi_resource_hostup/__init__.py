"""``pulumi-resource-hostup``: a native Pulumi provider for Hostup ISO media.

A second Pulumi front-end on the core (:mod:`hostup`), beside the dynamic
resources of :mod:`pulumi_hostup`. It serves the hand-written ``schema.json``
(``hostup:index:VpsIsoMount``, ``hostup:index:VpsIsoImage``, the functions
``hostup:index:getVps`` / ``getIso``) over the provider protocol through the
Python SDK's experimental provider layer, so that programs in YAML, TypeScript
or Python can use it, ``pulumi import`` works, and explicit provider instances
manage several accounts.

- :mod:`.values`: Pulumi's property values to plain Python and back;
- :mod:`.resources`: each resource's thin translation to a core engine;
- :mod:`.functions`: the look-ups;
- :mod:`.provider`: the provider (configuration, dispatch, the engine's log);
- :mod:`.main`: the executable's entry point.
"""

from __future__ import annotations

from typing import Final

__all__ = ["PACKAGE", "VERSION"]

PACKAGE: Final = "hostup"
# The plugin's version; schema.json, the generated SDKs and the plugin tarball carry it
# too (tests/native/test_schema.py holds them equal, and equal to pyproject.toml's).
VERSION: Final = "0.1.0"
