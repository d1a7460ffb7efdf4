"""The satisfaction survey that follows a resolve: queued once per conversation as a scheduled send.

It is an ordinary outbox row (direction out) whose `next_attempt_at` lies `delay_seconds` after the
resolve, so the dispatcher sends it then and every retry rule applies. Its client key `csat:<conversation>`
is unique: a second resolve (after a reopen), a double click or two hub processes queue nothing more.
Never sent to an automatic sender (an auto-reply or delivery report was the customer's last word) or
to an address mail already bounced from. On the website chat the widget draws the row as stars and a
comment box (hub/webchat_rating.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from channels.base import ReplyRules
from hub import names as model
from hub.outbound import survey_links, survey_settings, survey_texts
from hub.outbound.replies import reply_identity
from hub.runtime import Hub
from hub.store import contacts, conversations, csat, departments, messages
from hub.store.db import Doc
from hub.store.documents import Message

log = logging.getLogger(__name__)

# Channels whose survey this module sends (on webchat the widget shows the row as stars).
SURVEYED = ("sms", "whatsapp", "telegram", "email", "webchat")
TYPED_ANSWER = ("sms", "whatsapp")  # the customer types the number (WhatsApp's buttons send it as text too)


def client_key(conversation_id: object) -> str:
    return f"csat:{conversation_id}"


def survey_doc(hub: Hub, conversation: Mapping[str, Any], channel: str, language: str) -> Doc:
    """Text and choices of the survey on one channel, in the customer's language."""
    labels = survey_texts.SCORE_LABELS[language]
    if channel == "email":
        secret = hub.settings.ensure_secret_key()
        links = [survey_links.url(hub.settings.effective_public_url(), secret, conversation["_id"], score, language)
                 for score in range(1, 6)]
        text = survey_texts.CLICK_A_SCORE[language]  # the channel puts the links under it
        choices = [{"value": str(s), "label": labels[s - 1], "url": links[s - 1]} for s in range(1, 6)]
    else:
        text = (survey_texts.REPLY_WITH_A_NUMBER if channel in TYPED_ANSWER else survey_texts.QUESTION)[language]
        choices = [{"value": str(s), "label": str(s)} for s in range(1, 6)]
    return {"text": text, "choices": choices}


async def why_not_asked(hub: Hub, conversation: Mapping[str, Any], channel: str | None, address: str | None
                        ) -> str | None:
    if channel not in SURVEYED:
        return f"no survey on {channel or 'no channel'}"
    if address is None:
        return f"the customer has no {channel} address"
    if await csat.last_inbound_was_automatic(hub.db, conversation["_id"]):
        return "the last message came from an automatic sender"
    if channel == "email" and await csat.bounced_before(hub.db, conversation["contact_id"], channel, address):
        return "mail to this address bounced"
    return None


async def queue_after_resolve(hub: Hub, conversation: Mapping[str, Any], now: datetime) -> Message | None:
    """Queue the survey of a conversation just resolved, if its department asks and it was never asked."""
    if conversation.get("status") != "resolved":
        return None
    department_id = conversation.get("department_id")
    department = await departments.get(hub.db, department_id) if department_id is not None else None
    settings = survey_settings.of_department(department)
    if not settings.enabled:
        return None
    channel = conversation.get("last_channel")
    contact: Mapping[str, Any] = await contacts.get(hub.db, conversation["contact_id"]) or {}
    identity = reply_identity(contact, str(channel)) if channel else None
    address = str(identity["value"]) if identity else None
    refusal = await why_not_asked(hub, conversation, channel, address)
    if refusal is not None:
        log.info("no survey conversation=%s reason=%s", conversation["_id"], refusal)
        return None
    assert channel is not None and identity is not None
    language = survey_texts.language_of(conversation.get("language") or contact.get("language"))
    due = now + timedelta(seconds=settings.delay_seconds)
    extras: Doc = {"automatic": True, "survey": "csat", "language": language}
    adapter = hub.channel(channel)
    if isinstance(adapter, ReplyRules):  # WhatsApp's 24-hour window, as it will be when the survey is due
        refusal = adapter.refuse_reply(conversation, extras, due)
        if refusal:
            log.info("no survey conversation=%s reason=%s", conversation["_id"], refusal)
            return None
    doc: Doc = {
        "conversation_id": conversation["_id"], "contact_id": conversation["contact_id"], "kind": "message",
        "direction": model.OUT, "channel": channel, "to": identity,
        "author": {"type": "system", "name": "Satisfaction survey"}, "created_at": now, "next_attempt_at": due,
        "client_key": client_key(conversation["_id"]),
        # automatic: no agent's answer (SLA clocks), and email marks it Auto-Submitted (RFC 3834).
        "extras": extras,
        **survey_doc(hub, conversation, channel, language),
    }
    queued, created = await messages.enqueue(hub.db, doc)
    if created:
        await csat.mark_asked(hub.db, conversation["_id"], queued["_id"], channel, due)
    elif not (queued.get("withheld") and await csat.requeue_survey(hub.db, conversation["_id"], queued["_id"], due,
                                                                   now)):
        return None  # asked already (sent, answered or still waiting): never twice
    hub.outbox_wakeup.set()
    return queued


WITHHELD = "Not sent: the conversation was reopened before the survey was due; a new resolve sends it."


async def withheld(hub: Hub, doc: Mapping[str, Any], owner: str, now: datetime) -> bool:
    """True when this leased row is a survey whose conversation is no longer resolved (then settled so)."""
    if (doc.get("extras") or {}).get("survey") != "csat":
        return False
    conversation = await conversations.get(hub.db, doc["conversation_id"])
    if conversation is not None and conversation.get("status") == "resolved":
        return False
    await csat.withhold_survey(hub.db, doc["_id"], owner, WITHHELD, now)
    return True
