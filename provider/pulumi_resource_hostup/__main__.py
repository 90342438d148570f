"""``python -m pulumi_resource_hostup``: the same as the ``pulumi-resource-hostup`` script."""

from pulumi_resource_hostup.main import main

if __name__ == "__main__":
    main()
