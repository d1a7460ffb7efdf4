"""Every channel is drawn with a vendored Lucide icon in its own colour token, never an emoji."""

from __future__ import annotations

from pathlib import Path

from hub import channel_catalog
from inbox_ui import icons
from inbox_ui import view_models as views

TOKENS = Path(icons.__file__).parent / "static" / "tokens.css"


def test_each_channel_names_a_vendored_icon_and_has_a_colour_token() -> None:
    tokens = TOKENS.read_text(encoding="utf-8")
    for info in channel_catalog.catalog():
        assert info.icon in icons.available(), f"{info.name}: {info.icon!r} is not vendored"
        assert f"--ch-{info.name}:" in tokens, f"{info.name} has no colour token"
        assert 'role="img"' in icons.icon(info.icon, label=info.label)
    assert views.NOTE_ICON in icons.available()
