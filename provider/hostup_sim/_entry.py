"""The `hostup-sim` console script: says what to install when the web stack is missing.

`pip install pulumi-hostup` brings the Pulumi resources only; the simulator's
web stack (Flask, and click with it) comes with the `[sim]` extra. Without it,
the CLI module cannot even be imported, so this entry point checks first.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        import click  # noqa: F401
        import flask  # noqa: F401
    except ImportError as exc:
        print(
            f"hostup-sim needs the simulator's extra ({exc.name} is missing): "
            "pip install 'pulumi-hostup[sim]'",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    from hostup_sim.__main__ import main as cli

    cli()
