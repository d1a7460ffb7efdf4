"""The conversation page around its timeline: the header, the sidebar's contact card and move options,
earlier conversations, reply channels."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bson import ObjectId

from channels.base import Sentence
from hub import channel_catalog
from hub.store.documents import ClaimDoc, Contact, Conversation, Message
from inbox_ui.view_models._parts import (
    VISITOR_LABEL,
    ChannelView,
    Fields,
    IdentityView,
    identities,
    items,
    mapping,
    text_or_none,
)
from inbox_ui.view_models.event_lines import Line, routing_line
from inbox_ui.view_models.timeline import RoutingWhy

VISITOR_KIND = "webchat"  # a website visitor's identity: a random token, never shown to a person
HINT_KINDS = ("email", "phone")  # what tells a nameless visitor apart, in this order
CITY_KEYS = ("city", "location")  # contact attributes that say where they are, when a site sends one


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
class ContactName:
    """How the page names the customer: never a visitor's token."""

    name: str  # their name, else their number or address; "" for a nameless website visitor
    visitor: bool  # nameless, known only as a website visitor: the page says "Web visitor"
    hint: str | None  # for a nameless visitor: their email, phone or city, when known


def contact_name(contact: Contact | None, conversation: Conversation) -> ContactName:
    own = text_or_none(contact.get("name") if contact else None)
    if own:
        return ContactName(own, False, None)
    known = [i for i in identities(contact) if i.value]
    if known and all(i.kind != VISITOR_KIND for i in known):
        return ContactName(known[0].value, False, None)
    if not known:
        label = str(conversation.get("contact_name") or "")
        if label and not label.startswith(VISITOR_LABEL):  # the store's label for a visitor holds their token
            return ContactName(label, False, None)
    attributes = mapping(contact.get("attributes") if contact else None)
    hint = next((i.value for kind in HINT_KINDS for i in known if i.kind == kind), None) or next(
        (str(attributes[k]) for k in CITY_KEYS if attributes.get(k)), None)
    return ContactName("", True, hint)


@dataclass(frozen=True)
class ConversationHeader:
    id: ObjectId
    status: str
    priority: str
    title: str | None  # the contact's own name, for the page title
    name: str  # the contact's name, else their number or address; "" for a nameless website visitor
    visitor: bool  # the page says "Web visitor" (and the hint) instead of a name
    hint: str | None
    channels: tuple[ChannelView, ...]  # every channel the customer wrote on in this conversation
    identities: tuple[IdentityView, ...]  # a visitor's token left out
    claims: tuple[ClaimView, ...]
    snoozed_until: datetime | None  # only while snoozed
    department: str  # its name, "—" for none
    department_id: ObjectId | None
    assignee: Person | None
    labels: tuple[str, ...]
    why: RoutingWhy | None
    routing_line: Line | None  # the decision as one human line (the sidebar's "why" opens the rest)

    @staticmethod
    def of(conversation: Conversation, contact: Contact | None, claims: Sequence[ClaimView],
           departments: Mapping[Any, Fields], people: Mapping[Any, Fields]) -> ConversationHeader:
        status = str(conversation.get("status") or "")
        department = departments.get(conversation.get("department_id"))
        named = contact_name(contact, conversation)
        seen = [str(c) for c in items(conversation.get("channels"))] or (
            [str(conversation["last_channel"])] if conversation.get("last_channel") else [])
        return ConversationHeader(
            id=conversation["_id"], status=status, priority=conversation.get("priority") or "normal",
            title=text_or_none(contact.get("name") if contact else None),
            name=named.name, visitor=named.visitor, hint=named.hint,
            channels=tuple(view for view in (ChannelView.of(c) for c in dict.fromkeys(seen)) if view),
            identities=tuple(i for i in identities(contact) if i.kind != VISITOR_KIND), claims=tuple(claims),
            snoozed_until=conversation.get("snoozed_until") if status == "snoozed" else None,
            department=str(department.get("name") or "") if department else "—",
            department_id=conversation.get("department_id"),
            assignee=person(people.get(conversation.get("assignee_id"))),
            labels=tuple(conversation.get("labels") or ()),
            why=RoutingWhy.of(mapping(conversation.get("routing")).get("explanation")),
            routing_line=routing_line(mapping(conversation.get("routing"))),
        )


@dataclass(frozen=True)
class IdentityLine:
    """One way to reach the customer, with the icon and colour of the channel it belongs to."""

    kind: str
    value: str | None  # None for a website visitor (their token means nothing to a person)
    icon: str
    channel: str  # for the colour (`ch-<channel>`)


def _identity_line(identity: IdentityView) -> IdentityLine:
    channel = next((info for info in channel_catalog.catalog() if info.identity_kind == identity.kind), None)
    return IdentityLine(identity.kind, None if identity.kind == VISITOR_KIND else identity.value,
                        channel.icon if channel else "user", channel.name if channel else "")


@dataclass(frozen=True)
class ContactCard:
    """The sidebar's contact card: who, how to reach them, their company and custom fields."""

    id: ObjectId | None
    name: ContactName
    identities: tuple[IdentityLine, ...]
    company: str | None
    fields: tuple[tuple[str, str], ...]  # (label, value) of the custom fields that hold a value
    tags: tuple[str, ...]

    @staticmethod
    def of(contact: Contact | None, conversation: Conversation, definitions: Sequence[Fields]) -> ContactCard:
        attributes = mapping(contact.get("attributes") if contact else None)
        defined = [(str(d.get("key")), str(d.get("label") or d.get("key"))) for d in definitions]
        return ContactCard(
            id=contact["_id"] if contact else None, name=contact_name(contact, conversation),
            identities=tuple(_identity_line(i) for i in identities(contact)),
            company=text_or_none(attributes.get("company")),
            fields=tuple((label, str(attributes[key])) for key, label in defined
                         if key != "company" and attributes.get(key) not in (None, "")),
            tags=tuple(str(t) for t in items(contact.get("tags") if contact else None)),
        )


@dataclass(frozen=True)
class Option:
    id: ObjectId
    name: str


@dataclass(frozen=True)
class MoveOptions:
    """Where a lead may send the conversation: any department, any agent (its department's first)."""

    departments: tuple[Option, ...]
    agents: tuple[Option, ...]

    @staticmethod
    def of(departments: Iterable[Fields], people: Iterable[Fields], department_id: object) -> MoveOptions:
        team = sorted((p for p in people if p.get("role") in ("agent", "lead", "admin")),
                      key=lambda p: (department_id not in (p.get("department_ids") or []),
                                     str(p.get("name") or "").casefold()))
        return MoveOptions(
            tuple(Option(d["_id"], str(d.get("name") or "")) for d in sorted(
                departments, key=lambda d: str(d.get("name") or "").casefold())),
            tuple(Option(p["_id"], str(p.get("name") or p.get("email") or "")) for p in team))


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
    mail: bool  # replies are mail: CC, BCC, the signature (ChannelInfo.mail_replies)
    connected: bool = True  # False: the hub has no adapter for it (the composer says so in the agent's language)
    refusal_template: str = ""  # the refusal's msgid when the channel said it as a Sentence, and its values
    refusal_values: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def of(option: Mapping[str, Any]) -> ReplyChannel:
        view = ChannelView.of(str(option["channel"]))
        return ReplyChannel(str(option["channel"]), str(option["label"]), view.icon if view else "",
                            option.get("refusal"), bool(option.get("templates")), bool(option.get("segments")),
                            bool(option.get("default")), bool(option.get("mail")), bool(option.get("connected", True)),
                            *_sentence(option.get("refusal")))


def _sentence(refusal: object) -> tuple[str, Mapping[str, str]]:
    if isinstance(refusal, Sentence):
        return refusal.template, refusal.values
    return "", {}


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
