"""Header values as sent (bytes, encoded words, broken quoting) into clean text and usable addresses.

The standard library decodes headers with `surrogateescape` and gives up on encoded words in a
charset that lies, so its strings can hold lone surrogates that no database stores. Here the raw
value is read again: encoded words by their (corrected) charset, raw 8-bit runs by the mail's
declared charsets, and addresses are found in the structure before any display name is decoded, so a
name cannot smuggle in an address.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from email.message import Message
from email.utils import getaddresses

from channels.base import without_surrogates
from channels.email.charsets import decode, label

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"^[ \t\r\n]*$")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]+"
_ATEXT = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_DOMAIN = re.compile(r"^(?:\[[^\[\]\s]+\]|[^\s@<>()\[\]\\,;:\"]+)$")
_BARE_ADDRESS = re.compile(r"[^\s<>\"(),;:]+@[^\s<>\"(),;:]+")
MAX_ADDRESS = 254


def clean_text(value: str) -> str:
    """One line, no control characters, no surrogates."""
    return " ".join(_CONTROL.sub(" ", without_surrogates(value)).split())


def raw_values(msg: Message, name: str) -> list[str]:
    """The header's values exactly as the parser kept them (undecodable bytes as surrogates)."""
    wanted = name.lower()
    try:
        return [str(v) for k, v in msg.raw_items() if k.lower() == wanted]
    except Exception:
        return []


def _bytes(raw: str) -> bytes:
    return raw.encode("utf-8", "surrogateescape")


def _run(raw: str, declared: list[str]) -> str:
    """Text outside encoded words: plain ASCII as it stands (a body's UTF-16 label must not apply),
    raw 8-bit bytes or ISO-2022-JP escapes through the mail's charsets."""
    if raw.isascii() and "\x1b" not in raw:
        return raw
    return decode(_bytes(raw), ["utf-8", *declared])  # raw 8-bit headers today are mostly UTF-8 (RFC 6532)


def _word_bytes(encoding: str, payload: str) -> bytes:
    data = payload.encode("ascii", "surrogateescape")
    if encoding in "Bb":
        data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        try:
            return base64.b64decode(data + b"=" * (-len(data) % 4))
        except (binascii.Error, ValueError):
            return base64.b64decode(data[: len(data) // 4 * 4] or b"") if len(data) >= 4 else b""
    data = data.replace(b"_", b" ")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)


def decode_value(raw: str, declared: Iterable[str] = ()) -> str:
    """An unstructured header value (Subject, a display name) as text."""
    mail_charsets = list(declared)
    text = _FOLD.sub("", raw)
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None  # adjacent words in one charset: a character may span two
    position = 0

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            out.append(decode(bytes(pending[1]), [pending[0], *mail_charsets]))
            pending = None

    for match in _ENCODED_WORD.finditer(text):
        between = text[position:match.start()]
        if between and not (pending is not None and _BETWEEN_WORDS.match(between)):
            flush()
            out.append(_run(between, mail_charsets))
        charset = label(match.group(1))
        data = _word_bytes(match.group(2), match.group(3))
        if pending is not None and pending[0] == charset:
            pending[1].extend(data)
        else:
            flush()
            pending = (charset, bytearray(data))
        position = match.end()
    flush()
    if position < len(text):
        out.append(_run(text[position:], mail_charsets))
    return clean_text("".join(out))


def normalise_address(value: str) -> str | None:
    """A lower-cased address real mail carries, or None: spaces or specials in the local part are kept
    quoted (so a reply can reach it), dotless domains (`root@localhost`) are allowed."""
    address = clean_text(value).strip().strip("<>").strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    local, at, domain = address.rpartition("@")
    domain = domain.strip().rstrip(".").lower()
    local = local.strip()
    if not at or not local or not domain or not _DOMAIN.match(domain):
        return None
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    if not local.strip():
        return None
    if not _ATEXT.match(local):
        local = '"' + local.replace("\\", "\\\\").replace('"', '\\"') + '"'
    result = f"{local}@{domain}".lower()
    return result if len(result) <= MAX_ADDRESS else None


def _angle_addresses(text: str) -> list[tuple[int, int]]:
    """Spans of <...> holding an @, outside quoted strings; a quote never closed is ignored."""
    spans: list[tuple[int, int]] = []
    quoted, escaped, start = False, False, -1
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            start = index
        elif not quoted and char == ">" and start >= 0:
            if "@" in text[start:index]:
                spans.append((start, index + 1))
            start = -1
    if quoted and not spans:  # an unbalanced quote: read the brackets as they stand
        spans = [(m.start(), m.end()) for m in re.finditer(r"<[^<>]*@[^<>]*>", text)]
    return spans


def _display_name(text: str, declared: list[str]) -> str:
    # Stray brackets stay in the name (it is only ever shown as text); only the quoting goes.
    name = text.strip().rstrip(",").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return decode_value(name.replace('"', "").strip(), declared)


def mailbox(raw: str, declared: Iterable[str] = ()) -> tuple[str, str] | None:
    """(display name, address) of the first mailbox in an address header, or None when it holds none."""
    charsets = list(declared)
    text = _FOLD.sub("", raw)
    spans = _angle_addresses(text)
    if spans:
        start, end = spans[0]
        address = normalise_address(_readable(text[start + 1:end - 1], charsets))
        if address:
            head = text[:start]
            head = head.rsplit(",", 1)[-1] if head.count('"') % 2 == 0 and "," in head else head
            return _display_name(head, charsets), address
    try:
        parsed = getaddresses([text])
    except Exception:
        parsed = []
    for name, address_text in parsed:
        address = normalise_address(_readable(address_text, charsets)) if "@" in address_text else None
        if address:
            return _display_name(name, charsets), address
    bare = _BARE_ADDRESS.search(text)
    if bare:
        address = normalise_address(_readable(bare.group(0), charsets))
        if address:
            return _display_name(text[:bare.start()], charsets), address
    return None


def _readable(address: str, declared: list[str]) -> str:
    """An address as text: raw UTF-8 (SMTPUTF8) or any 8-bit bytes decoded, never surrogates."""
    return decode(_bytes(address), ["utf-8", *declared]) if any(ord(c) > 127 for c in address) else address
