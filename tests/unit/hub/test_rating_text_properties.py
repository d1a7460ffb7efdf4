"""Which customer messages are a rating: one score from 1 to 5 in any script's digits, and nothing else."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from hub.inbound.rating_text import parse_rating
from hub.outbound import survey_links

DIGITS_1_TO_5 = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Nd"
                 and unicodedata.decimal(chr(c)) in (1, 2, 3, 4, 5)]
PADDING = st.text(alphabet=" \t\n\u200c\u200d\u200f\u200e\u2066\u2069\u00a0", max_size=4)


@given(st.sampled_from(DIGITS_1_TO_5), PADDING, PADDING, st.sampled_from(["", ".", "!", "/5"]))
def test_one_digit_from_one_to_five_in_any_script_with_spacing_is_that_score(
        digit: str, before: str, after: str, tail: str) -> None:
    assert parse_rating(before + digit + tail + after) == unicodedata.decimal(digit)


def test_the_scores_customers_type_read_as_ratings() -> None:
    assert [parse_rating(t) for t in ("5", "۵", "٥", "５", " 4 ", "3/5", "⭐⭐⭐⭐", "★★", "2!")] == [
        5, 5, 5, 5, 4, 3, 4, 2, 2]


@given(st.text(max_size=40))
def test_any_text_is_a_score_or_none_and_never_raises(text: str) -> None:
    assert parse_rating(text) in (None, 1, 2, 3, 4, 5)


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=20),
       st.sampled_from(DIGITS_1_TO_5))
def test_a_score_with_words_is_a_normal_message(words: str, digit: str) -> None:
    assert parse_rating(f"{digit} {words}") is None
    assert parse_rating(f"{words} {digit}") is None


@given(st.integers(min_value=6, max_value=10**6) | st.integers(max_value=0))
def test_numbers_outside_one_to_five_are_not_ratings(number: int) -> None:
    assert parse_rating(str(number)) is None


def test_a_survey_link_names_its_conversation_only_under_the_hubs_key() -> None:
    from bson import ObjectId
    conversation = ObjectId()
    token = survey_links.token("key-one", conversation)
    assert survey_links.conversation_of("key-one", token) == conversation
    assert survey_links.conversation_of("key-two", token) is None
    assert survey_links.conversation_of("key-one", f"{ObjectId()}.{token.partition('.')[2]}") is None
    assert survey_links.conversation_of("key-one", "nonsense") is None
