"""Write a filesystem mirror from which ``tofu init`` installs ``hostup/hostup``.

Usage::

    python -m terraform_provider_hostup.mirror <mirror dir> [--cli-config <file>]

Packs this environment's ``terraform-provider-hostup`` launcher into the mirror's
packed layout (``registry.opentofu.org/hostup/hostup/`` then
``terraform-provider-hostup_<version>_<os>_<arch>.zip``, through the ``tf``
framework's ``install_provider``) and, with ``--cli-config``,
writes a tofu CLI configuration that takes ``hostup/*`` from the mirror and every
other provider from its registry. Then ``TF_CLI_CONFIG_FILE=<file> tofu init``
installs it and records it in ``.terraform.lock.hcl``.

The launcher names this virtualenv's Python by absolute path: a mirror works on the
machine that wrote it only, so each user runs this after ``pip install``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from importlib.metadata import version as installed_version
from pathlib import Path

from .provider import NAMESPACE, REGISTRY_HOST, TYPE

__all__ = ["cli_config", "launcher", "main", "provider_version", "write_mirror"]

EXECUTABLE = f"terraform-provider-{TYPE}"
DISTRIBUTION = "pulumi-hostup"


def provider_version() -> str:
    """The provider's version: the installed distribution's."""
    return installed_version(DISTRIBUTION)


def launcher() -> Path:
    """This environment's ``terraform-provider-hostup`` (next to its Python, else on PATH)."""
    beside = Path(sys.executable).parent / EXECUTABLE
    if beside.is_file():
        return beside
    found = shutil.which(EXECUTABLE)
    if found is None:
        raise SystemExit(
            f"mirror: no {EXECUTABLE} next to {sys.executable} or on PATH: "
            "install the package with its OpenTofu extra: pip install 'pulumi-hostup[tofu]'"
        )
    return Path(found)


def write_mirror(mirror_dir: Path, executable: Path | None = None) -> Path:
    """Pack the launcher into ``mirror_dir``; the provider's directory in it."""
    from tf.runner import install_provider

    install_provider(
        REGISTRY_HOST, NAMESPACE, TYPE, provider_version(), mirror_dir, executable or launcher()
    )
    return mirror_dir / REGISTRY_HOST / NAMESPACE / TYPE


def cli_config(mirror_dir: Path) -> str:
    """A tofu CLI configuration: ``hostup/*`` from the mirror, the rest as usual."""
    pattern = f"{REGISTRY_HOST}/{NAMESPACE}/*"
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror_dir.resolve()}"\n'
        f'    include = ["{pattern}"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{pattern}"]\n'
        "  }\n"
        "}\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m terraform_provider_hostup.mirror",
        description="Write a filesystem mirror from which `tofu init` installs hostup/hostup.",
    )
    parser.add_argument("mirror_dir", type=Path, help="the mirror's directory (created)")
    parser.add_argument(
        "--cli-config", type=Path, help="also write a tofu CLI configuration that uses it"
    )
    args = parser.parse_args(argv)
    where = write_mirror(args.mirror_dir)
    print(f"mirror: {EXECUTABLE} {provider_version()} packed into {where}")
    if args.cli_config:
        args.cli_config.write_text(cli_config(args.mirror_dir))
        print(f"mirror: CLI configuration written to {args.cli_config}; now run:")
        print(f"  export TF_CLI_CONFIG_FILE={args.cli_config.resolve()}")
        print("  tofu init")
    else:
        print("mirror: add this to your tofu CLI configuration (~/.tofurc):")
        print(cli_config(args.mirror_dir))


if __name__ == "__main__":
    main()
