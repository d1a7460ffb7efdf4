"""Every string the interface shows has a translation in every catalogue, with the same {values}."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hub.http.languages import LANGUAGES, Catalogues

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "inbox_ui" / "locale"
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
TRANSLATED = [lang for lang in LANGUAGES.values() if lang.code != "en"]


def _extracted() -> set[str]:
    """What `make i18n-extract` extracts (babel.cfg), read the same way."""
    method_map = [("inbox_ui/**.py", "python"), ("channels/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "N_": None, "Sentence": None}):
        if isinstance(message, str) and message:
            found.add(message)
    return found


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return _extracted()


def test_the_extraction_finds_the_interface_strings(extracted: set[str]) -> None:
    assert {"Inbox", "Sign in", "Snooze until", "resolved", "Wrong email or password."} <= extracted
    assert "Both have an open conversation: the {n} messages of conversation …{s} move into conversation …{t}, " \
           "which stays open; …{s} is kept, resolved, saying where they went." in extracted


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_every_interface_string_is_translated(language, extracted: set[str]) -> None:
    messages = Catalogues.load(LOCALE).messages(language.code)
    missing = sorted(extracted - set(messages))
    assert not missing, f"{language.folder}/LC_MESSAGES/messages.po lacks (or has fuzzy) {missing[:20]}; " \
                        f"run `make i18n-extract` and translate them"


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_a_translation_keeps_the_placeholders_of_its_english(language) -> None:
    with (LOCALE / language.folder / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    wrong = [(m.id, m.string) for m in catalog if m.id and m.string
             and sorted(PLACEHOLDER.findall(str(m.id))) != sorted(PLACEHOLDER.findall(str(m.string)))]
    assert not wrong


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_no_translation_is_left_as_english(language) -> None:
    """A copied English sentence is an untranslated one; names, codes and examples may stay as they are."""
    messages = Catalogues.load(LOCALE).messages(language.code)
    same = {k for k, v in messages.items() if k == v and len(k.split()) > 2}
    assert not same
