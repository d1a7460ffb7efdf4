"""SVG icons from the vendored Lucide set (inbox_ui/static/vendor/lucide/, unchanged npm files), inlined.

Inline, not <img> or a sprite: they take the text's colour (`currentColor`), need no request, and stay
inside the strict CSP. `icon("bell")` in a template gives the drawing, hidden from screen readers
(the control beside it carries the words); `icon("bell", label=_("Notifications"))` names it instead,
for an icon that stands alone. A name that is not vendored fails the render (and the catalogue test),
never an empty gap.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

LUCIDE = Path(__file__).parent / "static" / "vendor" / "lucide"
# Icons whose meaning is a direction (back, next, send): mirrored in right-to-left pages by CSS.
DIRECTIONAL = frozenset({"arrow-left", "arrow-right", "chevron-left", "chevron-right", "send", "reply",
                         "corner-down-left", "log-out", "external-link"})
_OPEN_TAG = re.compile(r"<svg\b[^>]*>", re.S)
_LICENCE_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)


class UnknownIcon(LookupError):
    pass


@cache
def _drawing(name: str) -> str:
    """The SVG's inner elements (everything between its own tags), read once per process."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise UnknownIcon(name)
    path = LUCIDE / f"{name}.svg"
    if not path.is_file():
        raise UnknownIcon(f"{name}: not in {LUCIDE} (vendor it from lucide-static, see VENDORED.md)")
    text = _LICENCE_COMMENT.sub("", path.read_text(encoding="utf-8"))
    opening = _OPEN_TAG.search(text)
    if opening is None:
        raise UnknownIcon(f"{name}: not an SVG")
    return text[opening.end():text.rindex("</svg>")].strip()


def available() -> list[str]:
    return sorted(p.stem for p in LUCIDE.glob("*.svg"))


def icon(name: str, label: str | None = None, size: int = 18) -> Markup:
    classes = f"icon icon-{name}" + (" icon-dir" if name in DIRECTIONAL else "")
    naming = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true" focusable="false"'
    return Markup(
        f'<svg class="{classes}" {naming} xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
        f'stroke-linejoin="round">{_drawing(name)}</svg>'
    )
