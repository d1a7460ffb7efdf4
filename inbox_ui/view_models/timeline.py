"""A conversation's timeline entries, routing explanations included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from channels.email.html import quoted_tail
from hub.outbound.email_reply import is_mail
from hub.store.documents import AttachmentDoc, Message
from inbox_ui.filters import STATUS_TICKS
from inbox_ui.view_models._parts import NOTE_ICON, ChannelView, Fields, items, mapping, text_or_none
from inbox_ui.view_models.event_lines import RECORD_SHOWN, Line, Names, event_line

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})  # shown inline as previews


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
        department = mapping(explanation.get("department"))
        return RoutingWhy(
            summary=str(explanation.get("summary") or ""),
            department_name=text_or_none(department.get("name")),
            department_reason=str(department.get("reason") or ""),
            rules=tuple(RuleLine(str(r.get("name") or ""), str(r.get("outcome") or ""), text_or_none(r.get("reason")))
                        for r in items(explanation.get("rules")) if isinstance(r, Mapping)),
            strategy=text_or_none(explanation.get("strategy")),
            candidates=tuple(CandidateLine(str(c.get("name") or ""), c.get("open_count"), c.get("capacity"))
                             for c in items(explanation.get("candidates")) if isinstance(c, Mapping)),
            filtered_out=tuple(SkippedLine(str(c.get("name") or ""), c.get("reason"))
                               for c in items(explanation.get("filtered_out")) if isinstance(c, Mapping)),
            tie_break=text_or_none(explanation.get("tie_break")),
            fallback=text_or_none(explanation.get("fallback")),
            notes=tuple(str(n) for n in items(explanation.get("notes"))),
        )


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
    line: Line | None  # the event as one translated sentence; None: the page prints `text` as stored
    show_record: bool  # the stored record says more than the line: kept behind "Why?"
    why: RoutingWhy | None
    # A message's.
    channel: ChannelView | None  # None for a note
    author_name: str | None  # None: the page says "Customer" or "Agent"
    tick: str
    subject: str | None
    content_sid: str | None  # a WhatsApp template reply
    full_text: str | None  # an email's text before reply stripping
    quoted: str | None  # what stripping took off (the quoted earlier mail), folded under "…"
    mail_to: str | None  # an email reply's To, CC and BCC: "To … · Cc …" above its text
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    has_html: bool
    remote_images: bool
    edits: tuple[EditView, ...]
    attachments: tuple[AttachmentView, ...]
    uncertain: str | None  # "may have been delivered": shown unless the reply failed outright
    undelivered: bool
    error: str | None
    can_retry: bool

    @staticmethod
    def of(doc: Message, viewer_id: object = None, names: Names | None = None) -> MessageView:
        extras, data = mapping(doc.get("extras")), mapping(doc.get("data"))
        author = doc.get("author") or {}
        status = doc.get("status") or None
        undelivered = status in ("failed", "undelivered")
        decision = mapping(data.get("decision"))
        full_text = text_or_none(extras.get("full_text"))
        email_out = doc.get("direction") == "out" and is_mail(text_or_none(doc.get("channel")))
        return MessageView(
            id=doc["_id"], direction=str(doc.get("direction") or ""), status=status,
            mentions_me=viewer_id is not None and viewer_id in (doc.get("mentions") or []),
            author_id=str(author.get("id") or ""), created_at=doc.get("created_at"), text=str(doc.get("text") or ""),
            event_type=str(data.get("type") or "other"), event_note=text_or_none(data.get("note")),
            line=event_line(data, text_or_none(author.get("name")), names or Names())
            if doc.get("direction") == "event" else None,
            show_record=str(data.get("type") or "") in RECORD_SHOWN,
            why=RoutingWhy.of(decision.get("explanation")),
            channel=ChannelView.of(doc.get("channel"), NOTE_ICON), author_name=text_or_none(author.get("name")),
            tick=STATUS_TICKS.get(status or "", ""), subject=text_or_none(doc.get("subject")),
            content_sid=text_or_none(extras.get("content_sid")), full_text=full_text,
            quoted=text_or_none(quoted_tail(full_text, str(doc.get("text") or ""))) if full_text else None,
            mail_to=text_or_none(mapping(doc.get("to")).get("value")) if email_out else None,
            cc=_addresses(extras.get("cc")) if email_out else (),
            bcc=_addresses(extras.get("bcc")) if email_out else (),
            has_html=bool(doc.get("html")), remote_images=bool(extras.get("html_remote_images")),
            edits=tuple(EditView(str(e.get("text") or ""), e.get("replaced_at")) for e in doc.get("edits") or []),
            attachments=tuple(AttachmentView.of(i, a) for i, a in enumerate(doc.get("attachments") or [])),
            uncertain=None if undelivered else text_or_none(doc.get("delivery_uncertain")),
            undelivered=undelivered, error=text_or_none(doc.get("error")), can_retry=status == "failed",
        )


def _addresses(value: object) -> tuple[str, ...]:
    return tuple(str(a) for a in value if isinstance(a, str)) if isinstance(value, list) else ()


def timeline(docs: Iterable[Message], viewer: Fields | None, names: Names | None = None) -> list[MessageView]:
    viewer_id = viewer.get("_id") if viewer else None
    return [MessageView.of(m, viewer_id, names) for m in docs]
