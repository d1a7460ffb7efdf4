"""Telegram refuses a text over 4,096 characters: long replies go out as several messages."""

from __future__ import annotations

LIMIT = 4096
_JOINERS = frozenset("\u200d\u200c\ufe0e\ufe0f")  # cutting next to these breaks an emoji or a Persian word


def _units(text: str) -> int:
    # Telegram counts UTF-16 code units: an emoji outside the BMP counts twice.
    return len(text.encode("utf-16-le")) // 2


def _fits(text: str, limit: int) -> int:
    """How many characters from the start of `text` fit in `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most `limit` units, cut at a paragraph, line or word break when there is one."""
    pieces: list[str] = []
    rest = text.strip()
    while _units(rest) > limit:
        window = rest[: _fits(rest, limit)]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            found = window.rfind(separator)
            if found > len(window) // 2:
                cut = found
                break
        if cut <= 0:
            cut = len(window)
            while cut > 1 and (rest[cut - 1] in _JOINERS or rest[cut] in _JOINERS):
                cut -= 1
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces
