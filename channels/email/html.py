"""Customer HTML made safe to show, and plain text for search, previews and the folded quote."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from inscriptis import get_text
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"dir", "lang", "title", "align", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Only looks, never layout: position/overlay tricks and url() in CSS stay out.
_STYLE_PROPERTIES = {"color", "background-color", "font-weight", "font-style", "text-decoration", "text-align",
                     "direction", "unicode-bidi"}
_SCHEMES = {"http", "https", "mailto", "cid", "tel"}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


@dataclass(frozen=True)
class SafeHtml:
    html: str  # remote images removed: what the timeline shows
    with_remote_images: str | None  # the same with remote images, for when the agent asks; None if none


def sanitize(html: str) -> SafeHtml:
    """nh3 with dir/lang kept, no scripts, handlers or javascript: URLs; remote images held back."""
    blocked: list[str] = []

    def hold_back_remote(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and _REMOTE.match(value):
            blocked.append(value)
            return None
        return value

    def clean(attribute_filter: Callable[[str, str, str], str | None] | None) -> str:
        return nh3.clean(html, tags=_TAGS, clean_content_tags={"script", "style", "title", "head"},
                         attributes=_ATTRIBUTES, attribute_filter=attribute_filter,
                         url_schemes=_SCHEMES, link_rel="noopener noreferrer nofollow",
                         filter_style_properties=_STYLE_PROPERTIES, url_relative="deny", strip_comments=True)

    safe = clean(hold_back_remote)
    return SafeHtml(safe, clean(None) if blocked else None)


def to_text(html: str) -> str:
    try:
        text = get_text(html)
    except Exception:  # lxml can refuse pathological markup; tags stripped crudely beat losing the text
        text = re.sub(r"<[^>]*>", " ", html)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


_PARSER = EmailReplyParser(languages=[code for code in MAIL_LANGUAGES if code != "david"])
# What mail-parser-reply does not know: attribution lines in Persian/Arabic/Vietnamese, Chinese
# clients' "original message" separators, and Outlook's header block ("From: … Sent: …") as Persian
# and Arabic Outlook writes it (a From line, then within two lines a Sent or Date line). Each must
# begin a line.
_SEPARATORS = re.compile(
    r"^(?:-{2,}\s*(?:原始邮件|原始郵件|Original Message|Tin nhắn gốc|رسالة أصلية|پیام اصلی)\s*-{2,}"
    r"|.{0,200}(?:نوشت|كتب|đã viết|写道|寫道|wrote)\s*[:：]\s*$"
    r"|في\s.{0,200}كتب\s.{0,200}[:：]\s*$"  # Arabic Gmail: "في <date>، كتب <name> <address>:"
    r"|[*\s]*(?:از|من|From|发件人|寄件者|Từ)\s*[:：].{0,300}\n(?:.{0,300}\n){0,2}?"
    r"[*\s]*(?:ارسال شده|ارسال\u200cشده|تاریخ|تاريخ الإرسال|التاريخ|أرسلت|Sent|Date|发送时间|寄件日期|Đã gửi)\s*[:：])",
    re.MULTILINE,
)


def fold_quote(text: str) -> str:
    """The new part of a reply; the quoted earlier mail is kept by the caller as the full text."""
    try:
        reply = _PARSER.parse_reply(text=text)
    except Exception:
        reply = text
    reply = reply if reply.strip() else text
    match = _SEPARATORS.search(reply)
    if match and reply[: match.start()].strip():
        reply = reply[: match.start()]
    lines = reply.rstrip().splitlines()
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()
    folded = "\n".join(lines).strip()
    return folded or text.strip()


def quoted_tail(full_text: str, folded: str) -> str:
    """What `fold_quote` took off a mail: the quoted earlier mail under the customer's new words. The
    whole text when the new part is not its start (a reply written below the quote)."""
    full, new = full_text.strip(), folded.strip()
    if new and full.startswith(new):
        return full[len(new):].strip()
    return full
