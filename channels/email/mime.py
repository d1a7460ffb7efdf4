"""Raw mail bytes -> the parts the hub keeps. Pure and forgiving: bad MIME degrades, never raises."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from channels.email import html as html_tools

MAX_DEPTH = 40
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MSGID = re.compile(r"<([^<>\s]+)>")
_BOUNDARY_LINE = re.compile(r"^--([0-9A-Za-z'()+_,./:=?-]{1,70})\s*$")
# Declared charsets that lie in practice: decode with the superset mail clients really use.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "ks_c_5601-1987": "cp949",
                    "iso-8859-8-i": "iso-8859-8", "windows-874": "cp874", "x-sjis": "shift_jis",
                    "ascii": "utf-8", "us-ascii": "utf-8"}


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None


@dataclass
class ParsedMail:
    message_id: str | None
    sender: str  # lower-cased address from From (or the envelope when From is unusable)
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

    def fingerprint(self) -> str:
        """Stands in for a missing Message-ID: same sender, date, subject and body -> same mail."""
        digest = hashlib.sha256("\x00".join([self.sender, self.date, self.subject, self.text,
                                             self.html or ""]).encode("utf-8", "surrogatepass"))
        return f"sha256:{digest.hexdigest()[:40]}"


def clean_header_text(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value).split())


def header(msg: Message, name: str) -> str:
    """A header decoded (RFC 2047), or its raw bytes made readable when the encoding is broken."""
    try:
        value = msg.get(name)
    except Exception:
        value = None
        raw = msg.get_all(name, failobj=None) if hasattr(msg, "get_all") else None
        if raw:
            value = str(raw[0])
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        text = repr(value)
    return clean_header_text(text.encode("utf-8", "replace").decode("utf-8"))


def message_ids(value: str) -> list[str]:
    """Message-IDs as written: the customer's client compares them exactly when threading our reply."""
    return list(_MSGID.findall(value))


def decode_text(part: Message) -> str:
    return _decode_text(part).replace("\r\n", "\n")


def _decode_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    declared = str(part.get_content_charset() or "utf-8").lower()
    for charset in (_CHARSET_ALIASES.get(declared, declared), "utf-8"):
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    # Unknown or lying charset: keep every byte readable rather than lose the customer's words.
    try:
        return payload.decode("utf-8", errors="replace")
    except Exception:  # pragma: no cover - decode with replace does not fail
        return payload.decode("latin-1")


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    name = clean_header_text(str(name or "")).replace("/", "_").replace("\\", "_")[:200]
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
            (self.texts if ctype == "text/plain" else self.htmls).append(decode_text(part))
            return
        self._file(part)

    def _broken_multipart(self, part: Message, depth: int) -> None:
        """Try the boundary the body really uses; failing that, the body as text beats losing it."""
        body = decode_text(part)
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
            self.texts.append(decode_text(plain[0]))
        if rich:
            self.htmls.append(decode_text(rich[-1]))
        elif others and not plain:
            self.walk(others[-1], depth + 1)
        elif others:  # multipart/related with the html and its inline images
            before = len(self.texts)
            self.walk(others[-1], depth + 1)
            del self.texts[before:]  # the plain alternative already says it

    def _file(self, part: Message) -> None:
        cid = header(part, "content-id").strip("<> ") or None
        self.mail.parts.append(Part(_filename(part, len(self.mail.parts) + 1), part.get_content_type(),
                                    _part_bytes(part), cid))


def _children(part: Message) -> list[Message]:
    try:
        payload = part.get_payload()
    except Exception:
        return []
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def parse(raw: bytes, envelope_sender: str = "") -> ParsedMail:
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    name, address = "", ""
    try:
        addresses = msg["from"].addresses if msg["from"] is not None else ()
        if addresses:
            name, address = addresses[0].display_name, addresses[0].addr_spec
    except Exception:
        name, address = parseaddr(header(msg, "from"))
    if "@" not in address:
        address = envelope_sender
    recipients: list[str] = []
    for field_name in ("to", "cc"):
        for _, addr in getaddresses([header(msg, field_name)]):
            if "@" in addr:
                recipients.append(addr.lower())
    message_id = next(iter(message_ids(header(msg, "message-id"))), None)
    mail = ParsedMail(
        message_id=message_id, sender=address.strip().lower(), sender_name=clean_header_text(name)[:200],
        recipients=recipients, subject=header(msg, "subject")[:998], date=header(msg, "date"), text="", html=None,
        in_reply_to=message_ids(header(msg, "in-reply-to")), references=message_ids(header(msg, "references")),
        headers={k: header(msg, k) for k in ("auto-submitted", "precedence", "x-autoreply", "x-autorespond",
                                             "list-id", "list-unsubscribe", "x-auto-response-suppress",
                                             "return-path")},
        content_type=msg.get_content_type(),
    )
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
