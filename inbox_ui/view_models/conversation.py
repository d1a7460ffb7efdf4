"""The conversation page around its timeline: the header, earlier conversations, reply channels."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from hub.store.documents import ClaimDoc, Contact, Conversation, Message
from inbox_ui.view_models._parts import ChannelView, Fields, IdentityView, identities, mapping, text_or_none
from inbox_ui.view_models.timeline import RoutingWhy


@dataclass(frozen=True)
class Person:
    id: ObjectId
    name: str


def person(doc: Fields | None) -> Person | None:
    return Person(doc["_id"], str(doc.get("name") or "")) if doc else None


@dataclass(frozen=True)
class ClaimView:
    kind: str
    value: str
    owner_name: str | None  # who holds it already (shown to leads, who may merge into them)
    owned: bool


def claim_view(claim: ClaimDoc, owner: Contact | None) -> ClaimView:
    value = str(claim.get("value") or "")
    return ClaimView(str(claim.get("kind") or ""), value, str(owner.get("name") or value) if owner else None,
                     owner is not None)


@dataclass(frozen=True)
class ConversationHeader:
    id: ObjectId
    status: str
    priority: str
    title: str | None  # the contact's own name, for the page title
    name: str  # the contact's name, else the conversation's label for them (a number, "Visitor 1a2b3c")
    identities: tuple[IdentityView, ...]
    claims: tuple[ClaimView, ...]
    snoozed_until: datetime | None  # only while snoozed
    department: str  # its name, "—" for none
    assignee: Person | None
    labels: tuple[str, ...]
    why: RoutingWhy | None

    @staticmethod
    def of(conversation: Conversation, contact: Contact | None, claims: Sequence[ClaimView],
           departments: Mapping[Any, Fields], people: Mapping[Any, Fields]) -> ConversationHeader:
        status = str(conversation.get("status") or "")
        department = departments.get(conversation.get("department_id"))
        return ConversationHeader(
            id=conversation["_id"], status=status, priority=conversation.get("priority") or "normal",
            title=text_or_none(contact.get("name") if contact else None),
            name=str((contact.get("name") if contact else None) or conversation.get("contact_name") or ""),
            identities=identities(contact), claims=tuple(claims),
            snoozed_until=conversation.get("snoozed_until") if status == "snoozed" else None,
            department=str(department.get("name") or "") if department else "—",
            assignee=person(people.get(conversation.get("assignee_id"))),
            labels=tuple(conversation.get("labels") or ()),
            why=RoutingWhy.of(mapping(conversation.get("routing")).get("explanation")),
        )


@dataclass(frozen=True)
class EarlierConversation:
    """Another conversation of the same customer, listed on the conversation page and the contact page."""

    id: ObjectId
    created_at: datetime | None
    preview: str
    status: str
    visible: bool  # False: in a department this agent cannot see (only its time is shown)


def earlier(conversations: Iterable[Conversation], can_see: Callable[[Conversation], bool]
            ) -> tuple[EarlierConversation, ...]:
    return tuple(EarlierConversation(c["_id"], c.get("created_at"), str(c.get("last_message_preview") or ""),
                                     str(c.get("status") or ""), can_see(c)) for c in conversations)


@dataclass(frozen=True)
class ReplyChannel:
    """A channel the composer may answer on (hub.actions.composer.reply_channels), with its icon."""

    channel: str
    label: str
    icon: str
    refusal: str | None
    templates: bool
    segments: bool
    default: bool

    @staticmethod
    def of(option: Mapping[str, Any]) -> ReplyChannel:
        view = ChannelView.of(str(option["channel"]))
        return ReplyChannel(str(option["channel"]), str(option["label"]), view.icon if view else "",
                            option.get("refusal"), bool(option.get("templates")), bool(option.get("segments")),
                            bool(option.get("default")))


def first_unread(timeline: Sequence[Message], seen_at: datetime | None) -> ObjectId | None:
    """The first customer message written after the agent last saw the conversation: the "New messages" line
    goes before it. None when nothing is new, or when the agent never opened it (then all of it is new)."""
    if seen_at is None:
        return None
    for item in timeline:
        created = item.get("created_at")
        customer = item.get("direction") == "in" and item.get("kind", "message") == "message"
        if customer and isinstance(created, datetime) and created > seen_at:
            return item["_id"]
    return None
