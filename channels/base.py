"""The currency between channels, the hub and routing.

Every channel adapter turns provider payloads into an `InboundMessage` at its edge and calls the
hub's one `ingest()`; every reply leaves through the outbox as an `OutboundMessage` handed to the
adapter's `send()`. Provider-specific leftovers ride in `extras`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from aiohttp import web
from pydantic_settings import BaseSettings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from channels.email.port import MailHost

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
        object.__setattr__(self, "attachments", tuple(_clean_attachment(a) for a in self.attachments))
        object.__setattr__(self, "raw", without_surrogates_in(self.raw))
        object.__setattr__(self, "extras", without_surrogates_in(self.extras))


def _clean_identity(identity: Identity) -> Identity:
    value = without_surrogates(identity.value)
    return identity if value is identity.value else Identity(identity.kind, value)


def _clean_attachment(attachment: Attachment) -> Attachment:
    filename, content_type = without_surrogates(attachment.filename), without_surrogates(attachment.content_type)
    if filename is attachment.filename and content_type is attachment.content_type:
        return attachment
    return replace(attachment, filename=filename, content_type=content_type)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


async def stop_tasks(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel background tasks and wait until each has ended.

    A cancel that lands inside a database driver call can be lost there (seen with the database
    gone: the loop went back to sleep and the stop waited forever), so each is asked again every
    half second until it has ended. Used by every stop in the hub and its channels."""
    running = [t for t in tasks if t is not None]
    for task in running:
        task.cancel()
    for task in running:
        while not task.done():
            await asyncio.wait({task}, timeout=0.5)
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:  # it ended by failing before the stop: say so, and go on stopping the rest
            log.exception("background task %s had failed", task.get_name())


def without_surrogates(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (text that UTF-8 and BSON can hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def storable_key(key: str) -> str:
    """A mapping key BSON can hold."""
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
        cleaned = {storable_key(k) if isinstance(k, str) else k: without_surrogates_in(v, depth + 1)
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
class Choice:
    """One answer the customer can pick (a survey's "1".."5"): a button where the channel has them,
    else the text already says how to answer. `url` is a link the answer opens (email's signed links)."""

    value: str
    label: str
    url: str | None = None


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
    # Answers to offer as buttons; a channel without buttons sends the text alone (it says how to answer).
    choices: tuple[Choice, ...] = ()


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
    started_at: datetime


@runtime_checkable
class Reconciler(Protocol):
    """Optional: a channel that can find out what became of an unsettled attempt before a resend."""

    async def reconcile(self, message: OutboundMessage, attempt: UnsettledAttempt) -> SendResult | None:
        """The provider's record of the earlier attempt (adopted as this message's send), or None when
        the provider has no trace of it and sending again cannot make a duplicate. Raise ChannelError
        when the provider cannot be asked right now."""
        ...


class Sentence(str):
    """A sentence for a person, as the API says it (the values filled in), that also keeps the template
    and values it was made of: the inbox shows it in the agent's language with the template as its msgid
    (`make i18n-extract` collects every `Sentence("...")` in channels/)."""

    template: str
    values: dict[str, str]

    def __new__(cls, template: str, **values: object) -> Sentence:
        words = {name: str(value) for name, value in values.items()}
        self = super().__new__(cls, template.format(**words))
        self.template, self.values = template, words
        return self


@runtime_checkable
class ReplyRules(Protocol):
    """Optional: a channel that forbids some replies (WhatsApp's 24-hour window) says why up front."""

    def refuse_reply(self, conversation: Mapping[str, Any], extras: Mapping[str, Any], now: datetime) -> str | None:
        """None to allow; otherwise a sentence for the agent saying why not and what to do instead."""
        ...


class ChannelInputError(Exception):
    """A provider (or someone posing as one) sent what a channel cannot accept. The hub answers it with
    `status` and `message`, the same 4xx shape as its own errors."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class IngestOutcome:
    """What the hub made of an inbound message. `created` is False for a repeat it already had."""

    message_id: str
    conversation_id: str
    contact_id: str
    created: bool
    created_at: datetime


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class Limits:
    max_attachment_bytes: int
    max_text_bytes: int


class ChannelHost(Protocol):
    """Everything a channel may ask of the hub. Channels hold this, never the hub itself: what they can
    change is what is named here, and the hub is free to rearrange everything behind it.

    Ids are strings (the hub's own ids, opaque to a channel); times are timezone-aware UTC."""

    @property
    def limits(self) -> Limits: ...

    def public_url(self) -> str:
        """HUB_PUBLIC_URL (or the address it listens on): what providers are told to call back."""
        ...

    def now(self) -> datetime: ...

    def templates_dir(self) -> Path:
        """Where the hub's templates are (HUB_TEMPLATES_DIR in an installed image): mail a channel writes
        uses the same ones an operator may have edited."""
        ...

    def add_channels(self, adapters: Mapping[str, Channel]) -> None:
        """Adapters turned on after start (the first mailbox added in the admin UI)."""
        ...

    async def ingest(self, inbound: InboundMessage) -> IngestOutcome:
        """The one way a customer message enters: raw kept, contact, conversation, message, routing.
        Raises ChannelInputError for a message the hub will not take (too long, no sender)."""
        ...

    async def keep_raw(self, channel: str, payload: Mapping[str, Any], outcome: str | None = None) -> str:
        """Keep a provider payload that is not a new message (an edit), as it came; `outcome` says what
        became of it when that is already known (our own mail come back)."""
        ...

    async def store_file(self, data: bytes, filename: str, content_type: str, metadata: Mapping[str, Any]) -> str:
        """The file's id; attachments name it in `Attachment.file_id`."""
        ...

    async def read_file(self, file_id: str) -> StoredFile | None:
        """A stored file, or None when it is gone (or the id was never ours)."""
        ...

    def file_url(self, file_id: str) -> str:
        """A public, signed, expiring link to a stored file, for providers that fetch media by URL."""
        ...

    async def message_by_external_id(self, channel: str, external_id: str) -> str | None:
        """The id of the inbound message stored under the provider's id, if any."""
        ...

    async def message_by_provider_id(self, channels: Sequence[str], provider_id: str) -> str | None:
        """The id of the reply the provider accepted under `provider_id`, if any."""
        ...

    async def record_edit(self, message_id: str, text: str, edited_at: datetime) -> None:
        """The customer edited a message: it now shows `text`; the earlier text is kept in its history."""
        ...

    async def attach_files(self, message_id: str, attachments: Sequence[Attachment]) -> None:
        """Attachments fetched after the message was stored (media downloaded in the background)."""
        ...

    async def advance_status(self, channels: Sequence[str], provider_id: str, status: str,
                             error: str | None = None) -> bool:
        """A delivery report for a reply; status only moves forward. False when nothing changed."""
        ...

    async def join_identity(self, identity: Identity, name: str | None, learnt: Identity) -> None:
        """The sender proved they also hold `learnt` (a shared phone): one contact holds both."""
        ...

    async def record_source(self, contact_id: str, channel: str, payload: str, message_id: str,
                            at: datetime) -> None:
        """Where a contact came from (a Telegram deep-link payload), for campaign reports."""
        ...

    def parse_json(self, body: bytes) -> Any:
        """JSON with the hub's rules (depth, size, no NaN, no lone surrogates); ChannelInputError if not."""
        ...

    async def read_json_object(self, request: web.Request) -> dict[str, Any]:
        """A request body that must be a JSON object (or a form), by the same rules as the hub's API."""
        ...

    def require_user(self, request: web.Request) -> None:
        """Refuse (401) a request that does not come from a signed-in agent."""
        ...

    @property
    def mail(self) -> MailHost:
        """What only the email channel asks for (channels/email/port.py)."""
        ...


@dataclass(frozen=True)
class ChannelInfo:
    """What the inbox shows about a channel, and what it needs to know to reply through it."""

    name: str  # the `channel` value on messages
    label: str
    icon: str  # a Lucide icon name (inbox_ui/static/vendor/lucide/), drawn in the channel's colour
    identity_kind: str  # which identity replies are addressed to
    connect: str  # how an operator turns it on, for the admin's channel page
    readme_section: str  # the README section that tells the whole story
    # Reply rules the composer shows before the agent types: replies outside the provider's window go as
    # approved templates (WhatsApp); the text is counted in billed segments (SMS).
    template_replies: bool = False
    counts_segments: bool = False
    # Replies are mail: they may carry CC and BCC, the agent's signature and the customer's last mail quoted.
    mail_replies: bool = False


@dataclass(frozen=True)
class CommandContext:
    """What a plugin's command gets from the hub's CLI: where the hub is reached, and its redaction
    (so a provider's answer printed to the terminal carries no secret)."""

    public_url: str
    hide_secrets_of: Callable[[object], None]  # a settings object: its secrets leave every log line
    redact: Callable[[str], str]


@dataclass(frozen=True)
class Command:
    """A `hub <name> <action>` sub-command; `run(action, context)` returns the exit status."""

    name: str
    help: str
    actions: tuple[str, ...]
    run: Callable[[str, CommandContext], Coroutine[Any, Any, int]]


class ChannelPlugin(Protocol):
    """One provider's whole edge: its routes, commands, adapters and what the inbox shows of it."""

    name: str
    # Its own settings (read from the environment by the composition root, with the hub's, into one
    # configuration) and handed to the plugin when it is built; None: it has none.
    settings_class: ClassVar[type[BaseSettings] | None]

    @property
    def info(self) -> tuple[ChannelInfo, ...]:
        """One per channel it provides (Twilio: sms and whatsapp)."""
        ...

    def routes(self) -> web.RouteTableDef:
        """Webhook and page routes; always registered, answering 404 while the channel is off."""
        ...

    def commands(self) -> tuple[Command, ...]: ...

    async def start(self, host: ChannelHost) -> dict[str, Channel]:
        """Adapters by channel name (several for Twilio: sms, whatsapp); empty when not configured."""
        ...

    async def stop(self) -> None: ...

