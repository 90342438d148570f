"""The ``terraform-provider-hostup`` executable: serve the provider to tofu or terraform."""

from __future__ import annotations


def main() -> None:
    """Serve the plugin protocol (v6) until tofu stops it; tofu starts it, not a person."""
    import os
    import sys

    # go-plugin sets the cookie for the plugins it starts; --dev is the framework's
    # debug mode (the provider runs on its own, tofu attaches to it).
    if "TF_PLUGIN_MAGIC_COOKIE" not in os.environ and "--dev" not in sys.argv:
        print(
            "terraform-provider-hostup is a plugin for OpenTofu and Terraform: tofu starts it.\n"
            "See the README's OpenTofu section (dev_overrides, or a filesystem mirror written\n"
            "by `python -m terraform_provider_hostup.mirror`).",
            file=sys.stderr,
        )
        raise SystemExit(1)
    try:
        from tf.runner import run_provider
    except ImportError:
        print(
            "terraform-provider-hostup needs the OpenTofu extra: pip install 'pulumi-hostup[tofu]'",
            file=sys.stderr,
        )
        raise SystemExit(1) from None

    from .provider import HostupProvider

    provider = HostupProvider()
    run_provider(provider)
    if provider.close_for_exit():
        _exit_at_once()


def _exit_at_once() -> None:
    """End the process without the interpreter's teardown (freeing every module and
    object, which takes longer than this process's work in most tofu phases, and tofu
    waits for it once per phase). Only when no write is in progress: the normal exit
    waits for the framework's threads, so a call still writing after a StopProvider
    finishes first."""
    import logging
    import os
    import sys

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
