"""A burst of messages in one conversation updates it once: the merged update does what the updates one
after another would have done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.store.batched import merge_updates
from hub.store.conversations import conversation_touch

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_burst_keeps_the_newest_preview_the_latest_time_the_earliest_wait_and_every_channel() -> None:
    contact = {"name": "Mina"}
    first = conversation_touch(contact, "sms", T0 + timedelta(seconds=2), "second", inbound=True)
    merged = merge_updates(first, conversation_touch(contact, "whatsapp", T0 + timedelta(seconds=1), "first",
                                                     inbound=True))
    assert merged["$set"]["last_message_preview"] == "first"  # the later update's $set wins, as in order
    assert merged["$max"]["last_message_at"] == T0 + timedelta(seconds=2)
    assert merged["$min"]["waiting_since"] == T0 + timedelta(seconds=1)
    assert merged["$addToSet"]["channels"] == {"$each": ["sms", "whatsapp"]}
    assert merged["$set"]["last_inbound_at_by_channel.sms"] == T0 + timedelta(seconds=2)
    assert merged["$set"]["last_inbound_at_by_channel.whatsapp"] == T0 + timedelta(seconds=1)
    again = merge_updates(merged, conversation_touch(contact, "sms", T0, "third", inbound=False))
    assert again["$addToSet"]["channels"] == {"$each": ["sms", "whatsapp"]}
    assert first["$addToSet"]["channels"] == "sms", "the inputs are left as they were"


def test_an_operator_it_cannot_merge_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match=r"\$push"):
        merge_updates({"$push": {"a": 1}}, {"$push": {"a": 2}})
