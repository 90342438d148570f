"""hostup: the Hostup API and the rules of mounting ISO media, for every front-end.

The core of pulumi-hostup. It imports no front-end framework (no ``pulumi``, no
``tf``; a test proves it), so a fix here reaches the Pulumi dynamic resource, the
native Pulumi provider and the OpenTofu provider alike. Modules:

- :mod:`hostup.client`: ``HostupClient``, one method per API operation.
- :mod:`hostup.errors`: the exception tree.
- :mod:`hostup.models`: pydantic models mirroring ``openapi.yaml``.
- :mod:`hostup.contract`: names and rules the contract fixes (standard library only).
- :mod:`hostup.assumptions`: every guess about the API, each marked in the contract.
- :mod:`hostup.settings`: one precedence for every setting.
- :mod:`hostup.mounts`: the mount engine (read, ensure mounted, ensure unmounted).

Importing this package loads nothing but itself: requests and pydantic load with
the modules that need them.
"""
