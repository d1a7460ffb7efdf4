"""The widget's live words (files, typing, receipts, refusals) exist in all five languages, with the same
placeholders, and every refusal code the hub sends the widget has a sentence or is knowingly the general one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
WIDGET = (ROOT / "channels" / "webchat" / "static" / "widget.js").read_text(encoding="utf-8")
LANGUAGES = ("en", "fa", "ar", "zh", "vi")
# Codes the widget answers with its general "Something went wrong; please try again." on purpose: the visitor
# can do nothing about them but try again (a frame the widget itself got wrong, an upload it built wrong).
GENERAL = {"bad_frame", "refused", "internal", "bad_upload", "no_file", "failed"}


def live_words() -> dict[str, dict[str, str]]:
    block = WIDGET[WIDGET.index("var LIVE_WORDS = {"):WIDGET.index("function tl(")]
    found: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        body = re.search(rf"\n    {lang}: {{(.*?)}},?\n(?=    \w\w: {{|  }};)", block, re.S)
        assert body, f"no {lang} words"
        found[lang] = dict(re.findall(r'(\w+): "((?:[^"\\]|\\.)*)"', body.group(1)))
    return found


def codes_the_hub_sends() -> set[str]:
    sources = [(ROOT / "hub" / name).read_text(encoding="utf-8")
               for name in ("webchat_visitor.py", "webchat_files.py", "webchat_prechat.py", "webchat_rating.py",
                            "inbound/verification.py")]
    codes: set[str] = set()
    for text in sources:
        codes.update(re.findall(r'"code": "(\w+)"', text))
        codes.update(re.findall(r'Refused\((?:[^()]|\([^()]*\))*?,\s*"(\w+)"', text, re.S))
    return codes


def test_every_language_has_every_live_word_with_the_same_placeholders() -> None:
    words = live_words()
    optional = {"wrong_code_1"}  # English's singular; the other languages say it one way
    for lang in LANGUAGES[1:]:
        assert set(words[lang]) == set(words["en"]) - optional, lang
        for key, text in words[lang].items():
            assert sorted(re.findall(r"{\w+}", text)) == sorted(re.findall(r"{\w+}", words["en"][key])), (lang, key)
            assert text != words["en"][key], (lang, key)


def test_every_refusal_code_the_hub_sends_has_words_in_the_widget() -> None:
    words = live_words()["en"]
    mapped = dict(re.findall(r'(\w+): "(\w+)"', WIDGET[WIDGET.index("var ERROR_WORDS"):].split(";")[0]))
    codes = codes_the_hub_sends()
    assert {"rate_limited", "too_large", "wrong_code", "not_sent", "origin"} <= codes  # the scan finds them
    missing = {c for c in codes - GENERAL if c not in words and mapped.get(c) not in words}
    assert not missing, f"codes without a sentence in widget.js LIVE_WORDS: {sorted(missing)}"
