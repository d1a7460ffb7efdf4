"""The currency between channels, the hub and routing.

Every channel adapter turns provider payloads into an `InboundMessage` at its edge and calls the
hub's one `ingest()`; every reply leaves through the outbox as an `OutboundMessage` handed to the
adapter's `send()`. Provider-specific leftovers ride in `extras`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

# Identity kinds. A contact may hold several; (kind, value) is unique across contacts.
PHONE = "phone"  # E.164, shared by SMS and WhatsApp
EMAIL = "email"  # lower-cased
TELEGRAM = "telegram"  # Telegram user id
WEBCHAT = "webchat"  # signed visitor id


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str

    def as_doc(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value}

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class Attachment:
    """An attachment already stored by the hub (GridFS id) or one that was refused with a reason."""

    filename: str
    content_type: str
    size: int
    file_id: str | None = None
    refused_reason: str | None = None

    def as_doc(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "file_id": self.file_id,
            "refused_reason": self.refused_reason,
        }


@dataclass(frozen=True)
class InboundMessage:
    channel: str
    identity: Identity
    text: str
    received_at: datetime
    # Provider's id for this message; (channel, external_id) is the dedupe key.
    external_id: str | None = None
    contact_name: str | None = None
    # More identities learnt from this message (a Telegram shared phone, a webchat visitor's email).
    extra_identities: tuple[Identity, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    html: str | None = None
    subject: str | None = None
    # The payload exactly as the provider sent it, kept in `raw_inbound` before anything else.
    raw: Mapping[str, Any] = field(default_factory=dict)
    extras: Mapping[str, Any] = field(default_factory=dict)
    # The conversation this message answers (an email reply naming our Message-ID). Joined only if it
    # belongs to the same contact; a resolved one reopens unless `thread_may_reopen` is False.
    thread_conversation_id: str | None = None
    thread_may_reopen: bool = True

    def __post_init__(self) -> None:
        # A lone surrogate (JSON's "\ud800", a broken mail header) cannot be encoded to BSON: the insert
        # would fail and the provider would retry forever. Keep the text, with U+FFFD in its place.
        for name in ("text", "html", "subject", "contact_name", "external_id", "thread_conversation_id"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, without_surrogates(value))
        object.__setattr__(self, "identity", _clean_identity(self.identity))
        object.__setattr__(self, "extra_identities", tuple(_clean_identity(i) for i in self.extra_identities))
        object.__setattr__(self, "raw", without_surrogates_in(self.raw))
        object.__setattr__(self, "extras", without_surrogates_in(self.extras))


def _clean_identity(identity: Identity) -> Identity:
    value = without_surrogates(identity.value)
    return identity if value is identity.value else Identity(identity.kind, value)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (text that UTF-8 and BSON can hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def _storable_key(key: str) -> str:
    # BSON refuses a NUL in a key as it refuses surrogates; no provider sends one on purpose.
    return without_surrogates(key).replace("\x00", "\ufffd")


def without_surrogates_in(value: Any, depth: int = 0) -> Any:
    """A copy of a JSON-like value with lone surrogates replaced in every string, keys included (and NULs
    in keys); the value itself when it holds none."""
    if isinstance(value, str):
        return without_surrogates(value)
    if depth > 200:  # deeper than any store accepts; the store refuses it with its own error
        return value
    if isinstance(value, Mapping):
        cleaned = {_storable_key(k) if isinstance(k, str) else k: without_surrogates_in(v, depth + 1)
                   for k, v in value.items()}
        same = len(cleaned) == len(value) and all(
            k in value and cleaned[k] is value[k] for k in cleaned)
        return value if same else cleaned
    if isinstance(value, list | tuple):
        items = [without_surrogates_in(v, depth + 1) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return tuple(items) if isinstance(value, tuple) else items
    return value


@dataclass(frozen=True)
class OutboundMessage:
    message_id: str
    conversation_id: str
    contact_id: str
    channel: str
    to: Identity
    text: str
    attachments: tuple[Attachment, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None
    status: str = "sent"


class ChannelError(Exception):
    """A send failed. `reason` is shown to agents, so it must read well to a person.

    `maybe_sent` says the request may have reached the provider before it failed (no answer, a
    dropped connection): the hub then treats the attempt's outcome as unknown and reconciles it
    before sending again. A refusal, a 429 or a connection that never opened is known not sent.
    """

    transient = True
    maybe_sent = False

    def __init__(self, reason: str, *, maybe_sent: bool | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if maybe_sent is not None:
            self.maybe_sent = maybe_sent


class ChannelTimeout(ChannelError):
    transient = True
    maybe_sent = True  # the request left and no answer came back


class ChannelRateLimited(ChannelError):
    transient = True

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ChannelRejected(ChannelError):
    """The provider refused for good (blocked, invalid number...): retrying will not help."""

    transient = False


@runtime_checkable
class Channel(Protocol):
    name: str

    async def send(self, message: OutboundMessage) -> SendResult: ...


@dataclass(frozen=True)
class UnsettledAttempt:
    """An earlier send attempt that started but whose outcome was never recorded (the hub crashed, or
    the provider did not answer in time): it may or may not have reached the customer."""

    owner: str  # the attempt's unique id
    number: int
    started_at: datetime


@runtime_checkable
class Reconciler(Protocol):
    """Optional: a channel that can find out what became of an unsettled attempt before a resend."""

    async def reconcile(self, message: OutboundMessage, attempt: UnsettledAttempt) -> SendResult | None:
        """The provider's record of the earlier attempt (adopted as this message's send), or None when
        the provider has no trace of it and sending again cannot make a duplicate. Raise ChannelError
        when the provider cannot be asked right now."""
        ...


@runtime_checkable
class ReplyRules(Protocol):
    """Optional: a channel that forbids some replies (WhatsApp's 24-hour window) says why up front."""

    def refuse_reply(self, conversation: Mapping[str, Any], extras: Mapping[str, Any], now: datetime) -> str | None:
        """None to allow; otherwise a sentence for the agent saying why not and what to do instead."""
        ...


# Which identity kind a channel addresses its replies to.
IDENTITY_FOR_CHANNEL: dict[str, str] = {
    "webchat": WEBCHAT,
    "sms": PHONE,
    "whatsapp": PHONE,
    "telegram": TELEGRAM,
    "email": EMAIL,
}
