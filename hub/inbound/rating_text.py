"""Whether a customer's message is a rating: "5", "۵", "٥", "５", "4/5", "⭐⭐⭐", a button's value.

Only a message that is nothing but one score counts; "5 items are missing" or "15" is a normal message.
"""

from __future__ import annotations

import unicodedata

STARS = frozenset("⭐★")
_EDGES = ".!。！،,؛;"


def _plain(text: str) -> str:
    """Digits of any script as ASCII; spaces, zero-width and format characters, emoji variation marks gone."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(ch)
        if ch.isspace() or category in ("Cf", "Mn", "Cc") or ch == "\ufe0f":
            continue
        out.append(str(unicodedata.decimal(ch)) if category == "Nd" else ch)
    return "".join(out)


def parse_rating(text: str) -> int | None:
    """The score 1..5 a message is, or None when it is anything else."""
    plain = _plain(text[:64]).strip(_EDGES)
    if plain.endswith("/5"):
        plain = plain[:-2]
    if len(plain) == 1 and plain in "12345":
        return int(plain)
    if plain and len(plain) <= 5 and set(plain) <= STARS:
        return len(plain)
    return None
