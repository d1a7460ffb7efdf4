"""The shapes of the three documents most of the hub passes around: Contact, Conversation, Message.

They describe what is stored (nothing here changes it): every field but `_id` may be missing on an
older or a partial document, so the classes are `total=False` and readers use `.get`. PyMongo hands
back `dict[str, Any]`; the typed collections at the end (`contacts_in(db)` ...) and `as_contact`,
`as_conversation`, `as_message` (for a document built in memory, then inserted) are the one place that
says "this dict is that document": a cast, checked at no run time, as nothing was checked before.
Sub-documents other code reads field by field have their own shape; free-form ones (routing
explanations, provider extras, custom attributes) stay `dict[str, Any]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Required, TypedDict, cast

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from hub import names as model
from hub.db.client import Db, Doc


class IdentityDoc(TypedDict):
    """{kind, value}: phone E.164, email lower-cased, telegram user id, webchat visitor id."""

    kind: str
    value: str


class ClaimDoc(TypedDict, total=False):
    """What a customer said about themselves but has not proven (hub/store/claims.py)."""

    kind: str
    value: str
    at: datetime


class AuthorDoc(TypedDict, total=False):
    """Who wrote a message or did what an event records: type is contact, agent or system."""

    type: str
    id: ObjectId
    name: str | None


class AttachmentDoc(TypedDict, total=False):
    """channels.base.Attachment.as_doc(): a stored file (file_id) or one refused with a reason."""

    filename: str
    content_type: str
    size: int
    file_id: str | None
    refused_reason: str | None


class EditDoc(TypedDict, total=False):
    """An earlier text of a message the customer edited (hub/store/messages.py record_edit)."""

    text: str
    replaced_at: datetime


class Contact(TypedDict, total=False):
    _id: Required[ObjectId]
    name: str
    name_lower: str
    # Absent (never an empty list) on a contact merged away: see the sparse unique index in hub/store/db.py.
    identities: list[IdentityDoc]
    claims: list[ClaimDoc]
    attributes: dict[str, Any]  # custom fields, keyed by hub/store/custom_fields.py keys
    tags: list[str]
    detected_language: str  # from the customer's messages (routing); `language` is what an agent set
    language: str
    last_agent_id: ObjectId  # for sticky routing of the next conversation
    source: dict[str, Any]  # the first campaign deep link; `sources` keeps the newest 50
    sources: list[dict[str, Any]]
    # Public usernames a channel reported (Telegram's @name), by channel; None: looked for, none found.
    usernames: dict[str, str | None]
    search_text: str  # derived (hub/store/search.py contact_fields), like match_keys and handles
    match_keys: list[str]
    handles: list[str]
    merged_into: ObjectId
    merged_at: datetime
    merged_identities: list[IdentityDoc]
    created_at: datetime
    last_seen_at: datetime
    updated_at: datetime


class Conversation(TypedDict, total=False):
    _id: Required[ObjectId]
    contact_id: ObjectId
    contact_name: str
    active: bool  # set while not resolved: one active conversation per contact (unique partial index)
    status: str  # names.CONVERSATION_STATUSES
    priority: str  # routing.model.PRIORITIES
    labels: list[str]
    department_id: ObjectId | None
    assignee_id: ObjectId | None
    channels: list[str]
    last_channel: str | None
    last_message_preview: str
    last_message_at: datetime
    last_inbound_at: datetime
    last_inbound_at_by_channel: dict[str, datetime]
    waiting_since: datetime
    first_response_at: datetime
    snoozed_until: datetime
    snoozed_at: datetime  # while snoozed: when the SLA clocks stopped
    snoozes: list[dict[str, datetime]]  # past snoozes {from, to}: the SLA clocks stood still (routing.sla)
    created_at: datetime
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime
    reopened_at: datetime
    woken_at: datetime
    # Routing (hub/assign/apply.py decision_fields): `routing` is the last Decision.as_dict(), explanation inside.
    routed: bool
    routed_at: datetime
    assigned_at: datetime
    routing: dict[str, Any]
    language: str
    required_language: str | None
    required_skills: list[str]
    sla_first_response_due: datetime | None
    sla_resolution_due: datetime | None
    sla_escalated: list[str]
    last_autoreply_at: datetime
    merged_into_conversation: ObjectId


class Message(TypedDict, total=False):
    _id: Required[ObjectId]
    conversation_id: ObjectId
    contact_id: ObjectId
    direction: str  # in, out, note, event (names.IN/OUT/NOTE/EVENT)
    kind: str  # message or event
    channel: str | None  # None for notes and events
    text: str
    html: str | None  # sanitised (nh3) email HTML
    subject: str | None
    attachments: list[AttachmentDoc]
    author: AuthorDoc
    extras: dict[str, Any]  # what the channel kept of the provider's payload
    data: dict[str, Any]  # an event's details: type, decision, note
    mentions: list[ObjectId]
    search_text: str
    language: str  # detected on a customer's message
    created_at: datetime
    updated_at: datetime
    received_at: datetime | None
    raw_id: ObjectId
    # Dedupe: one of these, each under a sparse unique index.
    external_id: str | None
    dedupe_key: str
    client_key: str
    edits: list[EditDoc]
    edited_at: datetime
    # The outbox (direction out): status moves forward only, by status_rank.
    to: IdentityDoc
    status: str
    status_rank: int
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None
    lease_owner: str
    attempt_owner: str
    attempt_number: int
    attempt_started_at: datetime | None
    delivery_uncertain: str | None
    uncertain_resends: int
    provider_id: str | None
    outbound_headers: dict[str, str]
    error: str | None
    last_error: str
    sent_at: datetime
    delivered_at: datetime
    read_at: datetime
    failed_at: datetime
    reconciled_at: datetime


def as_contact(doc: Mapping[str, Any]) -> Contact:
    return cast(Contact, doc)


def as_conversation(doc: Mapping[str, Any]) -> Conversation:
    return cast(Conversation, doc)


def as_message(doc: Mapping[str, Any]) -> Message:
    return cast(Message, doc)


# The collections, typed by what they hold: reads (find, find_one, find_one_and_update) then return the
# document's shape. Writes of a new document go through `db[...]` as before, with a plain dict.
def contacts_in(db: Db) -> AsyncCollection[Contact]:
    return cast("AsyncCollection[Contact]", db[model.CONTACTS])


def conversations_in(db: Db) -> AsyncCollection[Conversation]:
    return cast("AsyncCollection[Conversation]", db[model.CONVERSATIONS])


def messages_in(db: Db) -> AsyncCollection[Message]:
    return cast("AsyncCollection[Message]", db[model.MESSAGES])


async def changed_document(db: Db, collection: str, document_key: Mapping[str, Any]) -> Doc | None:
    """The current document an update event names, by its `documentKey` (which on a sharded cluster holds
    the shard key, so the read is targeted): what the change stream's `updateLookup` would have read."""
    return await db[collection].find_one(dict(document_key))
