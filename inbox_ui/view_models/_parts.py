"""What every view model needs: stored values as a page prints them, identities, channels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub import channel_catalog

Fields = Mapping[str, Any]  # a stored document or sub-document, read only
NOTE_ICON = "sticky-note"  # a private note, or a channel the catalogue does not know (a Lucide name)
VISITOR_LABEL = "Visitor "  # how the store names a nameless visitor's conversation (with part of their token)


def text_or_none(value: object) -> str | None:
    """A free-form stored value as the page prints it; None when there is nothing to print."""
    return str(value) if value else None


def mapping(value: object) -> Fields:
    return value if isinstance(value, Mapping) else {}


def items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class IdentityView:
    kind: str
    value: str


def identities(doc: Fields | None) -> tuple[IdentityView, ...]:
    return tuple(IdentityView(str(i.get("kind")), str(i.get("value") or ""))
                 for i in items((doc or {}).get("identities")) if isinstance(i, Mapping))


@dataclass(frozen=True)
class ChannelView:
    """A channel as the inbox names it: the catalogue's label and icon (the raw name for one it does not know)."""

    name: str
    label: str
    icon: str

    @staticmethod
    def of(name: str | None, unknown_icon: str = "") -> ChannelView | None:
        if not name:
            return None
        info = channel_catalog.info(name)
        return ChannelView(name, info.label if info else name, info.icon if info else unknown_icon)


def channel_options() -> tuple[ChannelView, ...]:
    """Every channel the hub knows, for filters."""
    return tuple(ChannelView(info.name, info.label, info.icon) for info in channel_catalog.catalog())
