"""The inbox's view models: what a page shows of stored documents (the pages themselves: tests/e2e)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from hub.store.documents import Contact, Conversation, Message
from inbox_ui import view_models as views

AT = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def message(**fields: object) -> Message:
    doc: Message = {"_id": ObjectId(), "conversation_id": ObjectId(), "contact_id": ObjectId(), "direction": "out",
                    "channel": "whatsapp", "text": "hello", "created_at": AT}
    doc.update(fields)  # type: ignore[typeddict-item]
    return doc


def test_a_failed_reply_shows_its_reason_and_a_retry_but_no_maybe_delivered_warning() -> None:
    view = views.MessageView.of(message(status="failed", error="window closed", delivery_uncertain="may be sent"))
    assert (view.undelivered, view.can_retry, view.error, view.uncertain) == (True, True, "window closed", None)
    assert view.tick == "⚠" and view.channel is not None and view.channel.label == "WhatsApp"


def test_an_undelivered_reply_cannot_be_retried_and_a_queued_one_keeps_its_warning() -> None:
    assert not views.MessageView.of(message(status="undelivered")).can_retry
    queued = views.MessageView.of(message(status="queued", delivery_uncertain="may be sent"))
    assert (queued.undelivered, queued.uncertain) == (False, "may be sent")


def test_a_note_has_no_channel_and_knows_whom_it_mentions() -> None:
    me = ObjectId()
    note = message(direction="note", channel=None, mentions=[me], author={"type": "agent", "id": ObjectId()})
    assert views.MessageView.of(note, me).mentions_me and not views.MessageView.of(note, ObjectId()).mentions_me
    assert views.MessageView.of(note).channel is None and views.MessageView.of(note).author_name is None


def test_a_channel_the_catalogue_does_not_know_is_named_as_stored_with_the_note_icon() -> None:
    channel = views.MessageView.of(message(channel="carrier-pigeon")).channel
    assert channel == views.ChannelView("carrier-pigeon", "carrier-pigeon", views.NOTE_ICON)


def test_attachments_are_previews_downloads_refusals_or_still_downloading() -> None:
    view = views.MessageView.of(message(direction="in", attachments=[
        {"filename": "a.png", "content_type": "image/png", "size": 12345, "file_id": "f1"},
        {"filename": "b.pdf", "content_type": "application/pdf", "size": 0, "file_id": "f2"},
        {"filename": "c.exe", "content_type": "application/x", "refused_reason": "not allowed"},
        {"filename": "d.jpg", "content_type": "image/jpeg"},
    ]))
    assert [(a.index, a.state, a.size_text) for a in view.attachments] == [
        (0, "image", "12,345"), (1, "file", None), (2, "refused", None), (3, "pending", None)]


def test_a_routing_event_explains_its_department_rules_candidates_and_notes() -> None:
    explanation = {"summary": "Rule 'vip' matched", "department": {"name": "Sales", "reason": "rule vip"},
                   "rules": [{"name": "vip", "outcome": "matched", "reason": "tag vip"}, "not a rule"],
                   "candidates": [{"name": "Ana", "open_count": 1, "capacity": 3}],
                   "filtered_out": [{"name": "Bo", "reason": "offline"}], "tie_break": "", "notes": ["one", 2]}
    event = message(direction="event", kind="event", channel=None,
                    data={"type": "routing", "decision": {"explanation": explanation}})
    why = views.MessageView.of(event).why
    assert why is not None and why.department_name == "Sales" and why.department_reason == "rule vip"
    assert why.rules == (views.RuleLine("vip", "matched", "tag vip"),)
    assert why.candidates == (views.CandidateLine("Ana", 1, 3),)
    assert why.filtered_out == (views.SkippedLine("Bo", "offline"),)
    assert (why.tie_break, why.strategy, why.notes) == (None, None, ("one", "2"))
    assert views.MessageView.of(message(direction="event", data={"type": "status"})).why is None


def test_the_header_names_the_customer_and_says_what_routing_decided() -> None:
    department: dict[str, Any] = {"_id": ObjectId(), "name": "Sales"}
    agent: dict[str, Any] = {"_id": ObjectId(), "name": "Ana"}
    conversation: Conversation = {"_id": ObjectId(), "contact_name": "+4912", "status": "snoozed", "snoozed_until": AT,
                                  "department_id": department["_id"], "assignee_id": agent["_id"],
                                  "routing": {"explanation": {"summary": "No rule matched"}}}
    contact: Contact = {"_id": ObjectId(), "identities": [{"kind": "phone", "value": "+4912"}]}
    header = views.ConversationHeader.of(conversation, contact, [], {department["_id"]: department},
                                         {agent["_id"]: agent})
    assert (header.name, header.title, header.priority, header.department) == ("+4912", None, "normal", "Sales")
    assert header.assignee == views.Person(agent["_id"], "Ana") and header.snoozed_until == AT
    assert header.why is not None and header.why.summary == "No rule matched"
    opened = views.ConversationHeader.of({**conversation, "status": "open", "department_id": None}, None, [], {}, {})
    assert (opened.snoozed_until, opened.department, opened.identities) == (None, "—", ())


def test_a_list_row_hides_normal_priority_and_says_who_and_where() -> None:
    department = {"_id": ObjectId(), "name": "Sales"}
    row = views.ConversationRow.of({"_id": ObjectId(), "status": "open", "last_channel": "sms", "contact_name": "Mina",
                                    "priority": "normal", "department_id": department["_id"], "assignee_id": ObjectId(),
                                    "last_message_preview": "hi", "last_message_at": AT},
                                   {department["_id"]: department}, {})
    assert (row.priority, row.department, row.assignee, row.waiting_since) == (None, "Sales", None, None)
    assert row.channel is not None and row.channel.label == "SMS"


def test_the_contact_page_fills_custom_fields_and_offers_undo_only_for_merges_into_this_contact() -> None:
    contact: Contact = {"_id": ObjectId(), "name": "Mina", "attributes": {"plan": "gold"},
                        "source": {"channel": "telegram"}}
    merged_here, merged_elsewhere = ObjectId(), ObjectId()
    lead = {"_id": ObjectId(), "name": "Lea"}
    page = views.ContactPage.of({
        "contact": contact, "conversations": [], "duplicates": [],
        "fields": [{"key": "plan", "label": "Plan", "type": "choice", "choices": ["gold"]},
                   {"key": "size", "label": "Size", "type": "number"}],
        "merges": [{"_id": merged_here, "at": AT, "target_id": contact["_id"], "by": lead["_id"], "identities": [{}]},
                   {"_id": merged_elsewhere, "at": AT, "target_id": ObjectId(), "undone_at": AT}],
    }, {lead["_id"]: lead})
    assert [(f.key, f.value) for f in page.fields] == [("plan", "gold"), ("size", "")]
    assert page.source == (("channel", "telegram"),)
    assert [(m.into_this, m.undone, m.by, m.identity_count) for m in page.merges] == [
        (True, False, "Lea", 1), (False, True, None, 0)]
