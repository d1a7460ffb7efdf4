"""A hub killed after keeping a raw payload and before storing its message: the next start turns the
payload into exactly one message, and no later replay makes a second."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from pymongo import AsyncMongoClient

from hub import names as model
from hub.store.db import Db, Doc
from tests.support.agents import Visitor
from tests.support.polling import poll_until
from tests.support.servers import HubProcess


async def send_and_see_the_hub_die(hub: HubProcess, frame: dict[str, object]) -> str:
    """The visitor's token, to come back as the same visitor."""
    await asyncio.to_thread(hub.start)
    async with aiohttp.ClientSession() as http:
        visitor = Visitor(http, hub.base_url)
        welcome = await visitor.connect()
        await visitor.send(frame)
        assert hub.proc is not None
        code = await asyncio.to_thread(hub.proc.wait, 30)
        assert code == 137  # died at the fault hook, between the two writes
        assert visitor.ws is not None
        closed = await visitor.ws.receive(timeout=10)
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR), \
            "no ack may reach the visitor"
    hub.stop()
    return str(welcome["token"])


async def restart_and_wait_for_one_message(env: dict[str, str], db: Db, text: str) -> Doc:
    hub = HubProcess(env)
    await asyncio.to_thread(hub.start)
    try:
        async def replayed() -> bool:
            pending = await db[model.RAW_INBOUND].count_documents({"pending_since": {"$exists": True}})
            return pending == 0 and await db[model.MESSAGES].count_documents({"text": text}) >= 1

        await poll_until(replayed, "the kept frame replayed into one message", timeout=30, every=0.2)
    finally:
        output = await asyncio.to_thread(hub.stop)
    assert "Traceback" not in output
    found = await db[model.MESSAGES].find({"text": text}).to_list(None)
    assert len(found) == 1, found
    return found[0]


async def test_a_message_kept_raw_before_a_crash_becomes_one_message_at_the_next_start(
    mongo_url: str, tmp_path: Path
) -> None:
    name = f"crash_{tmp_path.name[-20:]}".replace("-", "_")
    env = {"HUB_MONGO_URL": mongo_url, "HUB_DB_NAME": name, "HUB_SECRET_KEY": "shared",
           "HUB_DATA_DIR": str(tmp_path), "HUB_RECOVERY_GRACE_SECONDS": "0", "HUB_RECOVERY_SECONDS": "0.5"}
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[name]
    try:
        # No client_id: the visitor gives no key, so only the payload's own key stops a second copy.
        text = "my order never arrived"
        await send_and_see_the_hub_die(HubProcess({**env, "HUB_TEST_FAULT": "exit_after_raw"}),
                                       {"type": "message", "text": text})
        assert await db[model.MESSAGES].count_documents({"direction": "in"}) == 0
        kept = await db[model.RAW_INBOUND].find_one({"channel": "webchat"})
        assert kept is not None and "pending_since" in kept and kept["inbound"]["text"] == text

        message = await restart_and_wait_for_one_message(env, db, text)
        assert message["raw_id"] == kept["_id"] and message["channel"] == "webchat"
        conversation = await db[model.CONVERSATIONS].find_one({"_id": message["conversation_id"]})
        assert conversation is not None and conversation["last_message_preview"] == text
        assert conversation.get("department_id") is not None  # routed like any message

        # As if the processed marker had been lost too: the next start replays the payload again,
        # finds the message it made, and makes nothing new.
        await db[model.RAW_INBOUND].update_one({"_id": kept["_id"]}, {
            "$set": {"pending_since": kept["pending_since"]}, "$unset": {"processed_at": ""}})
        again = await restart_and_wait_for_one_message(env, db, text)
        assert again["_id"] == message["_id"]
        assert await db[model.MESSAGES].count_documents({"direction": "in"}) == 1
        async def marked_again() -> dict[str, object] | None:  # the marker is posted, not awaited
            return await db[model.RAW_INBOUND].find_one({"_id": kept["_id"], "processed_at": {"$exists": True}})
        marked = await poll_until(marked_again, "the replayed payload marked processed")
        assert marked is not None and "processed_at" in marked
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_keyed_message_kept_before_a_crash_and_sent_again_is_stored_once(
    mongo_url: str, tmp_path: Path
) -> None:
    """The visitor resends with its client_id after the crash, and the recovery pass replays the kept copy."""
    name = f"resend_{tmp_path.name[-20:]}".replace("-", "_")
    env = {"HUB_MONGO_URL": mongo_url, "HUB_DB_NAME": name, "HUB_SECRET_KEY": "shared",
           "HUB_DATA_DIR": str(tmp_path), "HUB_RECOVERY_GRACE_SECONDS": "0", "HUB_RECOVERY_SECONDS": "0.5"}
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[name]
    text = "is anyone there?"
    try:
        token = await send_and_see_the_hub_die(HubProcess({**env, "HUB_TEST_FAULT": "exit_after_raw"}),
                                               {"type": "message", "text": text, "client_id": "c-1"})
        hub = HubProcess(env)
        await asyncio.to_thread(hub.start)
        try:
            async with aiohttp.ClientSession() as http:
                visitor = Visitor(http, hub.base_url)
                await visitor.connect(token=token)  # the same visitor, resending what got no ack
                ack = await visitor.say(text, "c-1")
                await visitor.close()

            async def settled() -> bool:
                return await db[model.RAW_INBOUND].count_documents({"pending_since": {"$exists": True}}) == 0

            await poll_until(settled, "no raw inbound left pending", timeout=30, every=0.2)
        finally:
            await asyncio.to_thread(hub.stop)
        found = await db[model.MESSAGES].find({"text": text}).to_list(None)
        assert [str(m["_id"]) for m in found] == [ack["id"]]
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_hub_killed_between_the_message_key_and_the_message_lands_it_once_at_the_next_start(
    mongo_url: str, tmp_path: Path
) -> None:
    """The key is claimed (message_keys) but the message never written: the replay takes the key's message id
    over, so the recovery pass stores the message once, and a later replay finds it through the key."""
    name = f"keyed_{tmp_path.name[-20:]}".replace("-", "_")
    env = {"HUB_MONGO_URL": mongo_url, "HUB_DB_NAME": name, "HUB_SECRET_KEY": "shared",
           "HUB_DATA_DIR": str(tmp_path), "HUB_RECOVERY_GRACE_SECONDS": "0", "HUB_RECOVERY_SECONDS": "0.5"}
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[name]
    text = "where is my parcel?"
    try:
        await send_and_see_the_hub_die(HubProcess({**env, "HUB_TEST_FAULT": "exit_after_key"}),
                                       {"type": "message", "text": text})
        assert await db[model.MESSAGES].count_documents({"direction": "in"}) == 0
        kept = await db[model.RAW_INBOUND].find_one({"channel": "webchat"})
        assert kept is not None and "pending_since" in kept
        key = await db[model.MESSAGE_KEYS].find_one({"_id": f"raw:{kept['_id']}"})
        assert key is not None, "the fault hook sits after the key's insert"

        message = await restart_and_wait_for_one_message(env, db, text)
        assert message["_id"] == key["message_id"] and message["raw_id"] == kept["_id"]

        await db[model.RAW_INBOUND].update_one({"_id": kept["_id"]}, {
            "$set": {"pending_since": kept["pending_since"]}, "$unset": {"processed_at": ""}})
        again = await restart_and_wait_for_one_message(env, db, text)
        assert again["_id"] == message["_id"]
        assert await db[model.MESSAGES].count_documents({"direction": "in"}) == 1
    finally:
        await client.drop_database(name)
        await client.close()
