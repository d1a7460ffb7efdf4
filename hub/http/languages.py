"""The interface's languages: which one a request is answered in, and the catalogues that say it.

Catalogues are read from the .po files when the app is built (babel.messages.pofile), not from compiled
.mo files: the .po in the repository is then the only form there is, and no build step can be forgotten
or go stale. Translating is a plain dictionary look-up; each render gets its own `_`, so two requests in
different languages never share one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po


@dataclass(frozen=True)
class Language:
    code: str  # what the user record and the profile form hold
    tag: str  # BCP 47, for <html lang> and the browser's Intl formatters
    folder: str  # the catalogue's folder under locale/
    name: str  # written in the language itself, for the picker
    rtl: bool = False

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"


ENGLISH = Language("en", "en", "en", "English")
LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (
    ENGLISH,
    Language("fa", "fa", "fa", "فارسی", rtl=True),
    Language("ar", "ar", "ar", "العربية", rtl=True),
    Language("zh", "zh-Hans", "zh_Hans", "简体中文"),
    Language("vi", "vi", "vi", "Tiếng Việt"),
)}
CODES = tuple(LANGUAGES)

_RANGE = re.compile(r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate(accept_language: str | None) -> Language | None:
    """The best of our languages for an Accept-Language header (q-values honoured, ties in the
    header's order), or None when it names none of them. Only the primary subtag decides: fa-IR is
    Persian, zh-CN, zh-Hans (and zh-TW, for want of a Traditional catalogue) are our Chinese."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "")[:2000].split(",")):
        found = _RANGE.match(part)
        if not found:
            continue
        try:
            quality = float(found.group(2)) if found.group(2) is not None else 1.0
        except ValueError:
            continue
        if quality > 0:
            ranked.append((-quality, position, found.group(1).lower().replace("_", "-")))
    for _, _, tag in sorted(ranked):
        language = LANGUAGES.get(tag.split("-")[0])
        if language is not None:
            return language
    return None


def chosen(user: Mapping[str, Any] | None, accept_language: str | None) -> Language:
    """The user's own choice on their profile, else what the browser asks for, else English."""
    preference = (user or {}).get("language")
    if isinstance(preference, str) and preference in LANGUAGES:
        return LANGUAGES[preference]
    return negotiate(accept_language) or ENGLISH


Translate = Callable[..., str]


class Catalogues:
    """msgid -> msgstr for each language; a missing or fuzzy entry falls back to the English text."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = {code: dict(found) for code, found in messages.items()}

    @classmethod
    def load(cls, locale_dir: Path) -> Catalogues:
        messages: dict[str, dict[str, str]] = {}
        for language in LANGUAGES.values():
            path = locale_dir / language.folder / "LC_MESSAGES" / "messages.po"
            if not path.is_file():
                continue
            with path.open("rb") as po:
                catalog = read_po(po, locale=None)
            messages[language.code] = {
                str(m.id): str(m.string) for m in catalog
                if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
            }
        return cls(messages)

    def messages(self, code: str) -> Mapping[str, str]:
        return self._messages.get(code, {})

    def translator(self, code: str) -> Translate:
        table = self._messages.get(code, {})
        language = LANGUAGES.get(code, ENGLISH)

        def translate(text: str, **values: Any) -> str:
            out = table.get(text, text)
            if not values:
                return out
            if language.rtl:  # an id or a number keeps its own direction inside a right-to-left sentence
                values = {name: f"\u2068{value}\u2069" for name, value in values.items()}
            return out.format(**values)

        return translate
