"""A reply to a resolved conversation reopens it, and routing decides again (and says so)."""

from __future__ import annotations

from channels.base import EMAIL, Identity, InboundMessage
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import conversations, messages


def mail(text: str, external_id: str, thread: str | None = None) -> InboundMessage:
    return InboundMessage(channel="email", identity=Identity(EMAIL, "mina@example.test"), text=text,
                          received_at=utcnow(), external_id=external_id, thread_conversation_id=thread)


async def test_a_reply_to_a_resolved_conversation_reopens_it_and_routes_it_again(hub: Hub) -> None:
    first = await ingest(hub, mail("my parcel never came", "m-1"))
    conversation_id = first.conversation["_id"]
    await conversations.set_status(hub.db, conversation_id, "resolved", utcnow())

    again = await ingest(hub, mail("it still has not come", "m-2", thread=str(conversation_id)))
    assert again.conversation["_id"] == conversation_id
    reopened = await conversations.get(hub.db, conversation_id)
    assert reopened is not None and reopened["status"] == "open" and reopened["routed"] is True
    events = [m for m in await messages.timeline(hub.db, conversation_id) if m["direction"] == "event"]
    kinds = [e["data"].get("type") for e in events]
    assert kinds.count("routing") == 2 and "reopened" in kinds
