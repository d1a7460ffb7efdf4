"""Text matching that survives how customers type: keyboard layouts, harakat, full-width forms, scripts
written without spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh and alef maksura -> Persian yeh: keyboards differ, words do not
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",  # Arabic kaf -> Persian keheh
        "\u0629": "\u0647",  # teh marbuta is often typed as heh
        "\u06c0": "\u0647",
        "\u0623": "\u0627",  # hamza and madda forms of alef
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u200c": None,  # zero-width (non-)joiners inside Persian words
        "\u200d": None,
    }
)
_ASCII_DIGITS = "0123456789"
# Scripts written without spaces between words: a keyword can only be found as a substring.
_UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
# Attached particles (wa-, fa-, bi-, li-, ka-, al-) and common suffixes (plural, possessive): without them
# "فاتورة" would miss "بالفاتورة" and "فاکتور" would miss "فاکتورها".
_ARABIC_PREFIX = "(?:[وف]?(?:لل|[بلک])?(?:ال)?)"
_ARABIC_SUFFIX = "(?:هایی|های|ها|مان|تان|شان|ام|ات|اش|ین|ون|هم|نا|کم|ی|م|ت|ش|ه|ک)?"
REGEX_TEXT_LIMIT = 20_000  # an admin's regex must not spend forever on a pasted log file


def ascii_digits(text: str) -> str:
    """Every decimal digit, whatever its script (Persian ۰۹۱۲, Arabic-Indic ٠٩١٢, Devanagari, Bengali), as
    its ASCII digit; everything else as it was. NFKC leaves these alone, so search keys, keyword rules
    and phone numbers all pass through here.

    Decimal digits only (Unicode category Nd): `unicodedata.digit` would also read ² and ① as digits,
    which nobody types inside a number (NFKC folds those for text anyway).
    """
    if text.isascii():
        return text
    return "".join(_ASCII_DIGITS[value] if (value := unicodedata.decimal(ch, -1)) >= 0 else ch for ch in text)


def fold(text: str) -> str:
    """NFKC, digits in ASCII, Arabic/Persian letter variants unified, diacritics and tatweel removed; case kept."""
    return _ARABIC_MARKS.sub("", ascii_digits(unicodedata.normalize("NFKC", text)).translate(_FOLD))


def normalize_text(text: str) -> str:
    return " ".join(fold(text).casefold().split())


@lru_cache(maxsize=4096)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole-word match on normalized text; a trailing '*' matches any word that starts with it."""
    word = normalize_text(keyword)
    prefix_only = word.endswith("*")
    word = word.rstrip("*").strip()
    body = re.escape(word)
    if _UNSPACED.search(word):
        return re.compile(body)
    if _ARABIC_LETTER.search(word):
        # Suffixes only on longer words: "بان" + "ک" would otherwise find "بانک" (bank).
        suffix = _ARABIC_SUFFIX if len(word) >= 4 else ""
        tail = "" if prefix_only else suffix + r"(?!\w)"
        return re.compile(r"(?<!\w)" + _ARABIC_PREFIX + body + tail)
    return re.compile(r"(?<!\w)" + body + ("" if prefix_only else r"(?!\w)"))


@lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """Case-insensitive, over folded text, so 'كتاب' in a rule finds 'کتاب' in a message. Raises re.error."""
    return re.compile(fold(pattern), re.IGNORECASE)


@lru_cache(maxsize=4096)
def keyword_core(keyword: str, strip_star: bool = True) -> str:
    """The part every match of the keyword contains: a cheap substring test before any regex."""
    word = normalize_text(keyword)
    return word.rstrip("*").strip() if strip_star else word
