"""The conversation list (inbox and search) and the contacts list."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from inbox_ui.view_models._parts import VISITOR_LABEL, ChannelView, Fields, IdentityView, identities, text_or_none


@dataclass(frozen=True)
class ConversationRow:
    id: ObjectId
    status: str
    channel: ChannelView | None
    contact_name: str
    visitor: bool  # a nameless website visitor (the store's label holds their token): the row says "Web visitor"
    priority: str | None  # shown only when not normal
    labels: tuple[str, ...]
    preview: str
    department: str | None
    assignee: str | None
    last_message_at: datetime | None
    waiting_since: datetime | None
    unread: bool  # for the agent looking at the list (hub/actions/read_state.py)

    @staticmethod
    def of(doc: Fields, departments: Mapping[Any, Fields], people: Mapping[Any, Fields],
           unread: bool = False) -> ConversationRow:
        department = departments.get(doc.get("department_id"))
        assignee = people.get(doc.get("assignee_id"))
        priority = doc.get("priority")
        return ConversationRow(
            id=doc["_id"], status=str(doc.get("status") or ""), channel=ChannelView.of(doc.get("last_channel")),
            contact_name=str(doc.get("contact_name") or ""),
            visitor=str(doc.get("contact_name") or "").startswith(VISITOR_LABEL)
            and doc.get("last_channel") == "webchat",
            priority=str(priority) if priority and priority != "normal" else None,
            labels=tuple(doc.get("labels") or ()), preview=str(doc.get("last_message_preview") or ""),
            department=str(department.get("name") or "") if department else None,
            assignee=str(assignee.get("name") or "") if assignee else None,
            last_message_at=doc.get("last_message_at"), waiting_since=doc.get("waiting_since") or None,
            unread=unread,
        )


def conversation_rows(docs: Iterable[Fields], departments: Mapping[Any, Fields], people: Mapping[Any, Fields],
                      unread_ids: Container[Any] = ()) -> list[ConversationRow]:
    return [ConversationRow.of(d, departments, people, d["_id"] in unread_ids) for d in docs]


@dataclass(frozen=True)
class ViewTab:
    """One of the inbox's views (mine, unassigned, a department...) with its count."""

    key: str
    label: str
    count: int
    translated: bool  # a built-in view's name goes through `_`; a department's name is shown as written
    unread: int = 0  # how many of `count` the agent has not seen


def view_tabs(views: Iterable[tuple[str, str]], counts: Mapping[str, int],
              unread_counts: Mapping[str, int] | None = None) -> tuple[ViewTab, ...]:
    unread = unread_counts or {}
    return tuple(ViewTab(key, label, counts.get(key, 0), not key.startswith("dept:"), unread.get(key, 0))
                 for key, label in views)


@dataclass(frozen=True)
class ContactRow:
    id: ObjectId
    name: str | None  # None: the page says "Unnamed"
    identities: tuple[IdentityView, ...]
    tags: tuple[str, ...]
    last_seen_at: datetime | None

    @staticmethod
    def of(doc: Fields) -> ContactRow:
        return ContactRow(doc["_id"], text_or_none(doc.get("name")), identities(doc), tuple(doc.get("tags") or ()),
                          doc.get("last_seen_at"))


def contact_rows(docs: Iterable[Fields]) -> list[ContactRow]:
    return [ContactRow.of(d) for d in docs]
