"""Which language a request is answered in: the user's choice, else Accept-Language, else English."""

from __future__ import annotations

import pytest

from hub.http.languages import ENGLISH, LANGUAGES, Catalogues, chosen, negotiate


@pytest.mark.parametrize(("header", "expected"), [
    ("fa-IR,fa;q=0.9,en-US;q=0.8", "fa"),
    ("ar-EG", "ar"),
    ("zh-CN,zh;q=0.9", "zh"),
    ("zh-Hans", "zh"),
    ("zh_Hans_CN", "zh"),
    ("vi-VN, en;q=0.5", "vi"),
    ("en-GB", "en"),
    ("en;q=0.5, zh-CN;q=0.9", "zh"),  # the q-value wins over the order
    ("de-DE, fr;q=0.9, fa;q=0.1", "fa"),  # the first language we have, however unwanted
    ("ar;q=0.8, vi;q=0.8", "ar"),  # a tie goes to the earlier one
    ("fa;q=0, en", "en"),  # q=0 means "not this one"
    ("*", None),
    ("de, fr", None),
    ("", None),
    (";;;,, q=1, -fa", None),
    ("fa;q=abc", None),
])
def test_accept_language_picks_the_best_of_our_languages(header: str, expected: str | None) -> None:
    found = negotiate(header)
    assert (found.code if found else None) == expected


def test_the_users_own_choice_wins_over_the_browser_and_an_unknown_one_is_ignored() -> None:
    assert chosen({"language": "vi"}, "fa-IR").code == "vi"
    assert chosen({"language": "klingon"}, "fa-IR").code == "fa"
    assert chosen({}, "de") is ENGLISH
    assert chosen(None, None) is ENGLISH


def test_persian_and_arabic_are_right_to_left_and_chinese_is_tagged_simplified() -> None:
    assert [(lang.code, lang.tag, lang.dir) for lang in LANGUAGES.values()] == [
        ("en", "en", "ltr"), ("fa", "fa", "rtl"), ("ar", "ar", "rtl"), ("zh", "zh-Hans", "ltr"), ("vi", "vi", "ltr")]


def test_a_translation_fills_in_values_and_isolates_them_in_a_right_to_left_sentence() -> None:
    catalogues = Catalogues({"fa": {"{n} new": "{n} تازه"}, "vi": {"{n} new": "{n} mới"}})
    assert catalogues.translator("vi")("{n} new", n=3) == "3 mới"
    assert catalogues.translator("fa")("{n} new", n="…ab12") == "\u2068…ab12\u2069 تازه"
    assert catalogues.translator("fa")("not translated") == "not translated"
    assert catalogues.translator("en")("{n} new", n=3) == "3 new"
