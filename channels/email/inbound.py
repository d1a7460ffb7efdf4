"""One received mail (from the SMTP listener or an IMAP poll) -> bounce, echo, or a stored message."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from channels.base import EMAIL, Attachment, ChannelHost, Identity, InboundMessage, without_surrogates
from channels.email import auth, loops, threads
from channels.email import html as html_tools
from channels.email.headers import clean_text, normalise_address
from channels.email.mime import ParsedMail, parse
from channels.email.settings import EmailSettings

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 50  # kept of a mail's To and of its Cc
MAX_EXTRA_TEXT = 1024 * 1024  # the full original text beside the folded reply; the .eml keeps the rest
# Identity kinds of this channel beside EMAIL: a From the receiving server marked as failing its
# checks (the address is only claimed), and a mail that names no address anywhere.
UNVERIFIED_EMAIL = "email_unverified"
UNKNOWN_SENDER = "email_unknown"


class Refused(Exception):
    """A mail we will never take (the sending server turns it into a bounce for its sender).

    `receive` itself no longer refuses a mail for a missing or odd sender: it stores it instead."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # stored, duplicate, bounce, own, unreadable
    detail: str = ""
    message_id: str | None = None


def _truncate(text: str, limit: int, note: str) -> str:
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return text
    room = max(limit - len(note.encode()) - 8, 0)
    return data[:room].decode("utf-8", "ignore") + "\n\n" + note


async def receive(host: ChannelHost, config: EmailSettings, data: bytes, *, envelope_from: str, recipients: list[str],
                  source: str) -> Outcome:
    """Store first (the original in GridFS), then parse. Only a database outage raises (the sender tries
    again later); a mail that cannot be read is stored as a message saying so, with its original."""
    ours = [r.lower() for r in recipients if config.mailbox(r)]
    original_id = await host.store_file(data, "original.eml", "message/rfc822", {"channel": "email"})
    envelope = {"source": source, "envelope_from": without_surrogates(envelope_from), "recipients": ours,
                "original_file_id": original_id, "size": len(data)}
    try:
        return await _receive(host, config, data, envelope)
    except Exception as exc:
        if host.mail.database_trouble(exc):
            raise
        log.exception("mail could not be read; storing it as unreadable source=%s", source)
        return await _store_unreadable(host, config, data, envelope, exc)


async def _receive(host: ChannelHost, config: EmailSettings, data: bytes, envelope: dict[str, Any]) -> Outcome:
    parsed = await asyncio.to_thread(parse, data, envelope["envelope_from"])
    report = loops.bounce(parsed)
    if report is not None and await host.mail.sent_by_us(report.original_message_ids):
        return await _bounce(host, report, envelope)
    if parsed.message_id and threads.ours(parsed.message_id, config.our_domains()):
        await host.keep_raw("email", {**envelope, "message_id": parsed.message_id},
                            "our own message came back; not stored as customer mail")
        return Outcome("own", "our own message")
    verdict = auth.check(parsed.authentication_results, config.trusted_authserv_ids)
    identity = sender_identity(parsed, verdict)
    inbound = await _inbound(host, config, parsed, identity, envelope["recipients"], envelope)
    if verdict.failed:
        inbound = replace(inbound, extras={**inbound.extras, "sender_not_verified": verdict.reason})
    if report is not None:  # about a mail we never sent: a person should see it, flagged for what it is
        inbound = replace(inbound, extras={**inbound.extras, "auto_submitted": True, "auto_reason": "delivery report",
                                           "bounce": {"action": report.action, "reason": report.reason,
                                                      "original_message_ids": report.original_message_ids[:5]}})
    result = await host.ingest(inbound)
    if identity.kind == UNVERIFIED_EMAIL:
        await host.mail.claim_address(result.contact_id, identity.value)
    kind = "stored" if result.created else "duplicate"
    log.info("mail %s source=%s mailbox=%s message=%s sender_from=%s verified=%s", kind, envelope["source"],
             ",".join(envelope["recipients"]), result.message_id, parsed.sender_source, not verdict.failed)
    return Outcome(kind, message_id=result.message_id)


def sender_identity(parsed: ParsedMail, verdict: auth.SenderCheck) -> Identity:
    """Whom a mail is from. A From the receiving server marked as forged is a claim, kept on a contact of
    its own so it never reaches the history of the contact holding that address."""
    if not parsed.sender:
        return Identity(UNKNOWN_SENDER, parsed.fingerprint())
    if verdict.failed:
        return Identity(UNVERIFIED_EMAIL, parsed.sender)
    return Identity(EMAIL, parsed.sender)


async def _store_unreadable(host: ChannelHost, config: EmailSettings, data: bytes, envelope: dict[str, Any],
                            exc: Exception) -> Outcome:
    """The mail as its original file, under the envelope sender as an unverified claim: agents see it."""
    now = host.now()
    digest = hashlib.sha256(data).hexdigest()[:40]
    address = normalise_address(envelope["envelope_from"]) if envelope["envelope_from"] else None
    identity = Identity(UNVERIFIED_EMAIL, address) if address else Identity(UNKNOWN_SENDER, f"sha256:{digest}")
    reason = clean_text(f"{type(exc).__name__}: {exc}")[:300]
    ours = envelope["recipients"]
    inbound = InboundMessage(
        channel="email", identity=identity, received_at=now, external_id=f"unreadable|sha256:{digest}",
        text="This mail could not be read, so it is kept as it arrived: open the attached original.eml.",
        attachments=(Attachment("original.eml", "message/rfc822", len(data),
                                file_id=str(envelope["original_file_id"])),),
        raw=envelope,
        extras={"mailbox": ours[0] if ours else None, "mailboxes": ours, "unreadable": reason,
                "department": _mailbox_department(config, ours), "source": envelope["source"],
                "original_file_id": str(envelope["original_file_id"]),
                "sender_not_verified": "the mail could not be read, so its sender could not be checked"},
    )
    result = await host.ingest(inbound)
    if address:
        await host.mail.claim_address(result.contact_id, address)
    log.info("unreadable mail kept message=%s reason=%s", result.message_id, type(exc).__name__)
    return Outcome("unreadable" if result.created else "duplicate", reason, result.message_id)


async def _bounce(host: ChannelHost, report: loops.Bounce, envelope: dict[str, Any]) -> Outcome:
    payload = {**envelope, "bounce_for": report.original_message_ids}
    if report.action != "failed" or not report.original_message_ids:
        await host.keep_raw("email", payload, f"delivery report ({report.action}) kept, nothing to update")
        return Outcome("bounce", report.action)
    failed = await host.mail.record_bounce(payload, report.original_message_ids, report.reason)
    log.info("bounce about message=%s matched=%s", report.original_message_ids[:1], failed is not None)
    return Outcome("bounce", report.reason, failed)


async def _attachments(host: ChannelHost, parsed: ParsedMail) -> tuple[list[Attachment], list[dict[str, Any]]]:
    """Files into GridFS; `inline` maps an HTML cid: URL to its attachment index (a list: cids hold dots)."""
    limit = host.limits.max_attachment_bytes
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
        file_id = await host.store_file(part.data, part.filename, part.content_type, {"channel": "email"})
        stored.append(Attachment(part.filename, part.content_type, len(part.data), file_id=file_id))
    return stored, inline


async def _thread(host: ChannelHost, config: EmailSettings, parsed: ParsedMail,
                  sender: str) -> tuple[str | None, bool]:
    """The conversation a reply names. `ingest` joins it only if it belongs to the sender's own contact,
    so a reference to another customer's conversation opens a new one instead."""
    hint = threads.conversation_hint(parsed.in_reply_to, parsed.references, config.our_domains())
    if hint is None:
        return None, True
    if not await host.mail.may_reopen(hint, sender, config.reopen_per_sender_per_hour):
        log.info("reopen cap reached sender_domain=%s conversation=%s", sender.rpartition("@")[2], hint)
        return hint, False
    return hint, True


def _sent_at(date: str) -> datetime | None:
    """The mail's Date header as a UTC time (the "On …, … wrote:" line a reply quotes it under); None when
    the header is missing or unreadable."""
    try:
        moment = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _mailbox_department(config: EmailSettings, ours: list[str]) -> str | None:
    mailbox = config.mailbox(ours[0]) if ours else None
    return mailbox.department or None if mailbox else None


async def _inbound(host: ChannelHost, config: EmailSettings, parsed: ParsedMail, identity: Identity, ours: list[str],
                   envelope: dict[str, Any]) -> InboundMessage:
    attachments, inline = await _attachments(host, parsed)
    full_text = parsed.text
    text = html_tools.fold_quote(full_text) if full_text.strip() else ""
    limit = host.limits.max_text_bytes
    text = _truncate(text, limit, "[… the rest of this mail is in the original]")
    extras: dict[str, Any] = {
        "mailbox": ours[0] if ours else None, "mailboxes": ours, "message_id": parsed.message_id,
        # The mailbox's department: routing sends the conversation there unless a rule says otherwise.
        "department": _mailbox_department(config, ours),
        "in_reply_to": parsed.in_reply_to[:5], "references": parsed.references[-30:],
        "original_file_id": str(envelope["original_file_id"]), "source": envelope["source"],
        # Who else the customer wrote to: a reply offers them as its CC ("reply all"), and quotes the sender.
        "to": parsed.to[:MAX_RECIPIENTS], "cc": parsed.cc[:MAX_RECIPIENTS],
        "from_name": parsed.sender_name or None, "from_address": parsed.sender or None,
        "sent_at": _sent_at(parsed.date),
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
    if parsed.sender_source != "from":
        extras["sender_from"] = parsed.sender_source  # no usable From: the address came from here
    thread_id, may_reopen = await _thread(host, config, parsed, identity.value)
    external = parsed.message_id or parsed.fingerprint()
    return InboundMessage(
        channel="email", identity=identity, text=text, received_at=host.now(),
        # The sender is part of the key: another sender reusing a Message-ID must not be swallowed.
        external_id=f"{identity.value}|{external}"[:900], contact_name=parsed.sender_name or None,
        attachments=tuple(attachments), html=html, subject=parsed.subject or None,
        raw={**envelope, "message_id": parsed.message_id}, extras=extras,
        thread_conversation_id=thread_id, thread_may_reopen=may_reopen,
    )
