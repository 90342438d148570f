"""pulumi-hostup."""
