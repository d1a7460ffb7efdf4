"""Offline language detection, restricted to the languages the team routes on.

The hub creates one LanguageDetector in its app factory; lingua's models load on the first detect()
call, not at import time, and nothing is downloaded: the models ship inside the lingua wheel.
Only this module imports lingua; the rest of routing takes the detected code as plain data.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
from lingua import LanguageDetector as LinguaDetector

DEFAULT_LANGUAGES = ("en", "ar", "fa", "zh", "vi", "es", "fr", "de", "ru", "tr")

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff]")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Letters Persian has and Arabic does not; their presence settles the question without a model.
_PERSIAN_ONLY = re.compile("[پچژگ]")
# Arabic-only marks: teh marbuta, alef maksura and the Arabic yeh and kaf a Persian keyboard never types.
_ARABIC_ONLY = re.compile("[ةىيك]")


def _language(code: str) -> Language:
    return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))


class LanguageDetector:
    """detect(text) -> ISO 639-1 code among the configured languages, or None when unsure or too short."""

    def __init__(self, languages: Iterable[str] = DEFAULT_LANGUAGES, *, min_letters: int = 3) -> None:
        codes = tuple(dict.fromkeys(code.strip().lower() for code in languages))
        for code in codes:
            _language(code)  # fail in the app factory on a typo, not on the first customer message
        if len(codes) < 1:
            raise ValueError("configure at least one language")
        self.languages = codes
        self.min_letters = min_letters
        self._detectors: dict[tuple[str, ...], LinguaDetector] = {}
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return bool(self._detectors)

    def _detector(self, codes: tuple[str, ...]) -> LinguaDetector:
        with self._lock:
            detector = self._detectors.get(codes)
            if detector is None:
                detector = LanguageDetectorBuilder.from_languages(*(_language(c) for c in codes)).build()
                self._detectors[codes] = detector
            return detector

    def _model(self, text: str, codes: tuple[str, ...]) -> str | None:
        if len(codes) == 1:
            return codes[0]
        found = self._detector(codes).detect_language_of(text)
        return None if found is None else found.iso_code_639_1.name.lower()

    def detect(self, text: str) -> str | None:
        text = unicodedata.normalize("NFKC", text)
        letters = sum(1 for ch in text if ch.isalpha())
        configured = set(self.languages)
        # Unspaced scripts say a lot in two characters ("你好"), so they skip the length floor.
        for script, code in ((_KANA, "ja"), (_HAN, "zh"), (_HANGUL, "ko")):
            if script.search(text):
                return code if code in configured else None
        if letters < self.min_letters:
            return None
        # Most letters decide the script: an English message quoting one Arabic name is still English.
        if len(_ARABIC_SCRIPT.findall(text)) * 2 > letters:
            return self._arabic_script(text, configured)
        others = tuple(code for code in self.languages if code not in ("ar", "fa", "ur", "zh", "ja", "ko"))
        return self._model(text, others) if others else None

    def _arabic_script(self, text: str, configured: set[str]) -> str | None:
        candidates = tuple(code for code in ("fa", "ar", "ur") if code in configured)
        if not candidates:
            return None
        persian, arabic = bool(_PERSIAN_ONLY.search(text)), bool(_ARABIC_ONLY.search(text))
        if "fa" in candidates and persian and not arabic:
            return "fa"
        if "ar" in candidates and arabic and not persian:
            return "ar"
        return self._model(text, candidates)
