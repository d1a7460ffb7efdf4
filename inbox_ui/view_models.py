"""What the inbox screens show, built from stored documents: the templates read these, never documents.

Each view carries exactly what its template prints (names resolved, channel labels and icons looked
up in the channel catalogue, routing explanations flattened), so a template holds no `.get` chains
and a change to a document's shape shows up here, under mypy, rather than as a blank in a page.
Translation stays in the templates (`_`): a view holds data, and None where the page prints a
translated fallback ("unassigned", "Unnamed", "Private note").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from hub import channel_catalog
from hub.store.documents import AttachmentDoc, ClaimDoc, Contact, Conversation, Message
from inbox_ui.filters import STATUS_TICKS

Doc = Mapping[str, Any]
NOTE_ICON = "📝"  # a private note, or a channel the catalogue does not know
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})  # shown inline as previews


def _text(value: object) -> str | None:
    """A free-form stored value as the page prints it; None when there is nothing to print."""
    return str(value) if value else None


def _mapping(value: object) -> Doc:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class IdentityView:
    kind: str
    value: str


def identities(doc: Doc | None) -> tuple[IdentityView, ...]:
    return tuple(IdentityView(str(i.get("kind")), str(i.get("value") or ""))
                 for i in _items((doc or {}).get("identities")) if isinstance(i, Mapping))


@dataclass(frozen=True)
class ChannelView:
    """A channel as the inbox names it: the catalogue's label and icon (the raw name for one it does not know)."""

    name: str
    label: str
    icon: str

    @staticmethod
    def of(name: str | None, unknown_icon: str = "") -> ChannelView | None:
        if not name:
            return None
        info = channel_catalog.info(name)
        return ChannelView(name, info.label if info else name, info.icon if info else unknown_icon)


def channel_options() -> tuple[ChannelView, ...]:
    """Every channel the hub knows, for filters."""
    return tuple(ChannelView(info.name, info.label, info.icon) for info in channel_catalog.catalog())


# --- routing explanations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLine:
    name: str
    outcome: str
    reason: str | None


@dataclass(frozen=True)
class CandidateLine:
    name: str
    open_count: object  # printed as stored (the explanation is a record of what routing saw)
    capacity: object


@dataclass(frozen=True)
class SkippedLine:
    name: str
    reason: object


@dataclass(frozen=True)
class RoutingWhy:
    """A routing explanation (routing/decision.py Explanation.as_dict, inside the stored decision), for the page."""

    summary: str
    department_name: str | None
    department_reason: str
    rules: tuple[RuleLine, ...]
    strategy: str | None
    candidates: tuple[CandidateLine, ...]
    filtered_out: tuple[SkippedLine, ...]
    tie_break: str | None
    fallback: str | None
    notes: tuple[str, ...]

    @staticmethod
    def of(explanation: object) -> RoutingWhy | None:
        if not explanation or not isinstance(explanation, Mapping):
            return None
        department = _mapping(explanation.get("department"))
        return RoutingWhy(
            summary=str(explanation.get("summary") or ""),
            department_name=_text(department.get("name")),
            department_reason=str(department.get("reason") or ""),
            rules=tuple(RuleLine(str(r.get("name") or ""), str(r.get("outcome") or ""), _text(r.get("reason")))
                        for r in _items(explanation.get("rules")) if isinstance(r, Mapping)),
            strategy=_text(explanation.get("strategy")),
            candidates=tuple(CandidateLine(str(c.get("name") or ""), c.get("open_count"), c.get("capacity"))
                             for c in _items(explanation.get("candidates")) if isinstance(c, Mapping)),
            filtered_out=tuple(SkippedLine(str(c.get("name") or ""), c.get("reason"))
                               for c in _items(explanation.get("filtered_out")) if isinstance(c, Mapping)),
            tie_break=_text(explanation.get("tie_break")),
            fallback=_text(explanation.get("fallback")),
            notes=tuple(str(n) for n in _items(explanation.get("notes"))),
        )


# --- the timeline -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentView:
    index: int  # its place on the message: the download URL is /inbox/files/<message>/<index>
    state: str  # image, file, refused or pending (still downloading)
    filename: str
    content_type: str | None
    size_text: str | None  # "12,345"
    refused_reason: str | None

    @staticmethod
    def of(index: int, item: AttachmentDoc) -> AttachmentView:
        content_type = item.get("content_type")
        if item.get("file_id"):
            state = "image" if (content_type or "") in IMAGE_TYPES else "file"
        else:
            state = "refused" if item.get("refused_reason") else "pending"
        size = item.get("size")
        return AttachmentView(index, state, str(item.get("filename") or ""), content_type,
                              f"{size:,}" if size else None, item.get("refused_reason"))


@dataclass(frozen=True)
class EditView:
    text: str
    replaced_at: datetime | None


@dataclass(frozen=True)
class MessageView:
    """One timeline entry: a message, a note, or an event (routing, assignment, status)."""

    id: ObjectId
    direction: str  # in, out, note, event
    status: str | None
    mentions_me: bool
    author_id: str
    created_at: datetime | None
    text: str
    # An event's details.
    event_type: str
    event_note: str | None
    why: RoutingWhy | None
    # A message's.
    channel: ChannelView | None  # None for a note
    author_name: str | None  # None: the page says "Customer" or "Agent"
    tick: str
    subject: str | None
    content_sid: str | None  # a WhatsApp template reply
    full_text: str | None  # an email's text before reply stripping
    has_html: bool
    remote_images: bool
    edits: tuple[EditView, ...]
    attachments: tuple[AttachmentView, ...]
    uncertain: str | None  # "may have been delivered": shown unless the reply failed outright
    undelivered: bool
    error: str | None
    can_retry: bool

    @staticmethod
    def of(doc: Message, viewer_id: object = None) -> MessageView:
        extras, data = _mapping(doc.get("extras")), _mapping(doc.get("data"))
        author = doc.get("author") or {}
        status = doc.get("status") or None
        undelivered = status in ("failed", "undelivered")
        decision = _mapping(data.get("decision"))
        return MessageView(
            id=doc["_id"], direction=str(doc.get("direction") or ""), status=status,
            mentions_me=viewer_id is not None and viewer_id in (doc.get("mentions") or []),
            author_id=str(author.get("id") or ""), created_at=doc.get("created_at"), text=str(doc.get("text") or ""),
            event_type=str(data.get("type") or "other"), event_note=_text(data.get("note")),
            why=RoutingWhy.of(decision.get("explanation")),
            channel=ChannelView.of(doc.get("channel"), NOTE_ICON), author_name=_text(author.get("name")),
            tick=STATUS_TICKS.get(status or "", ""), subject=_text(doc.get("subject")),
            content_sid=_text(extras.get("content_sid")), full_text=_text(extras.get("full_text")),
            has_html=bool(doc.get("html")), remote_images=bool(extras.get("html_remote_images")),
            edits=tuple(EditView(str(e.get("text") or ""), e.get("replaced_at")) for e in doc.get("edits") or []),
            attachments=tuple(AttachmentView.of(i, a) for i, a in enumerate(doc.get("attachments") or [])),
            uncertain=None if undelivered else _text(doc.get("delivery_uncertain")),
            undelivered=undelivered, error=_text(doc.get("error")), can_retry=status == "failed",
        )


def timeline(docs: Iterable[Message], viewer: Doc | None) -> list[MessageView]:
    viewer_id = viewer.get("_id") if viewer else None
    return [MessageView.of(m, viewer_id) for m in docs]


# --- a conversation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: ObjectId
    name: str


def person(doc: Doc | None) -> Person | None:
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
           departments: Mapping[Any, Doc], people: Mapping[Any, Doc]) -> ConversationHeader:
        status = str(conversation.get("status") or "")
        department = departments.get(conversation.get("department_id"))
        return ConversationHeader(
            id=conversation["_id"], status=status, priority=conversation.get("priority") or "normal",
            title=_text(contact.get("name") if contact else None),
            name=str((contact.get("name") if contact else None) or conversation.get("contact_name") or ""),
            identities=identities(contact), claims=tuple(claims),
            snoozed_until=conversation.get("snoozed_until") if status == "snoozed" else None,
            department=str(department.get("name") or "") if department else "—",
            assignee=person(people.get(conversation.get("assignee_id"))),
            labels=tuple(conversation.get("labels") or ()),
            why=RoutingWhy.of(_mapping(conversation.get("routing")).get("explanation")),
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


# --- lists ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationRow:
    id: ObjectId
    status: str
    channel: ChannelView | None
    contact_name: str
    priority: str | None  # shown only when not normal
    labels: tuple[str, ...]
    preview: str
    department: str | None
    assignee: str | None
    last_message_at: datetime | None
    waiting_since: datetime | None

    @staticmethod
    def of(doc: Doc, departments: Mapping[Any, Doc], people: Mapping[Any, Doc]) -> ConversationRow:
        department = departments.get(doc.get("department_id"))
        assignee = people.get(doc.get("assignee_id"))
        priority = doc.get("priority")
        return ConversationRow(
            id=doc["_id"], status=str(doc.get("status") or ""), channel=ChannelView.of(doc.get("last_channel")),
            contact_name=str(doc.get("contact_name") or ""),
            priority=str(priority) if priority and priority != "normal" else None,
            labels=tuple(doc.get("labels") or ()), preview=str(doc.get("last_message_preview") or ""),
            department=str(department.get("name") or "") if department else None,
            assignee=str(assignee.get("name") or "") if assignee else None,
            last_message_at=doc.get("last_message_at"), waiting_since=doc.get("waiting_since") or None,
        )


def conversation_rows(docs: Iterable[Doc], departments: Mapping[Any, Doc], people: Mapping[Any, Doc]
                      ) -> list[ConversationRow]:
    return [ConversationRow.of(d, departments, people) for d in docs]


@dataclass(frozen=True)
class ViewTab:
    """One of the inbox's views (mine, unassigned, a department...) with its count."""

    key: str
    label: str
    count: int
    translated: bool  # a built-in view's name goes through `_`; a department's name is shown as written


def view_tabs(views: Iterable[tuple[str, str]], counts: Mapping[str, int]) -> tuple[ViewTab, ...]:
    return tuple(ViewTab(key, label, counts.get(key, 0), not key.startswith("dept:")) for key, label in views)


@dataclass(frozen=True)
class ContactRow:
    id: ObjectId
    name: str | None  # None: the page says "Unnamed"
    identities: tuple[IdentityView, ...]
    tags: tuple[str, ...]
    last_seen_at: datetime | None

    @staticmethod
    def of(doc: Doc) -> ContactRow:
        return ContactRow(doc["_id"], _text(doc.get("name")), identities(doc), tuple(doc.get("tags") or ()),
                          doc.get("last_seen_at"))


def contact_rows(docs: Iterable[Doc]) -> list[ContactRow]:
    return [ContactRow.of(d) for d in docs]


# --- a contact --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldInput:
    """A custom field (hub/store/custom_fields.py) with this contact's value, for the attributes form."""

    key: str
    label: str
    type: str
    choices: tuple[str, ...]
    value: object  # as stored; "" when unset


@dataclass(frozen=True)
class Duplicate:
    contact: ContactRow
    conflicts: tuple[str, ...]  # identity kinds where the two differ


@dataclass(frozen=True)
class MergeLine:
    id: ObjectId
    at: datetime | None
    source_name: str | None
    identity_count: int
    conversation_count: int
    moved_message_count: int
    undo_notes: tuple[str, ...]
    by: str | None  # who merged, when known
    undone: bool
    into_this: bool  # merged into the contact on the page (only there can it be undone)


@dataclass(frozen=True)
class ContactPage:
    id: ObjectId
    name: str | None
    identities: tuple[IdentityView, ...]
    source: tuple[tuple[str, object], ...]  # the campaign link it came from, field by field
    tags: tuple[str, ...]
    fields: tuple[FieldInput, ...]
    conversations: tuple[EarlierConversation, ...]
    duplicates: tuple[Duplicate, ...]
    merges: tuple[MergeLine, ...]

    @staticmethod
    def of(profile: Mapping[str, Any], people: Mapping[Any, Doc]) -> ContactPage:
        """From hub.actions.contacts.profile (the API shows the same data as JSON)."""
        contact: Contact = profile["contact"]
        attributes = _mapping(contact.get("attributes"))
        return ContactPage(
            id=contact["_id"], name=_text(contact.get("name")), identities=identities(contact),
            source=tuple((str(k), v) for k, v in _mapping(contact.get("source")).items()),
            tags=tuple(contact.get("tags") or ()),
            fields=tuple(FieldInput(str(f["key"]), str(f["label"]), str(f["type"]), tuple(f.get("choices") or ()),
                                    attributes.get(f["key"], "")) for f in profile["fields"]),
            conversations=earlier(profile["conversations"], lambda _c: True),
            duplicates=tuple(Duplicate(ContactRow.of(d["contact"]), tuple(d["conflicts"]))
                             for d in profile["duplicates"]),
            merges=tuple(_merge_line(m, contact["_id"], people) for m in profile["merges"]),
        )


def _merge_line(record: Doc, contact_id: ObjectId, people: Mapping[Any, Doc]) -> MergeLine:
    by = people.get(record.get("by")) if record.get("by") else None
    return MergeLine(
        id=record["_id"], at=record.get("at"), source_name=_text(record.get("source_name")),
        identity_count=len(record.get("identities") or []),
        conversation_count=len(record.get("conversation_ids") or []),
        moved_message_count=int(record.get("moved_message_count") or 0),
        undo_notes=tuple(str(n) for n in record.get("undo_notes") or []),
        by=str(by.get("name") or "") if by else None, undone=bool(record.get("undone_at")),
        into_this=record.get("target_id") == contact_id,
    )
