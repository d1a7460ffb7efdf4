"""Bytes of a mail into text, whatever charset it claims: never raises, never yields a lone surrogate.

Real mail lies about its charset (GB2312 that is really GBK, ISO-2022-JP carrying NEC characters or
Shift_JIS bytes), leaves it out (raw ISO-2022-JP, raw 8-bit names in headers), or names one Python
does not know. The order of trust: what the text itself shows (ISO-2022-JP escapes), the declared
charset read as the superset clients really use, the other charsets the mail declares, UTF-8,
charset-normalizer's guess, and last UTF-8 with U+FFFD for what is left.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

import charset_normalizer

from channels.base import without_surrogates

_SURROGATE = re.compile("[\ud800-\udfff]")
# ESC $ @, ESC $ B (JIS X 0208), ESC $ ( D (JIS X 0212), ESC ( I (half-width katakana), ESC ( J.
_JIS_ESCAPE = re.compile(rb"\x1b\$[@B]|\x1b\$\(D|\x1b\([IJ]")
_JIS_SEQUENCE = re.compile(rb"\x1b(\$[@B]|\$\(D|\([BJI])")
JAPANESE_JIS = "cp50220"  # our own name for the CP50220-like reading below, not a Python codec

# A declared label -> the charsets to try, in order (the superset first).
_FAMILIES: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "x-gbk": ("gb18030",), "cp936": ("gb18030",),
    "euc-cn": ("gb18030",), "gb18030": ("gb18030",), "x-euc-cn": ("gb18030",),
    "big5": ("big5hkscs", "cp950"), "big5-hkscs": ("big5hkscs",), "x-x-big5": ("big5hkscs", "cp950"),
    "iso-2022-jp": ("iso2022_jp", JAPANESE_JIS, "iso2022_jp_2", "iso2022_jp_2004", "cp932", "euc_jp"),
    "iso-2022-jp-2": ("iso2022_jp_2", JAPANESE_JIS, "cp932"), "iso-2022-jp-3": ("iso2022_jp_3", JAPANESE_JIS),
    "csiso2022jp": ("iso2022_jp", JAPANESE_JIS, "cp932"),
    "shift_jis": ("cp932", "shift_jis_2004"), "shift-jis": ("cp932", "shift_jis_2004"),
    "sjis": ("cp932",), "x-sjis": ("cp932",), "windows-31j": ("cp932",), "cp932": ("cp932",),
    "ms_kanji": ("cp932",), "euc-jp": ("euc_jp", "euc_jis_2004", "cp932"), "x-euc-jp": ("euc_jp", "cp932"),
    "ks_c_5601-1987": ("cp949",), "euc-kr": ("cp949",), "ks_c_5601": ("cp949",),
    "iso-8859-8-i": ("iso-8859-8",), "windows-874": ("cp874",), "tis-620": ("cp874",),
    "ascii": ("ascii",), "us-ascii": ("ascii",), "ansi_x3.4-1968": ("ascii",),
}
# Labels that decode any byte string, so text really in UTF-8 (a common mislabel) would turn to mojibake.
_ANYTHING_GOES = {"iso-8859-1", "latin-1", "latin1", "iso_8859-1", "windows-1252", "cp1252", "iso-8859-15",
                  "ascii", "us-ascii", "ansi_x3.4-1968"}
# Python codecs that are not charsets a mail may name (they interpret backslashes, or are bytes-to-bytes).
_NOT_CHARSETS = {"unicode_escape", "raw_unicode_escape", "unicode_internal", "idna", "punycode", "undefined",
                 "mbcs", "oem", "charmap", "rot_13", "uu_codec", "zlib_codec", "bz2_codec", "hex_codec",
                 "base64_codec", "quopri_codec"}


def repair(text: str, declared: Iterable[str] = ()) -> str:
    """Text from the standard library that kept undecodable bytes as surrogates, read again properly."""
    if not _SURROGATE.search(text):
        return text
    return decode(text.encode("utf-8", "surrogateescape"), declared)


def label(charset: str) -> str:
    return charset.strip().strip("\"'").split("*", 1)[0].lower()


def candidates(declared: Iterable[str]) -> list[str]:
    """The charsets to try for the declared labels, in order, each once."""
    seen: list[str] = []
    for name in declared:
        key = label(name)
        for candidate in _FAMILIES.get(key, (key,)):
            if candidate and candidate not in seen:
                seen.append(candidate)
    return seen


def _usable(charset: str) -> bool:
    if charset == JAPANESE_JIS:
        return True
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError):
        return False
    return info.name.replace("-", "_") not in _NOT_CHARSETS and getattr(info, "_is_text_encoding", True)


def _strict(data: bytes, charset: str) -> str | None:
    if not _usable(charset):
        return None
    try:
        return decode_jis(data) if charset == JAPANESE_JIS else data.decode(charset)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None


def decode(data: bytes, declared: Iterable[str] = ()) -> str:
    """The best reading of `data`; `declared` lists the charset the part names first, then the mail's others."""
    names = list(declared)
    if _JIS_ESCAPE.search(data) and max(data, default=0) < 0x80:
        for charset in ("iso2022_jp", JAPANESE_JIS, "iso2022_jp_2", "iso2022_jp_2004"):
            text = _strict(data, charset)
            if text is not None:
                return without_surrogates(text)
    tries = candidates(names)
    if not names or label(names[0]) in _ANYTHING_GOES:
        tries.insert(0, "utf-8")
    else:
        tries.append("utf-8")
    for charset in tries:
        text = _strict(data, charset)
        if text is not None:
            return without_surrogates(text)
    try:
        best = charset_normalizer.from_bytes(data).best()
    except Exception:  # the detector is a heuristic; a corner of it must not lose the mail
        best = None
    if best is not None:
        return without_surrogates(str(best))
    return without_surrogates(data.decode("utf-8", "replace"))


def _jis_pair_to_sjis(first: int, second: int) -> bytes:
    """A JIS X 0208 code (row/cell bytes 0x21-0x7E) as Shift_JIS, so cp932 reads NEC and IBM rows too."""
    lead = (first + 1) // 2 + (0x70 if first <= 0x5E else 0xB0)
    trail = second + (0x1F if first % 2 else 0x7E)
    if first % 2 and trail >= 0x7F:
        trail += 1
    return bytes((lead, trail))


def decode_jis(data: bytes) -> str:
    """ISO-2022-JP as Outlook and Windows write it (CP50220): JIS X 0208 plus the NEC special row
    (①, Ⅱ, ㈱) and IBM extensions, which Python's iso2022 codecs refuse. Raises UnicodeDecodeError
    on bytes that are not ISO-2022-JP at all."""
    out: list[str] = []
    mode = b"(B"
    position = 0
    for match in [*_JIS_SEQUENCE.finditer(data), None]:
        end = match.start() if match is not None else len(data)
        chunk = data[position:end]
        if chunk:
            out.append(_jis_chunk(chunk, mode, position))
        if match is None:
            break
        mode = match.group(1)
        position = match.end()
    return "".join(out)


def _jis_chunk(chunk: bytes, mode: bytes, offset: int) -> str:
    if max(chunk) >= 0x80 or b"\x1b" in chunk:
        raise UnicodeDecodeError("cp50220", chunk, 0, len(chunk), f"not ISO-2022-JP near byte {offset}")
    if mode in (b"(B", b"(J"):
        return chunk.decode("ascii")
    if mode == b"(I":
        return bytes(b + 0x80 for b in chunk if 0x21 <= b <= 0x5F).decode("cp932")
    if mode == b"$(D":
        return (b"\x1b$(D" + chunk).decode("iso2022_jp_2")
    text: list[str] = []
    lines = chunk.split(b"\n")
    for number, line in enumerate(lines):
        body = line.rstrip(b"\r")
        if len(body) % 2:
            raise UnicodeDecodeError("cp50220", chunk, 0, len(chunk), "half a two-byte character")
        sjis = b"".join(_jis_pair_to_sjis(body[i], body[i + 1]) for i in range(0, len(body), 2))
        text.append(sjis.decode("cp932") + line[len(body):].decode("ascii"))
        if number < len(lines) - 1:
            text.append("\n")
    return "".join(text)
