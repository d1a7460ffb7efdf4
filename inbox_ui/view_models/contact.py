"""A contact's page: identities, source, tags, custom fields, conversations, duplicates, merges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from hub.store.documents import Contact
from inbox_ui.view_models._parts import Fields, IdentityView, identities, mapping, text_or_none
from inbox_ui.view_models.conversation import EarlierConversation, earlier
from inbox_ui.view_models.lists import ContactRow


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
    def of(profile: Mapping[str, Any], people: Mapping[Any, Fields]) -> ContactPage:
        """From hub.actions.contacts.profile (the API shows the same data as JSON)."""
        contact: Contact = profile["contact"]
        attributes = mapping(contact.get("attributes"))
        return ContactPage(
            id=contact["_id"], name=text_or_none(contact.get("name")), identities=identities(contact),
            source=tuple((str(k), v) for k, v in mapping(contact.get("source")).items()),
            tags=tuple(contact.get("tags") or ()),
            fields=tuple(FieldInput(str(f["key"]), str(f["label"]), str(f["type"]), tuple(f.get("choices") or ()),
                                    attributes.get(f["key"], "")) for f in profile["fields"]),
            conversations=earlier(profile["conversations"], lambda _c: True),
            duplicates=tuple(Duplicate(ContactRow.of(d["contact"]), tuple(d["conflicts"]))
                             for d in profile["duplicates"]),
            merges=tuple(_merge_line(m, contact["_id"], people) for m in profile["merges"]),
        )


def _merge_line(record: Fields, contact_id: ObjectId, people: Mapping[Any, Fields]) -> MergeLine:
    by = people.get(record.get("by")) if record.get("by") else None
    return MergeLine(
        id=record["_id"], at=record.get("at"), source_name=text_or_none(record.get("source_name")),
        identity_count=len(record.get("identities") or []),
        conversation_count=len(record.get("conversation_ids") or []),
        moved_message_count=int(record.get("moved_message_count") or 0),
        undo_notes=tuple(str(n) for n in record.get("undo_notes") or []),
        by=str(by.get("name") or "") if by else None, undone=bool(record.get("undone_at")),
        into_this=record.get("target_id") == contact_id,
    )
