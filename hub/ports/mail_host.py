"""The hub's side of the email channel's own port (`channels.email.port.MailHost`), done with the store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from channels.base import EMAIL, Identity
from channels.email.port import CustomerMail, ImapPlace, ReplyContext
from channels.email.settings import Mailbox
from hub.clock import utcnow
from hub.db import health
from hub.runtime import Hub
from hub.store import claims, conversations, departments, mail, mailboxes, messages, raw
from hub.store.db import oid

__all__ = ["HubMailHost"]


class HubMailHost:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def smtp_listen(self) -> str:
        return self._hub.settings.smtp_listen

    def database_down(self) -> bool:
        return health.health_of(self._hub).down

    def database_trouble(self, exc: BaseException) -> bool:
        return health.database_trouble(exc)

    def watch_mailboxes(self, changed: Callable[[], Awaitable[None]], from_settings: Sequence[Mailbox]) -> None:
        self._hub.mailboxes.changed = changed
        self._hub.mailboxes.from_settings = from_settings

    async def stored_mailboxes(self) -> list[Mapping[str, Any]]:
        return list(await mailboxes.all_with_secrets(self._hub.db, self._hub.settings.ensure_secret_key()))

    async def reply_context(self, conversation_id: str) -> ReplyContext:
        row_id = oid(conversation_id)
        if row_id is None:
            return ReplyContext("", None)
        conversation = await conversations.get(self._hub.db, row_id)
        department = ""
        department_id = conversation.get("department_id") if conversation is not None else None
        if department_id is not None:
            found = await departments.get(self._hub.db, department_id)
            department = str(found.get("name", "")) if found else ""
        last = await mail.last_inbound_email(self._hub.db, row_id)
        if last is None:
            return ReplyContext(department, None)
        extras = dict(last.get("extras") or {})
        received = extras.get("sent_at") or last.get("received_at") or last.get("created_at")
        return ReplyContext(department, CustomerMail(
            str(last.get("subject") or ""), extras, text=str(extras.get("full_text") or last.get("text") or ""),
            sender_name=str(extras.get("from_name") or (last.get("author") or {}).get("name") or ""),
            sender_address=str(extras.get("from_address") or ""),
            received_at=received if isinstance(received, datetime) else None))

    async def keep_message_id(self, reply_id: str, made: str) -> str:
        row_id = oid(reply_id)
        if row_id is None:
            return made
        return await messages.keep_outbound_header(self._hub.db, row_id, "message_id", made)

    async def sent_by_us(self, message_ids: Sequence[str]) -> bool:
        return await mail.sent_with_message_ids(self._hub.db, list(message_ids)) is not None

    async def record_bounce(self, payload: Mapping[str, Any], message_ids: Sequence[str], reason: str) -> str | None:
        db, now = self._hub.db, utcnow()
        raw_id = await raw.keep(db, EMAIL, payload, now)
        failed = await messages.advance_status(db, {"provider_id": {"$in": list(message_ids)}, "direction": "out",
                                                    "channel": EMAIL},
                                               "failed", now, error=f"Bounced: {reason}")
        await raw.mark(db, raw_id, "bounce", failed["_id"] if failed else None)
        return str(failed["_id"]) if failed else None

    async def may_reopen(self, conversation_id: str, sender: str, per_hour: int) -> bool:
        row_id = oid(conversation_id)
        conversation = await conversations.get(self._hub.db, row_id) if row_id is not None else None
        if row_id is None or conversation is None or conversation.get("active"):
            return True
        now = utcnow()
        if await mail.count_reopens(self._hub.db, sender, now) >= per_hour:
            return False
        await mail.record_reopen(self._hub.db, sender, row_id, now)
        return True

    async def claim_address(self, contact_id: str, address: str) -> None:
        row_id = oid(contact_id)
        if row_id is not None:
            await claims.add(self._hub.db, row_id, Identity(EMAIL, address), utcnow())

    async def imap_place(self, mailbox: str, folder: str) -> ImapPlace | None:
        cursor = await mail.imap_cursor(self._hub.db, mailbox, folder)
        if cursor is None:
            return None
        return ImapPlace(uidvalidity=int(cursor["uidvalidity"]), last_uid=int(cursor["last_uid"]))

    async def imap_restart(self, mailbox: str, folder: str, uidvalidity: int) -> None:
        await mail.reset_imap_cursor(self._hub.db, mailbox, folder, uidvalidity, utcnow())

    async def imap_advance(self, mailbox: str, folder: str, uidvalidity: int, uid: int) -> None:
        await mail.advance_imap_cursor(self._hub.db, mailbox, folder, uidvalidity, uid, utcnow())
