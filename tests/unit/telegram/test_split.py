"""Long replies are cut into Telegram-sized messages without losing or mangling a word."""

from __future__ import annotations

from channels.telegram.split import LIMIT, split_text


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_short_text_is_one_message() -> None:
    assert split_text("سلام 👋") == ["سلام 👋"]


def test_long_text_is_cut_at_word_breaks_and_every_piece_fits() -> None:
    words = [f"کلمه{i}" for i in range(2500)]
    text = " ".join(words)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(_units(p) <= LIMIT for p in pieces)
    assert " ".join(pieces).split() == words


def test_paragraph_breaks_are_preferred_over_word_breaks() -> None:
    first = "a " * 1500 + "end-of-first."
    text = first + "\n\n" + "b " * 1500
    pieces = split_text(text)
    assert pieces[0] == first.strip()


def test_emoji_count_twice_like_telegram_counts_them() -> None:
    text = "😀" * 3000  # 6,000 UTF-16 units, no break to cut at
    pieces = split_text(text)
    assert all(_units(p) <= LIMIT for p in pieces)
    assert "".join(pieces) == text


def test_a_hard_cut_never_separates_a_zero_width_joiner_from_its_emoji() -> None:
    family = "👨\u200d👩\u200d👧"
    text = family * 1000
    pieces = split_text(text)
    assert "".join(pieces) == text
    assert all(not p.startswith("\u200d") and not p.endswith("\u200d") for p in pieces)
