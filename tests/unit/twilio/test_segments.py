"""SMS segment counting: what carriers bill, so agents see it before sending."""

from __future__ import annotations

import pytest

from channels.twilio.segments import count


@pytest.mark.parametrize(("text", "encoding", "segments"), [
    ("", "GSM-7", 0),
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("€" * 80, "GSM-7", 1),      # extension characters take two septets
    ("€" * 81, "GSM-7", 2),
    ("a" * 152 + "€" + "a" * 10, "GSM-7", 2),  # an escape pair never straddles two parts
    ("ب" * 70, "UCS-2", 1),
    ("ب" * 71, "UCS-2", 2),
    ("ب" * 134, "UCS-2", 2),
    ("ب" * 135, "UCS-2", 3),
    ("😀" * 35, "UCS-2", 1),     # outside the BMP: two UTF-16 units each
    ("😀" * 36, "UCS-2", 2),
    ("a" * 66 + "😀", "UCS-2", 1),
    ("a" * 159 + "é", "GSM-7", 1),  # é is in the GSM alphabet
    ("a" * 159 + "á", "UCS-2", 3),  # á is not: the whole text becomes UCS-2
])
def test_segments_follow_gsm7_and_ucs2_limits(text: str, encoding: str, segments: int) -> None:
    counted = count(text)
    assert (counted.encoding, counted.segments) == (encoding, segments)
    assert counted.characters == len(text)


def test_multi_part_reports_the_per_part_size() -> None:
    assert count("a" * 161).per_segment == 153
    assert count("ب" * 71).per_segment == 67
    assert count("hello").as_dict() == {"encoding": "GSM-7", "segments": 1, "characters": 5, "units": 5,
                                        "per_segment": 160}
