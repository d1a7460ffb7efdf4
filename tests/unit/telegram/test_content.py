"""What the hub reads out of Telegram messages, checked against the raw payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from telegram import Bot, Message, Update, User

from channels.telegram.content import normalise_phone, read, sender_name

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "telegram"
BOT = Bot("7123456789:unit-test", base_url="http://127.0.0.1:9/bot")


def message(name: str) -> Message:
    update = Update.de_json(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")), BOT)
    found = update.message or update.edited_message
    assert found is not None
    return found


def test_name_is_first_and_last_name_or_else_the_username() -> None:
    assert sender_name(User(1, "مینا", False, last_name="رضایی", username="mina_r")) == "مینا رضایی"
    assert sender_name(User(1, "", False, username="mina_r")) == "@mina_r"
    assert sender_name(User(1, "", False)) is None


@pytest.mark.parametrize("raw", ["989121234567", "+98 912 123 4567", "+۹۸۹۱۲۱۲۳۴۵۶۷"])
def test_telegram_phone_formats_become_one_e164_number(raw: str) -> None:
    assert normalise_phone(raw) == "+989121234567"


def test_a_phone_that_is_no_number_is_not_taken() -> None:
    assert normalise_phone("12") is None


def test_start_link_payload_is_read_from_the_start_command() -> None:
    assert read(message("start_with_campaign_payload")).start_payload == "spring_sale-2026"  # type: ignore[union-attr]


def test_photo_takes_the_largest_size_and_the_caption_as_text() -> None:
    content = read(message("photo_with_caption"))
    assert content is not None
    assert [m.file_id for m in content.media] == ["AgACAgQAAxkBAAIBZ2-large"]
    assert content.text == "این عکس بسته\u200cای است که شکسته رسید"


def test_own_shared_phone_is_the_customers_but_someone_elses_card_is_not() -> None:
    own = read(message("shared_phone_contact"))
    other = read(message("shared_someone_elses_contact"))
    assert own is not None and own.own_phone == "+989121234567"
    assert other is not None and other.own_phone is None and "Sam" in other.text
