"""How many SMS segments a text takes: GSM-7 (160, or 153 per part) unless one character needs UCS-2
(70, or 67 per part). Carriers bill per segment, so the composer shows this before sending."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through the escape character, so each costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SegmentCount:
    encoding: str
    segments: int
    characters: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    per_segment: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _gsm7_costs(text: str) -> list[int] | None:
    costs: list[int] = []
    for char in text:
        if char in GSM7_BASIC:
            costs.append(1)
        elif char in GSM7_EXTENSION:
            costs.append(2)
        else:
            return None
    return costs


def _pack(costs: list[int], size: int) -> int:
    """Parts needed when a character (an escape pair, a surrogate pair) may not straddle two parts."""
    parts, used = 1, 0
    for cost in costs:
        if used + cost > size:
            parts, used = parts + 1, 0
        used += cost
    return parts


def count(text: str) -> SegmentCount:
    costs = _gsm7_costs(text)
    encoding = GSM7
    if costs is None:
        encoding = UCS2
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    single, multi = LIMITS[encoding]
    units = sum(costs)
    if units == 0:
        return SegmentCount(encoding, 0, 0, 0, single)
    if units <= single:
        return SegmentCount(encoding, 1, len(text), units, single)
    return SegmentCount(encoding, _pack(costs, multi), len(text), units, multi)
