"""One message per provider message, however often and however concurrently it arrives."""

from __future__ import annotations

import asyncio

from channels.base import WEBCHAT, Identity, InboundMessage
from hub import names as model
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub


def inbound(text: str, external_id: str, visitor: str = "v-1") -> InboundMessage:
    return InboundMessage(channel="webchat", identity=Identity(WEBCHAT, visitor), text=text, received_at=utcnow(),
                          external_id=external_id, raw={"text": text, "id": external_id})


async def counts(hub: Hub) -> tuple[int, int, int, int]:
    db = hub.db
    return (await db[model.MESSAGES].count_documents({"direction": "in"}),
            await db[model.CONVERSATIONS].count_documents({}),
            await db[model.CONTACTS].count_documents({}),
            await db[model.RAW_INBOUND].count_documents({}))


async def test_repeated_ingest_returns_the_existing_message_and_creates_nothing(hub: Hub) -> None:
    first = await ingest(hub, inbound("hello", "m-1"))
    again = await ingest(hub, inbound("hello", "m-1"))
    assert first.created and not again.created
    assert again.message["_id"] == first.message["_id"]
    messages, conversations, contacts, raw = await counts(hub)
    assert (messages, conversations, contacts) == (1, 1, 1)
    assert raw == 2  # every payload is kept, duplicates included, for replay


async def test_ten_concurrent_copies_give_exactly_one_message_contact_and_conversation(hub: Hub) -> None:
    results = await asyncio.gather(*(ingest(hub, inbound("نسخه", "m-dup")) for _ in range(10)))
    assert sum(r.created for r in results) == 1
    assert len({r.message["_id"] for r in results}) == 1
    messages, conversations, contacts, _ = await counts(hub)
    assert (messages, conversations, contacts) == (1, 1, 1)


async def test_replay_after_resolution_does_not_open_a_new_conversation(hub: Hub) -> None:
    from hub.store import conversations

    first = await ingest(hub, inbound("hi", "m-9"))
    await conversations.set_status(hub.db, first.conversation["_id"], "resolved", utcnow())
    await ingest(hub, inbound("hi", "m-9"))
    assert (await counts(hub))[:3] == (1, 1, 1)


async def test_new_message_after_resolution_opens_a_new_conversation_for_the_same_contact(hub: Hub) -> None:
    from hub.store import conversations

    first = await ingest(hub, inbound("first", "a"))
    await conversations.set_status(hub.db, first.conversation["_id"], "resolved", utcnow())
    second = await ingest(hub, inbound("second", "b"))
    assert second.conversation["_id"] != first.conversation["_id"]
    assert second.contact["_id"] == first.contact["_id"]


async def test_new_conversation_is_routed_to_the_default_department_with_an_explanation(hub: Hub) -> None:
    from hub.store import messages, users

    support = await users.ensure_department(hub.db, "Support", utcnow())
    result = await ingest(hub, inbound("where is my order", "r-1"))
    assert result.conversation["department_id"] == support["_id"]
    timeline = await messages.timeline(hub.db, result.conversation["_id"])
    assert [m["direction"] for m in timeline] == ["in", "event"]
    assert "Support" in timeline[1]["text"]


async def test_raw_payload_is_kept_before_parsing(hub: Hub) -> None:
    await ingest(hub, inbound("keep me", "raw-1"))
    raw = await hub.db[model.RAW_INBOUND].find_one({"channel": "webchat"})
    assert raw is not None and raw["payload"] == {"text": "keep me", "id": "raw-1"}
