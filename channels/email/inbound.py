"""One received mail (from the SMTP listener or an IMAP poll) -> bounce, echo, or a stored message."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from channels.base import EMAIL, Attachment, Identity, InboundMessage
from channels.email import html as html_tools
from channels.email import loops, threads
from channels.email.mime import ParsedMail, parse
from channels.email.settings import EmailSettings
from hub.clock import utcnow
from hub.context import Hub
from hub.errors import BadInput
from hub.identities import normalise_email
from hub.ingest import ingest
from hub.store import conversations, files, mail, messages, raw
from hub.store.db import oid

log = logging.getLogger(__name__)
MAX_EXTRA_TEXT = 1024 * 1024  # the full original text beside the folded reply; the .eml keeps the rest


class Refused(Exception):
    """A mail we will never take (the sending server turns it into a bounce for its sender)."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # stored, duplicate, bounce, own
    detail: str = ""
    message_id: ObjectId | None = None


def _truncate(text: str, limit: int, note: str) -> str:
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return text
    room = max(limit - len(note.encode()) - 8, 0)
    return data[:room].decode("utf-8", "ignore") + "\n\n" + note


async def receive(hub: Hub, config: EmailSettings, data: bytes, *, envelope_from: str, recipients: list[str],
                  source: str) -> Outcome:
    """Store first (the original in GridFS), then parse; raises Refused only for a mail with no sender."""
    now = utcnow()
    ours = [r.lower() for r in recipients if config.mailbox(r)]
    original_id = await files.put(hub.db, data, "original.eml", "message/rfc822", {"channel": "email"})
    envelope = {"source": source, "envelope_from": envelope_from, "recipients": ours,
                "original_file_id": original_id, "size": len(data)}
    parsed = await asyncio.to_thread(parse, data, envelope_from)
    domains = config.our_domains()
    report = loops.bounce(parsed)
    if report is not None:
        return await _bounce(hub, parsed, report, envelope, now)
    if parsed.message_id and threads.ours(parsed.message_id, domains):
        raw_id = await raw.keep(hub.db, "email", {**envelope, "message_id": parsed.message_id}, now)
        await raw.mark(hub.db, raw_id, "our own message came back; not stored as customer mail")
        return Outcome("own", "our own message")
    try:
        sender = normalise_email(parsed.sender)
    except BadInput as exc:
        raise Refused(f"the sender address {parsed.sender[:100]!r} is not usable") from exc
    inbound = await _inbound(hub, config, parsed, sender, ours, envelope)
    result = await ingest(hub, inbound)
    kind = "stored" if result.created else "duplicate"
    log.info("mail %s source=%s mailbox=%s message=%s", kind, source, ",".join(ours), result.message["_id"])
    return Outcome(kind, message_id=result.message["_id"])


async def _bounce(hub: Hub, parsed: ParsedMail, report: loops.Bounce, envelope: dict[str, Any],
                  now: Any) -> Outcome:
    raw_id = await raw.keep(hub.db, "email", {**envelope, "bounce_for": report.original_message_ids}, now)
    if report.action != "failed" or not report.original_message_ids:
        await raw.mark(hub.db, raw_id, f"delivery report ({report.action}) kept, nothing to update")
        return Outcome("bounce", report.action)
    failed = await messages.advance_status(
        hub.db, {"provider_id": {"$in": report.original_message_ids}, "direction": "out"}, "failed", now,
        error=f"Bounced: {report.reason}",
    )
    await raw.mark(hub.db, raw_id, "bounce", failed["_id"] if failed else None)
    log.info("bounce about message=%s matched=%s", report.original_message_ids[:1], failed is not None)
    return Outcome("bounce", report.reason, failed["_id"] if failed else None)


async def _attachments(hub: Hub, parsed: ParsedMail) -> tuple[list[Attachment], list[dict[str, Any]]]:
    """Files into GridFS; `inline` maps an HTML cid: URL to its attachment index (a list: cids hold dots)."""
    limit = hub.settings.max_attachment_bytes
    stored: list[Attachment] = []
    inline: list[dict[str, Any]] = []
    for part in parsed.parts:
        if part.content_id:
            inline.append({"cid": part.content_id, "index": len(stored)})
        if len(part.data) > limit:
            stored.append(Attachment(part.filename, part.content_type, len(part.data), refused_reason=(
                f"not kept: {len(part.data):,} bytes is over the {limit:,} byte limit; ask the customer "
                "for it another way")))
            continue
        file_id = await files.put(hub.db, part.data, part.filename, part.content_type, {"channel": "email"})
        stored.append(Attachment(part.filename, part.content_type, len(part.data), file_id=str(file_id)))
    return stored, inline


async def _thread(hub: Hub, config: EmailSettings, parsed: ParsedMail, sender: str) -> tuple[str | None, bool]:
    hint = threads.conversation_hint(parsed.in_reply_to, parsed.references, config.our_domains())
    conversation_id = oid(hint) if hint else None
    if conversation_id is None:
        return None, True
    conversation = await conversations.get(hub.db, conversation_id)
    if conversation is None or conversation.get("active"):
        return hint, True
    now = utcnow()
    if await mail.count_reopens(hub.db, sender, now) >= config.reopen_per_sender_per_hour:
        log.info("reopen cap reached sender_domain=%s conversation=%s", sender.rpartition("@")[2], hint)
        return hint, False
    await mail.record_reopen(hub.db, sender, conversation_id, now)
    return hint, True


def _mailbox_department(config: EmailSettings, ours: list[str]) -> str | None:
    mailbox = config.mailbox(ours[0]) if ours else None
    return mailbox.department or None if mailbox else None


async def _inbound(hub: Hub, config: EmailSettings, parsed: ParsedMail, sender: str, ours: list[str],
                   envelope: dict[str, Any]) -> InboundMessage:
    attachments, inline = await _attachments(hub, parsed)
    full_text = parsed.text
    text = html_tools.fold_quote(full_text) if full_text.strip() else ""
    limit = hub.settings.max_text_bytes
    text = _truncate(text, limit, "[… the rest of this mail is in the original]")
    extras: dict[str, Any] = {
        "mailbox": ours[0] if ours else None, "mailboxes": ours, "message_id": parsed.message_id,
        # The mailbox's department: routing sends the conversation there unless a rule says otherwise.
        "department": _mailbox_department(config, ours),
        "in_reply_to": parsed.in_reply_to[:5], "references": parsed.references[-30:],
        "original_file_id": str(envelope["original_file_id"]), "source": envelope["source"],
    }
    if text != full_text.strip():
        extras["quote_folded"] = True
        extras["full_text"] = _truncate(full_text, MAX_EXTRA_TEXT, "[… truncated; see the original]")
    html: str | None = None
    if parsed.html:
        safe = html_tools.sanitize(parsed.html)
        html = safe.html if len(safe.html) <= MAX_EXTRA_TEXT * 2 else None
        if safe.with_remote_images and html is not None:
            extras["html_remote_images"] = safe.with_remote_images
    if inline:
        extras["inline_images"] = inline
    if parsed.defects:
        extras["defects"] = sorted(set(parsed.defects))[:20]
    reason = loops.auto_reason(parsed, {m.address for m in config.mailboxes})
    if reason:
        extras["auto_submitted"] = True
        extras["auto_reason"] = reason
    thread_id, may_reopen = await _thread(hub, config, parsed, sender)
    external = parsed.message_id or parsed.fingerprint()
    return InboundMessage(
        channel="email", identity=Identity(EMAIL, sender), text=text, received_at=utcnow(),
        # The sender is part of the key: another sender reusing a Message-ID must not be swallowed.
        external_id=f"{sender}|{external}"[:900], contact_name=parsed.sender_name or None,
        attachments=tuple(attachments), html=html, subject=parsed.subject or None,
        raw={**envelope, "message_id": parsed.message_id}, extras=extras,
        thread_conversation_id=thread_id, thread_may_reopen=may_reopen,
    )
