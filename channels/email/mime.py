"""Raw mail bytes -> the parts the hub keeps. Pure and forgiving: bad MIME degrades, never raises."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

from channels.base import without_surrogates
from channels.email import charsets
from channels.email import headers as header_tools
from channels.email import html as html_tools
from channels.email.headers import clean_text

MAX_DEPTH = 40
MAX_PREAMBLE_LINES = 5
_MSGID = re.compile(r"<([^<>\s]+)>")
_BOUNDARY_LINE = re.compile(r"^--([0-9A-Za-z'()+_,./:=?-]{1,70})\s*$")
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")
_KNOWN_HEADER = re.compile(rb"^(from|to|subject|date|message-id|received|return-path|mime-version|"
                           rb"content-type|reply-to|sender|delivered-to)[ \t]*:", re.IGNORECASE)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._:()+-]{1,40})", re.IGNORECASE)
_WORD_CHARSET = re.compile(r"=\?([A-Za-z0-9._:()+-]{1,40})(?:\*[^?]*)?\?[QqBb]\?")
# Where a sender's address may come from when From is missing or holds none, in order.
SENDER_HEADERS = ("from", "reply-to", "return-path")


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None


@dataclass
class ParsedMail:
    message_id: str | None
    sender: str  # lower-cased address from From, else Reply-To, Return-Path, the envelope; "" when none
    sender_name: str
    recipients: list[str]
    subject: str
    date: str
    text: str  # full plain text (quote included)
    html: str | None  # as sent: sanitise before showing
    in_reply_to: list[str]
    references: list[str]
    headers: dict[str, str]
    parts: list[Part] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    content_type: str = "text/plain"
    report: Message | None = None  # the delivery-status part of a DSN
    sender_source: str = "from"  # the header the sender came from, "envelope", or "none"
    authentication_results: list[str] = field(default_factory=list)
    charsets: list[str] = field(default_factory=list)  # declared anywhere in the mail, first seen first
    to: list[str] = field(default_factory=list)  # `recipients` split by header: a reply-all needs both
    cc: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Stands in for a missing Message-ID: same sender, date, subject and body -> same mail."""
        digest = hashlib.sha256("\x00".join([self.sender, self.date, self.subject, self.text,
                                             self.html or ""]).encode("utf-8", "surrogatepass"))
        return f"sha256:{digest.hexdigest()[:40]}"


def header(msg: Message, name: str, declared: list[str] | None = None) -> str:
    """A header's first value as text: encoded words and raw 8-bit bytes read best-effort."""
    values = header_tools.raw_values(msg, name)
    if not values:
        return ""
    return header_tools.decode_value(values[0], declared if declared is not None else declared_charsets(msg))


def declared_charsets(msg: Message) -> list[str]:
    """Every charset the mail names (Content-Type parameters, encoded words), to read unlabelled bytes."""
    # Body charsets first: a client writing raw 8-bit headers writes them in its own charset.
    bodies: list[str] = []
    words: list[str] = []
    try:
        parts = list(msg.walk())
    except Exception:
        parts = [msg]
    for part in parts[:200]:
        for name, value in _raw_items(part):
            is_type = name.lower() == "content-type"
            for match in (_CHARSET_PARAM if is_type else _WORD_CHARSET).finditer(value):
                charset = charsets.label(match.group(1))
                if charset not in ("us-ascii", "ascii", "utf-8"):
                    (bodies if is_type else words).append(charset)
    return list(dict.fromkeys([*bodies, *words]))


def _raw_items(part: Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in part.raw_items()]
    except Exception:
        return []


def message_ids(value: str) -> list[str]:
    """Message-IDs as written: the customer's client compares them exactly when threading our reply."""
    return list(_MSGID.findall(value))


def decode_text(part: Message, declared: list[str] | None = None) -> str:
    return _decode_text(part, declared or []).replace("\r\n", "\n")


def _part_charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:
        return None
    return without_surrogates(str(charset)) if charset else None


def _decode_text(part: Message, declared: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        try:
            raw = part.get_payload()
        except Exception:
            raw = ""
        return charsets.repair(raw, declared) if isinstance(raw, str) else ""
    own = _part_charset(part)
    # Unknown or lying charset: keep every byte readable rather than lose the customer's words.
    return charsets.decode(payload, [own, *declared] if own else declared)


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    name = clean_text(charsets.repair(str(name or ""))).replace("/", "_").replace("\\", "_")[:200]
    if name:
        return name
    extension = {"text/html": ".html", "text/plain": ".txt", "message/rfc822": ".eml"}.get(
        part.get_content_type(), ".bin")
    return f"part-{index}{extension}"


def _part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822" or part.is_multipart():
        try:
            inner = part.get_payload(0) if part.get_content_type() == "message/rfc822" else part
            return bytes(inner.as_bytes(policy=policy.SMTP)) if isinstance(inner, Message) else b""
        except Exception:
            return str(part.get_payload()).encode("utf-8", "replace")
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    return str(part.get_payload() or "").encode("utf-8", "replace")


class _Walker:
    """Bodies from inline text parts, everything else as files; nested mails stay whole files."""

    def __init__(self, mail: ParsedMail) -> None:
        self.mail = mail
        self.declared = mail.charsets
        self.texts: list[str] = []
        self.htmls: list[str] = []

    def walk(self, part: Message, depth: int = 0) -> None:
        ctype = part.get_content_type()
        if depth > MAX_DEPTH:
            self.mail.defects.append(f"parts nested deeper than {MAX_DEPTH} levels kept as a file")
            self._file(part)
            return
        if ctype == "multipart/report" and part.get_param("report-type") == "delivery-status":
            for child in _children(part):
                if child.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
                    self.mail.report = child
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            self._file(part)
            return
        if part.is_multipart() and ctype != "message/rfc822":
            children = _children(part)
            if ctype == "multipart/alternative":
                self._alternative(children, depth)
            else:
                for child in children:
                    self.walk(child, depth + 1)
            return
        if ctype.startswith("multipart/"):  # boundary missing or wrong
            self._broken_multipart(part, depth)
            return
        disposition = (part.get_content_disposition() or "inline").lower()
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not part.get_filename():
            (self.texts if ctype == "text/plain" else self.htmls).append(decode_text(part, self.declared))
            return
        self._file(part)

    def _broken_multipart(self, part: Message, depth: int) -> None:
        """Try the boundary the body really uses; failing that, the body as text beats losing it."""
        body = decode_text(part, self.declared)
        first = next((line for line in body.splitlines() if line.strip()), "")
        used = _BOUNDARY_LINE.match(first)
        if used and depth < MAX_DEPTH:
            retry = f'Content-Type: {part.get_content_type()}; boundary="{used.group(1)}"\n\n{body}'
            reparsed = BytesParser(policy=policy.default).parsebytes(retry.encode("utf-8", "replace"))
            if reparsed.is_multipart():
                self.mail.defects.append("wrong MIME boundary; read with the one the body uses")
                self.walk(reparsed, depth + 1)
                return
        self.texts.append(body)

    def _alternative(self, children: list[Message], depth: int) -> None:
        plain = [c for c in children if c.get_content_type() == "text/plain"]
        rich = [c for c in children if c.get_content_type() == "text/html"]
        others = [c for c in children if c.is_multipart()]
        if plain:
            self.texts.append(decode_text(plain[0], self.declared))
        if rich:
            self.htmls.append(decode_text(rich[-1], self.declared))
        elif others and not plain:
            self.walk(others[-1], depth + 1)
        elif others:  # multipart/related with the html and its inline images
            before = len(self.texts)
            self.walk(others[-1], depth + 1)
            del self.texts[before:]  # the plain alternative already says it

    def _file(self, part: Message) -> None:
        cid = header(part, "content-id", self.declared).strip("<> ") or None
        self.mail.parts.append(Part(_filename(part, len(self.mail.parts) + 1), _content_type(part),
                                    _part_bytes(part), cid))


def _content_type(part: Message) -> str:
    try:
        return clean_text(part.get_content_type())[:100] or "application/octet-stream"
    except Exception:
        return "application/octet-stream"


def _children(part: Message) -> list[Message]:
    try:
        payload = part.get_payload()
    except Exception:
        return []
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def strip_preamble(raw: bytes) -> tuple[bytes, bool]:
    """Lines before the headers that are not headers (an mbox "From " line, a stray blank or banner
    line) would make the parser read the whole mail as body; skip a few when real headers follow."""
    lines = raw.split(b"\n", MAX_PREAMBLE_LINES + 1)
    if not lines or _HEADER_LINE.match(lines[0]):
        return raw, False
    for skip in range(1, min(MAX_PREAMBLE_LINES, len(lines) - 1) + 1):
        if _KNOWN_HEADER.match(lines[skip]):
            return b"\n".join(lines[skip:]), True
    return raw, False


def _sender(msg: Message, declared: list[str], envelope_sender: str) -> tuple[str, str, str]:
    """(display name, address, where it came from): From, then Reply-To, Return-Path, the envelope."""
    for name in SENDER_HEADERS:
        for value in header_tools.raw_values(msg, name):
            found = header_tools.mailbox(value, declared)
            if found is not None:
                return found[0][:200], found[1], name
    envelope = header_tools.normalise_address(envelope_sender) if envelope_sender else None
    if envelope:
        return "", envelope, "envelope"
    return "", "", "none"


def parse(raw: bytes, envelope_sender: str = "") -> ParsedMail:
    body, skipped = strip_preamble(raw)
    try:
        msg: Message = BytesParser(policy=policy.default).parsebytes(body)
    except Exception:  # the standard parser trips on some broken headers; the older policy parses lazily
        msg = BytesParser(policy=policy.compat32).parsebytes(body)
    declared = declared_charsets(msg)
    name, address, source = _sender(msg, declared, envelope_sender)
    by_header: dict[str, list[str]] = {"to": [], "cc": []}
    for field_name, found in by_header.items():
        for _, addr in getaddresses([header(msg, field_name, declared)]):
            normal = header_tools.normalise_address(addr) if "@" in addr else None
            if normal:
                found.append(normal)
    recipients = [*by_header["to"], *by_header["cc"]]
    message_id = next(iter(message_ids(header(msg, "message-id", declared))), None)
    mail = ParsedMail(
        message_id=message_id, sender=address, sender_name=name,
        recipients=recipients, subject=header(msg, "subject", declared)[:998], date=header(msg, "date", declared),
        text="", html=None, in_reply_to=message_ids(header(msg, "in-reply-to", declared)),
        references=message_ids(header(msg, "references", declared)),
        headers={k: header(msg, k, declared) for k in ("auto-submitted", "precedence", "x-autoreply",
                                                       "x-autorespond", "list-id", "list-unsubscribe",
                                                       "x-auto-response-suppress", "return-path")},
        content_type=_content_type(msg), sender_source=source, charsets=declared,
        to=by_header["to"][:100], cc=by_header["cc"][:100],
        authentication_results=[header_tools.decode_value(v, declared)
                                for v in header_tools.raw_values(msg, "authentication-results")][:20],
    )
    if skipped:
        mail.defects.append("the first line was not a header; it was skipped")
    walker = _Walker(mail)
    try:
        walker.walk(msg)
    except Exception as exc:  # a parser corner we did not foresee: keep the whole mail as a file
        mail.defects.append(f"could not split the mail: {exc}")
        mail.parts.append(Part("original.eml", "message/rfc822", raw))
    mail.defects.extend(type(d).__name__ for d in getattr(msg, "defects", []))
    mail.text = "\n\n".join(t.strip() for t in walker.texts if t.strip())
    mail.html = "\n<hr>\n".join(walker.htmls) if walker.htmls else None
    if not mail.text and mail.html:
        mail.text = html_tools.to_text(mail.html)
    return mail
