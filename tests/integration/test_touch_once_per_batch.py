"""A burst of messages in one conversation rewrites its last-message fields once per batch, not once per
message (issue 15, P1): the database sees one update statement for the five touches of one batch, and
the conversation ends as the five in order would have left it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestServer
from pymongo import monitoring

from hub import keys
from hub import names as model
from hub.app import create_app
from hub.clock import utcnow
from hub.settings import Settings
from hub.store.conversations import conversation_touch
from tests.integration.inbox.helpers import arrive
from tests.support.query_log import QueryLog

_LOG = QueryLog()
monitoring.register(_LOG)  # process-wide (pymongo cannot remove one); it records only this test's database


async def test_five_touches_of_one_conversation_in_one_batch_are_one_update_that_keeps_the_newest(
    aiohttp_server: Any, settings: Settings
) -> None:
    _LOG.database, _LOG.sent = settings.db_name, []
    server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    hub = server.app[keys.HUB]
    first = await arrive(hub, "hello", "+989121234567", channel="sms")
    contact, conversation_id = first.contact, first.conversation["_id"]
    at = utcnow()
    touches = [conversation_touch(contact, ("sms", "whatsapp")[n % 2], at + timedelta(seconds=n), f"line {n}",
                                  inbound=True) for n in range(5)]
    _LOG.recording = True
    try:
        applied = await asyncio.gather(*(hub.batches.touch.submit((conversation_id, t)) for t in touches))
    finally:
        _LOG.recording = False
    assert applied == [True] * 5
    updates = [s for s in _LOG.sent if s.command == "update" and s.collection == model.CONVERSATIONS]
    assert len(updates) == 1, updates
    after = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation_id})
    assert after is not None
    assert after["last_message_preview"] == "line 4" and set(after["channels"]) == {"sms", "whatsapp"}
    assert abs((after["last_message_at"] - (at + timedelta(seconds=4))).total_seconds()) < 0.01
