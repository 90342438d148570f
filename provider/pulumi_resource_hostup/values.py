"""Pulumi's property values to plain Python and back, and the names on both sides.

The schema's properties are camelCase (``vpsId``), the core's arguments snake_case
(``vps_id``); :data:`UNKNOWN` stands for a value the engine knows only after
apply (a preview's computed value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime import rpc

__all__ = ["UNKNOWN", "Unknown", "is_unknown", "plain_map", "property_map", "to_property"]


class Unknown:
    """The one value that stands for "known only after apply"."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed) or inner == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(inner, str) or inner is None or isinstance(inner, bool | float):
        return inner
    if isinstance(inner, Mapping):
        return {str(k): _plain(v) for k, v in inner.items()}
    if isinstance(inner, Sequence):
        return [_plain(v) for v in inner if isinstance(v, PropertyValue)]
    return inner  # assets, archives, resource references: never ours


def plain_map(values: Mapping[str, PropertyValue] | None) -> dict[str, Any]:
    """A property map as plain Python; secrets unwrapped, computed values as UNKNOWN."""
    return {key: _plain(value) for key, value in (values or {}).items()}


def to_property(value: Any) -> PropertyValue:
    """A plain value (None, bool, number, str, list, dict, UNKNOWN) as a PropertyValue."""
    if value is UNKNOWN:
        # The SDK's PropertyValue.computed() cannot be marshalled (pulumi 3.260): the
        # wire form of an unknown is the sentinel string, as in the rest of the SDK.
        return PropertyValue(rpc.UNKNOWN)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue({str(k): to_property(v) for k, v in value.items()})
    if isinstance(value, Sequence):
        return PropertyValue([to_property(v) for v in value])
    raise TypeError(f"cannot pass a {type(value).__name__} to the engine")


def property_map(values: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """Plain outputs as a property map; None values are left out (absent, not null)."""
    return {key: to_property(value) for key, value in values.items() if value is not None}
