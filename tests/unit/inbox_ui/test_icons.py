"""The inlined icons: each one a template names is vendored, drawn in the text's colour, hidden from
screen readers unless it carries its own label, and directional ones marked for mirroring."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inbox_ui.icons import UnknownIcon, available, icon

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def test_every_icon_a_template_names_is_vendored() -> None:
    named = set()
    for path in TEMPLATES.rglob("*.html"):
        named |= set(re.findall(r"""icon\(\s*["']([a-z0-9-]+)["']""", path.read_text(encoding="utf-8")))
    assert named - set(available()) == set()


def test_an_icon_is_inline_svg_in_the_text_colour_and_hidden_from_screen_readers() -> None:
    drawn = str(icon("bell"))
    assert drawn.startswith("<svg ") and drawn.endswith("</svg>")
    assert 'stroke="currentColor"' in drawn and 'aria-hidden="true"' in drawn
    assert "<!--" not in drawn and "lucide" not in drawn.split(">", 1)[0]


def test_a_labelled_icon_is_named_for_screen_readers_with_the_label_escaped() -> None:
    drawn = str(icon("bell", label='Notifications <3 "new"'))
    assert 'role="img"' in drawn and 'aria-label="Notifications &lt;3 &#34;new&#34;"' in drawn
    assert "aria-hidden" not in drawn


def test_icons_that_mean_a_direction_are_marked_to_mirror_in_right_to_left_pages() -> None:
    assert "icon-dir" in str(icon("arrow-left")) and "icon-dir" not in str(icon("bell"))


@pytest.mark.parametrize("name", ["not-an-icon", "../settings", "Bell"])
def test_an_unknown_or_unsafe_name_fails_loudly_instead_of_leaving_a_gap(name: str) -> None:
    with pytest.raises(UnknownIcon):
        icon(name)
