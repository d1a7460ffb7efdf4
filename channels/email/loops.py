"""Mail no automatic reply may answer, and delivery reports about mail we sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from channels.email.headers import clean_text
from channels.email.mime import ParsedMail, header, message_ids

_NO_REPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?)([+-].*)?@",
                       re.IGNORECASE)


def auto_reason(mail: ParsedMail, our_addresses: set[str]) -> str | None:
    """Why this mail must get no automatic reply (RFC 3834 and the habits of real autoresponders)."""
    headers = mail.headers
    auto_submitted = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return "X-Autoreply"
    if headers.get("list-id"):
        return "List-Id"
    if headers.get("x-auto-response-suppress", "").strip().lower() in ("all", "oof", "autoreply"):
        return "X-Auto-Response-Suppress"
    if _NO_REPLY.match(mail.sender):
        return "no-reply sender"
    if mail.sender in our_addresses:
        return "sent by one of our own mailboxes"
    return None


def is_no_reply(address: str) -> bool:
    return bool(_NO_REPLY.match(address))


@dataclass(frozen=True)
class Bounce:
    original_message_ids: list[str]
    action: str  # failed, delayed, delivered, relayed, expanded
    reason: str


def bounce(mail: ParsedMail) -> Bounce | None:
    """A DSN (RFC 3464): what happened to which of our messages, in the server's words."""
    if mail.report is None:
        return None
    actions: list[str] = []
    reasons: list[str] = []
    for block in _status_blocks(mail.report):
        action = block.get("action", "").lower()
        if action:
            actions.append(action)
        recipient = block.get("final-recipient", "").split(";")[-1].strip()
        diagnostic = block.get("diagnostic-code", "").split(";", 1)[-1].strip()
        status = block.get("status", "")
        if action == "failed" or (action and not reasons):
            reasons.append(" ".join(x for x in (recipient and f"{recipient}:", diagnostic or f"status {status}")
                                    if x).strip())
    ids: list[str] = []
    for part in mail.parts:
        if part.content_type in ("text/rfc822-headers", "message/rfc822", "message/global-headers"):
            ids += [i.lower() for i in message_ids(_original_header(part.data, "message-id"))]
    action = "failed" if "failed" in actions else (actions[0] if actions else "failed")
    reason = "; ".join(r for r in reasons if r) or "the receiving mail server returned it undelivered"
    return Bounce(ids, action, clean_text(reason)[:500])


def _status_blocks(report: Message) -> list[dict[str, str]]:
    payload = report.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):  # the parser splits delivery-status into header blocks
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): header(block, k) for k in block})
        return blocks
    text = payload if isinstance(payload, str) else ""
    for chunk in re.split(r"\r?\n\s*\r?\n", text):
        fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.+)$", chunk, re.MULTILINE))
        blocks.append({k.lower(): v.strip() for k, v in fields.items()})
    return blocks


def _original_header(data: bytes, name: str) -> str:
    text = data.decode("utf-8", "replace")
    head = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
    match = re.search(rf"^{name}:\s*(.+(?:\r?\n[ \t].+)*)", head, re.IGNORECASE | re.MULTILINE)
    return match.group(1) if match else ""
