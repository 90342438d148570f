"""docs/ (the registry layout: index.md, resources/<name>.md, data-sources/<name>.md)
against the provider's schema, so the reference pages cannot drift from the code:
a page per resource and data source and no other, every attribute documented in the
right section (Required, Optional, Read-Only) with its type and sensitivity, none
invented, the examples use only attributes that exist, and import is documented
exactly for the resources that support it. The schema tofu itself reads from the
provider is checked against the same classes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.tofu_cli import REPO_ROOT, TofuWorkspace, provider_hcl
from hostup_sim.server import SimServer
from terraform_provider_hostup.provider import HostupProvider

DOCS = REPO_ROOT / "docs"
PROVIDER = HostupProvider()
PREFIX = PROVIDER.get_model_prefix()
RESOURCES = {cls.get_name(): cls for cls in PROVIDER.get_resources()}
DATA_SOURCES = {cls.get_name(): cls for cls in PROVIDER.get_data_sources()}
TYPE_NAMES = {b'"string"': "String", b'"number"': "Number", b'"bool"': "Bool"}
ITEM = re.compile(r"^- `(?P<name>[a-z_]+)` \((?P<type>[A-Za-z]+)(?P<sensitive>, Sensitive)?\) \S")


def section_of(attribute: Any) -> str:
    if attribute.required:
        return "Required"
    return "Optional" if attribute.optional else "Read-Only"


def documented(page: Path) -> dict[str, tuple[str, str, bool]]:
    """name -> (section, type, sensitive) of each `- \\`name\\` (Type) ...` item under
    the page's `## Schema`."""
    text = page.read_text()
    assert "\n## Schema\n" in text, f"{page}: no ## Schema section"
    schema = text.split("\n## Schema\n", 1)[1].split("\n## ", 1)[0]
    found: dict[str, tuple[str, str, bool]] = {}
    section = ""
    for line in schema.splitlines():
        if line.startswith("### "):
            section = line[4:].strip()
        elif line.startswith("- "):
            match = ITEM.match(line)
            assert match, f"{page}: not an attribute item: {line!r}"
            assert match["name"] not in found, f"{page}: {match['name']} documented twice"
            found[match["name"]] = (section, match["type"], bool(match["sensitive"]))
    return found


def expected(attributes: list[Any]) -> dict[str, tuple[str, str, bool]]:
    return {
        a.name: (section_of(a), TYPE_NAMES[a.type.tf_type()], bool(a.sensitive)) for a in attributes
    }


def pages(kind: str) -> dict[str, Path]:
    return {path.stem: path for path in (DOCS / kind).glob("*.md")}


def test_there_is_a_page_for_each_resource_and_data_source_and_no_other() -> None:
    assert set(pages("resources")) == set(RESOURCES)
    assert set(pages("data-sources")) == set(DATA_SOURCES)
    assert (DOCS / "index.md").is_file()


def test_the_provider_page_documents_the_provider_block() -> None:
    provider_schema = PROVIDER.get_provider_schema(None)
    assert documented(DOCS / "index.md") == expected(provider_schema.attributes)


@pytest.mark.parametrize(
    ("kind", "name"),
    [("resources", n) for n in sorted(RESOURCES)]
    + [("data-sources", n) for n in sorted(DATA_SOURCES)],
)
def test_each_page_documents_every_attribute_and_invents_none(kind: str, name: str) -> None:
    cls = (RESOURCES if kind == "resources" else DATA_SOURCES)[name]
    page = DOCS / kind / f"{name}.md"
    label = "Resource" if kind == "resources" else "Data Source"
    assert f"\n# {PREFIX}{name} ({label})\n" in page.read_text()
    assert documented(page) == expected(cls.get_schema().attributes)


def _example_blocks(text: str) -> list[tuple[str, str, dict[str, None]]]:
    """(kind, type, {attribute: None}) of each resource/data block in ```terraform fences."""
    blocks = []
    for fence in re.findall(r"```terraform\n(.*?)```", text, flags=re.S):
        for kind, type_, body in re.findall(
            r'^(resource|data) "(hostup_[a-z_]+)" "[a-z_]+" \{\n(.*?)^\}', fence, flags=re.S | re.M
        ):
            keys = re.findall(r"^  ([a-z_]+)\s*=", body, flags=re.M)
            blocks.append((kind, type_, dict.fromkeys(keys)))
    return blocks


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: p.stem)
def test_examples_set_only_attributes_that_can_be_set(page: Path) -> None:
    for kind, type_, keys in _example_blocks(page.read_text()):
        classes = RESOURCES if kind == "resource" else DATA_SOURCES
        cls = classes[type_.removeprefix(PREFIX)]
        settable = {a.name for a in cls.get_schema().attributes if a.required or a.optional}
        assert set(keys) <= settable, f"{page}: {type_} example sets {set(keys) - settable}"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_import_is_documented_as_the_resource_supports_it(name: str) -> None:
    text = (DOCS / "resources" / f"{name}.md").read_text()
    assert "\n## Import\n" in text
    section = text.split("\n## Import\n", 1)[1]
    importable = hasattr(RESOURCES[name], "import_")
    assert (f"tofu import {PREFIX}{name}." in section) == importable
    assert ("Not supported" in section) == (not importable)


@pytest.mark.opentofu
def test_tofu_reads_the_same_schema_from_the_provider(tofu: TofuWorkspace, sim: SimServer) -> None:
    tofu.write(provider_hcl(sim.url))
    shown = json.loads(tofu.run("providers", "schema", "-json").stdout)
    schemas = shown["provider_schemas"]["registry.opentofu.org/hostup/hostup"]

    def attributes(schema: dict[str, Any]) -> dict[str, tuple[str, str, bool]]:
        return {
            name: (
                "Required"
                if a.get("required")
                else "Optional"
                if a.get("optional")
                else "Read-Only",
                str(a["type"]).capitalize(),
                bool(a.get("sensitive")),
            )
            for name, a in schema["block"]["attributes"].items()
        }

    assert attributes(schemas["provider"]) == expected(
        PROVIDER.get_provider_schema(None).attributes
    )
    for name, cls in RESOURCES.items():
        assert attributes(schemas["resource_schemas"][PREFIX + name]) == expected(
            cls.get_schema().attributes
        )
    for name, cls in DATA_SOURCES.items():
        assert attributes(schemas["data_source_schemas"][PREFIX + name]) == expected(
            cls.get_schema().attributes
        )
