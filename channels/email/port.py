"""What the email channel asks of the hub beyond the common port (`channels.base.ChannelHost`).

Mail needs a few things no other channel does: the mailboxes an operator stored, the customer's last mail
to thread a reply under, the Message-IDs it sent (for bounces and retries), reopen limits, IMAP places,
and whether the database can take a mail right now (SMTP answers 451 when not). The channel reaches them
as `host.mail`; the hub implements them (hub/ports/mail_host.py). Ids are the hub's, as strings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from channels.email.settings import Mailbox


@dataclass(frozen=True)
class CustomerMail:
    """The customer's newest mail in a conversation, as the channel stored it."""

    subject: str
    extras: Mapping[str, Any] = field(default_factory=dict)
    # What a reply quotes under its text ("On <date>, <name> wrote:"): the whole mail as it arrived.
    text: str = ""
    sender_name: str = ""
    sender_address: str = ""
    received_at: datetime | None = None


@dataclass(frozen=True)
class ReplyContext:
    """What a reply needs to know about its conversation."""

    department: str  # the name of the conversation's department; "" when it has none
    last_mail: CustomerMail | None


@dataclass(frozen=True)
class ImapPlace:
    """How far a mailbox folder has been read: UIDs mean something only within one UIDVALIDITY."""

    uidvalidity: int
    last_uid: int


class MailHost(Protocol):
    def smtp_listen(self) -> str:
        """HUB_SMTP_LISTEN (HOST:PORT), or "" when the hub runs no SMTP listener."""
        ...

    def database_down(self) -> bool:
        """The database is known down right now: an SMTP sender is told to try again (451) at once."""
        ...

    def database_trouble(self, exc: BaseException) -> bool:
        """The error is the database being away or overloaded (worth a 451 and a retry), not a mail that
        cannot be read."""
        ...

    def watch_mailboxes(self, changed: Callable[[], Awaitable[None]], from_settings: Sequence[Mailbox]) -> None:
        """`changed` is awaited when the admin UI saves a mailbox in this process; `from_settings` are the
        EMAIL_MAILBOXES ones, which the admin UI shows as read-only."""
        ...

    async def stored_mailboxes(self) -> list[Mapping[str, Any]]:
        """The mailboxes added in the admin UI, with their passwords unsealed, by address."""
        ...

    async def reply_context(self, conversation_id: str) -> ReplyContext:
        """The conversation's department and the customer's newest mail in it."""
        ...

    async def keep_message_id(self, reply_id: str, made: str) -> str:
        """The Message-ID a reply goes out with: `made` the first time, the kept one on every retry."""
        ...

    async def sent_by_us(self, message_ids: Sequence[str]) -> bool:
        """Whether one of these Message-IDs (without <>) is a mail the hub sent."""
        ...

    async def record_bounce(self, payload: Mapping[str, Any], message_ids: Sequence[str], reason: str) -> str | None:
        """A delivery failure: the payload kept, the reply among `message_ids` marked failed with the reason;
        that reply's id, or None when none matched."""
        ...

    async def may_reopen(self, conversation_id: str, sender: str, per_hour: int) -> bool:
        """Whether a mail from `sender` may join this conversation: always when it is open (or unknown); when
        it is closed, False once the sender has reopened `per_hour` conversations in the last hour, else
        True, and the reopen is counted."""
        ...

    async def claim_address(self, contact_id: str, address: str) -> None:
        """The contact says it holds this address, unproven (the From failed the receiving server's checks)."""
        ...

    async def imap_place(self, mailbox: str, folder: str) -> ImapPlace | None:
        """Where the last poll of this folder stopped; None before the first."""
        ...

    async def imap_restart(self, mailbox: str, folder: str, uidvalidity: int) -> None:
        """Read the folder from its start under this (new) UIDVALIDITY."""
        ...

    async def imap_advance(self, mailbox: str, folder: str, uidvalidity: int, uid: int) -> None:
        """The mail at `uid` is stored (or will never be): the next poll starts after it."""
        ...
