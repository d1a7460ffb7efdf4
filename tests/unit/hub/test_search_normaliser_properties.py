"""One normaliser for digits of every script, and the phone rule built on it, hold for any input."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from hub.store.identity_search import PhoneQuery, phone_query, username_query
from hub.store.search import search_key
from routing.text import ascii_digits

# The zero of every script whose ten digits are consecutive code points (Persian, Arabic-Indic, Devanagari,
# Bengali, Thai, full-width, mathematical bold…): a number can be written in any of them.
ZEROS = [cp for cp in range(0x20000)
         if unicodedata.decimal(chr(cp), -1) == 0 and all(unicodedata.decimal(chr(cp + d), -1) == d for d in range(10))]
SEPARATORS = [" ", "-", ".", "(", ")", "/", "\u00a0"]


def written(digits: str, zero: int, gaps: list[str]) -> str:
    """`digits` in the script starting at `zero`, with a separator (or nothing) after each digit."""
    return "".join(chr(zero + int(d)) + (gaps[i % len(gaps)] if gaps else "") for i, d in enumerate(digits))


@given(st.text())
def test_every_decimal_digit_becomes_its_ascii_digit_and_nothing_else_changes(text: str) -> None:
    out = ascii_digits(text)
    assert len(out) == len(text)
    for before, after in zip(text, out, strict=True):
        value = unicodedata.decimal(before, -1)
        assert after == (str(value) if value >= 0 else before)
    assert ascii_digits(out) == out


@given(st.text(alphabet="0123456789 ", min_size=1), st.sampled_from(ZEROS))
def test_a_number_in_any_script_has_the_search_key_of_its_ascii_form(digits: str, zero: int) -> None:
    native = "".join(chr(zero + int(c)) if c.isdigit() else c for c in digits)
    assert search_key(native) == search_key(digits)


@given(st.from_regex(r"[1-9][0-9]{6,11}", fullmatch=True), st.sampled_from(ZEROS),
       st.lists(st.sampled_from(["", *SEPARATORS]), max_size=4), st.from_regex(r"[1-9][0-9]{0,2}", fullmatch=True))
def test_a_national_number_however_written_matches_every_stored_number_it_ends(
    significant: str, zero: int, gaps: list[str], country: str
) -> None:
    query = phone_query(written("0" + significant, zero, gaps))
    assert query == PhoneQuery(significant, international=False)
    assert query.matches(f"+{country}{significant}")
    assert not query.matches(f"+{country}{significant}1")  # the digits must be the end, not inside


@given(st.from_regex(r"[1-9][0-9]{7,13}", fullmatch=True), st.sampled_from(ZEROS))
def test_an_international_number_matches_only_itself(digits: str, zero: int) -> None:
    for prefix in ("+", chr(zero) * 2):
        query = phone_query(prefix + written(digits, zero, [" "]))
        assert query is not None and query.international
        assert query.matches(f"+{query.digits}")
        assert not query.matches(f"+9{query.digits}")


@given(st.text())
def test_text_with_a_letter_is_never_a_phone_number(text: str) -> None:
    if any(unicodedata.category(ch).startswith("L") for ch in text):
        assert phone_query(text) is None


def test_short_numbers_and_plain_words_are_not_phone_numbers() -> None:
    assert phone_query("0100") is None
    assert phone_query("12.5") is None
    assert phone_query("۰۰۰۰۰ ۱۲۳") is None  # zeros are trunk prefixes, not significant digits
    assert username_query("@Sara_K") == "sara_k" and username_query("sara_k") == "sara_k"
    assert username_query("two words") is None and username_query("@1abc") is None
