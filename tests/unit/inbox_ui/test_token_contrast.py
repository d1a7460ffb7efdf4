"""Every text colour the design tokens pair with a background reads at WCAG AA (4.5:1), light and dark.

The colours are read from inbox_ui/static/tokens.css itself, so a token changed there is checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TOKENS = Path(__file__).parents[3] / "inbox_ui" / "static" / "tokens.css"

# (text, background): the pairs the components put together.
PAIRS = [
    ("fg", "bg"), ("fg", "bg-subtle"), ("fg", "bg-muted"), ("fg", "bg-hover"), ("fg", "bg-selected"),
    ("fg-muted", "bg"), ("fg-muted", "bg-subtle"), ("fg-muted", "bg-hover"),
    ("accent", "bg"), ("accent", "bg-subtle"), ("accent-fg", "accent"), ("accent-fg", "accent-hover"),
    ("accent-text", "accent-subtle"),
    ("danger", "bg"), ("ok", "bg"), ("warn", "bg"),
    ("danger-text", "danger-subtle"), ("ok-text", "ok-subtle"), ("warn-text", "warn-subtle"),
    ("danger-fg", "danger"), ("fg", "note-bg"), ("toast-fg", "toast-bg"),
]


def _blocks(css: str) -> dict[str, dict[str, str]]:
    """The custom properties of the light block, the system-dark block and the chosen-dark block."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    light = re.search(r"(?m)^:root\s*\{(.*?)\n\}", css, re.S)
    system_dark = re.search(r"@media\s*\(prefers-color-scheme:\s*dark\)\s*\{\s*[^{]+\{(.*?)\}", css, re.S)
    chosen_dark = re.search(r':root\[data-theme="dark"\]\s*\{(.*?)\}', css, re.S)
    assert light and system_dark and chosen_dark, "tokens.css lost one of its three theme blocks"
    found = {}
    for name, match in (("light", light), ("system-dark", system_dark), ("dark", chosen_dark)):
        found[name] = dict(re.findall(r"--([a-z0-9-]+)\s*:\s*([^;]+);", match.group(1)))
    return found


def _rgb(value: str) -> tuple[float, float, float]:
    value = value.strip()
    match = re.fullmatch(r"#([0-9a-fA-F]{6})", value)
    assert match, f"{value!r} is not a #rrggbb colour"
    return tuple(int(match.group(1)[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(value: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _theme(name: str) -> dict[str, str]:
    blocks = _blocks(TOKENS.read_text(encoding="utf-8"))
    return blocks["light"] if name == "light" else {**blocks["light"], **blocks["dark"]}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background"), PAIRS, ids=[f"{t}-on-{b}" for t, b in PAIRS])
def test_each_text_colour_reads_at_aa_on_the_background_it_is_used_on(theme: str, text: str, background: str) -> None:
    colours = _theme(theme)
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{theme}: --{text} {colours[text]} on --{background} {colours[background]} is {ratio:.2f}:1"


def test_the_dark_theme_is_the_same_whether_the_system_or_the_user_chose_it() -> None:
    blocks = _blocks(TOKENS.read_text(encoding="utf-8"))
    assert blocks["system-dark"] == blocks["dark"]
    assert set(blocks["dark"]) <= set(blocks["light"]), "a dark colour with no light counterpart"


def test_the_contrast_formula_matches_the_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
