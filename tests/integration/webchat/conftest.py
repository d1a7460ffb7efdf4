"""A hub with a mailbox whose SMTP is a recording relay (verification codes go out through it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bson import ObjectId

from channels.base import EMAIL, WEBCHAT, Identity
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import contacts
from tests.conftest import make_settings
from tests.fakes.smtp_relay import FakeRelay, Received
from tests.support.agents import Visitor


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relay: FakeRelay) -> Settings:
    smtp = {"host": "127.0.0.1", "port": relay.port, "security": "none"}
    monkeypatch.setenv("EMAIL_MAILBOXES", json.dumps([{"address": "help@shop.test", "display_name": "Shop",
                                                       "smtp": smtp}]))
    return make_settings(mongo_url, tmp_path)


def code_in(mail: Received) -> str:
    body = mail.message.get_body(("plain",))
    assert body is not None
    found = re.search(r"\b(\d{6})\b", body.get_content())
    assert found, body.get_content()
    return found.group(1)


async def customer_with_history(hub: Hub, visitor: Visitor, email: str, text: str) -> ObjectId:
    """An existing customer: a visitor who wrote `text` and whose contact holds `email` (proven earlier)."""
    await visitor.connect()
    await visitor.say(text, "history-1")
    contact = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, visitor.welcome["visitor_id"]))
    assert contact is not None
    assert await contacts.add_identity(hub.db, contact["_id"], Identity(EMAIL, email))
    return ObjectId(contact["_id"])
