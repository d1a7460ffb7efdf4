"""A contact card joins the customer to a phone only when it is their own number, as Telegram vouches.

Anyone can share a card naming any number; only a card whose `user_id` Telegram filled with the
sender's own id (the "share my phone number" button) proves the number is theirs.
"""

from __future__ import annotations

import aiohttp
import pytest
from bson import ObjectId

from channels.base import PHONE, TELEGRAM, Identity, InboundMessage
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import contacts, messages
from hub.store.documents import Contact, Message
from tests.integration.telegram.conftest import CUSTOMER_ID, payload, post_update

KNOWN_NUMBER = "+447911123456"


async def deliver(http: aiohttp.ClientSession, base_url: str, hub: Hub, fixture: str) -> Message:
    status, body = await post_update(http, base_url, payload(fixture))
    assert status == 200 and body["result"] == "stored", body
    message = await messages.get(hub.db, ObjectId(body["message_id"]))
    assert message is not None
    return message


@pytest.mark.parametrize("fixture", ["card_for_someone_else_holding_a_known_number",
                                     "card_typed_by_hand_without_user_id",
                                     "own_card_forwarded_from_another_chat"])
async def test_a_card_that_is_not_the_senders_own_number_never_joins_the_customer_holding_that_number(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fixture: str
) -> None:
    known = await contacts.resolve(hub.db, Identity(PHONE, KNOWN_NUMBER), "Known (SMS)", utcnow())
    history = await deliver_sms_history(hub, known)
    message = await deliver(http, base_url, hub, fixture)
    assert message["contact_id"] != known["_id"]
    assert message["conversation_id"] != history["conversation_id"]
    sender = await contacts.get(hub.db, message["contact_id"])
    assert sender is not None and [i["kind"] for i in sender["identities"]] == [TELEGRAM]
    untouched = await contacts.get(hub.db, known["_id"])
    assert untouched is not None and untouched.get("merged_into") is None
    assert untouched["identities"] == [{"kind": PHONE, "value": KNOWN_NUMBER}]
    # The card is still shown to agents, for what it is.
    assert message["extras"]["contact"]["own"] is False
    assert message["text"].startswith("Shared a contact card:") and "not the customer's own number" in message["text"]


async def deliver_sms_history(hub: Hub, known: Contact) -> Message:
    """The phone's owner already has a conversation (as if they had texted us)."""
    result = await ingest(hub, InboundMessage(channel="sms", identity=Identity(PHONE, KNOWN_NUMBER),
                                              text="my private order details", received_at=utcnow(),
                                              external_id="SMhistory1"))
    assert result.contact["_id"] == known["_id"]
    return result.message


async def test_a_card_naming_another_telegram_customer_does_not_reach_their_contact(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    other = await contacts.resolve(hub.db, Identity(TELEGRAM, "6660004"), "Other", utcnow())
    message = await deliver(http, base_url, hub, "card_of_another_telegram_customer")
    assert message["contact_id"] != other["_id"]
    again = await contacts.get(hub.db, other["_id"])
    assert again is not None and again["identities"] == [{"kind": TELEGRAM, "value": "6660004"}]
    found = await contacts.find_by_identity(hub.db, Identity(PHONE, "+4915123456789"))
    assert found is None


async def test_the_senders_own_card_still_joins_the_customer_known_by_that_number(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    known = await contacts.resolve(hub.db, Identity(PHONE, "+989121234567"), "Mina (SMS)", utcnow())
    message = await deliver(http, base_url, hub, "shared_phone_contact")
    assert message["contact_id"] == known["_id"]
    assert message["extras"]["contact"]["own"] is True
    joined = await contacts.get(hub.db, known["_id"])
    assert joined is not None and {"kind": TELEGRAM, "value": str(CUSTOMER_ID)} in joined["identities"]
