"""The webhook trusts only Telegram, answers every bad input with a reason, and loses nothing valid."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from channels.telegram.settings import TelegramSettings
from hub import names as model
from hub.app import configure, create_app
from hub.runtime import Hub
from hub.settings import Settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import payload, post_update


async def stored(hub: Hub) -> tuple[int, int, int]:
    db = hub.db
    return (await db[model.MESSAGES].count_documents({}), await db[model.RAW_INBOUND].count_documents({}),
            await db[model.CONTACTS].count_documents({}))


async def assert_a_valid_update_still_gets_in(hub: Hub, http: aiohttp.ClientSession, base_url: str) -> None:
    status, body = await post_update(http, base_url, payload("text_in_persian_with_emoji_and_zero_width"))
    assert (status, body["result"]) == (200, "stored")
    assert await hub.db[model.MESSAGES].count_documents({"direction": "in", "channel": "telegram"}) == 1


@pytest.mark.parametrize(("secret", "reason"), [
    (None, "header is missing"),
    ("not-the-secret", "does not match TELEGRAM_WEBHOOK_SECRET"),
    ("", "header is missing"),
])
async def test_missing_or_wrong_secret_is_refused_with_403_and_nothing_is_stored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, secret: str | None, reason: str
) -> None:
    status, body = await post_update(http, base_url, payload("text_in_persian_with_emoji_and_zero_width"),
                                     secret=secret)
    assert status == 403
    assert reason in body["error"]
    assert await stored(hub) == (0, 0, 0)
    await assert_a_valid_update_still_gets_in(hub, http, base_url)


async def test_invalid_json_is_a_400_saying_so(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    status, body = await post_update(http, base_url, '{"update_id": 1, "message": {')
    assert status == 400
    assert body["error"] == "the request body is not valid JSON"
    assert await stored(hub) == (0, 0, 0)
    await assert_a_valid_update_still_gets_in(hub, http, base_url)


@pytest.mark.parametrize("body", [[1, 2], {"message": {}}, {"update_id": "7"}, {"update_id": True}])
async def test_json_that_is_no_update_is_a_400(hub: Hub, base_url: str, http: aiohttp.ClientSession,
                                               body: object) -> None:
    status, answer = await post_update(http, base_url, body)  # type: ignore[arg-type]
    assert status == 400
    assert "numeric update_id" in answer["error"]
    assert await stored(hub) == (0, 0, 0)


async def test_an_update_whose_message_lacks_required_fields_is_a_400(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    status, answer = await post_update(http, base_url, {"update_id": 9, "message": {"message_id": 1}})
    assert status == 400
    assert answer["error"].startswith("not a Telegram update Telegram would send")
    assert await stored(hub) == (0, 0, 0)


async def test_an_update_with_no_message_is_acknowledged_and_ignored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    status, body = await post_update(http, base_url, payload("update_with_no_message"))
    assert (status, body["result"], body["detail"]) == (200, "ignored", "the update carries no message")
    assert await stored(hub) == (0, 0, 0)
    await assert_a_valid_update_still_gets_in(hub, http, base_url)


@pytest.mark.parametrize(("fixture", "kind"), [
    ("callback_query_is_ignored", "callback_query"),
    ("blocked_the_bot_my_chat_member", "my_chat_member"),
    ("channel_post_is_ignored", "channel_post"),
])
async def test_unknown_update_types_are_acknowledged_and_ignored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fixture: str, kind: str
) -> None:
    status, body = await post_update(http, base_url, payload(fixture))
    assert (status, body["result"]) == (200, "ignored")
    assert kind in body["detail"]
    assert await stored(hub) == (0, 0, 0)


async def test_group_messages_are_acknowledged_ignored_and_logged(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="channels.telegram")
    status, body = await post_update(http, base_url, payload("group_message_is_ignored"))
    assert (status, body["result"]) == (200, "ignored")
    assert "only private chats" in body["detail"]
    assert await stored(hub) == (0, 0, 0)
    assert any("ignored update_id=730000112" in r.getMessage() for r in caplog.records)


async def test_a_repeated_update_id_gives_one_message(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    update = payload("text_in_persian_with_emoji_and_zero_width")
    first = await post_update(http, base_url, update)
    again = await post_update(http, base_url, update)
    assert first[1]["result"] == "stored" and again[1]["result"] == "duplicate"
    assert first[1]["message_id"] == again[1]["message_id"]
    assert await hub.db[model.MESSAGES].count_documents({"direction": "in"}) == 1
    assert await hub.db[model.CONVERSATIONS].count_documents({}) == 1


async def test_a_redelivered_photo_is_not_downloaded_twice(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    telegram_api.add_file("AgACAgQAAxkBAAIBZ2-large", b"\xff\xd8jpeg", "photos/file_1.jpg")
    update = payload("photo_with_caption")
    await post_update(http, base_url, update)
    await post_update(http, base_url, update)
    assert len(telegram_api.sent("getFile")) == 1
    assert await hub.db["fs.files"].count_documents({}) == 1


async def test_without_a_token_the_channel_is_off_says_so_once_and_its_webhook_answers_404(
    aiohttp_server, settings: Settings, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    app = create_app(configure(settings, TelegramSettings(_env_file=None)))  # type: ignore[call-arg]
    srv = await aiohttp_server(app, host="127.0.0.1")
    base_url = str(srv.make_url("")).rstrip("/")
    status, body = await post_update(http, base_url, payload("text_in_persian_with_emoji_and_zero_width"))
    assert status == 404
    assert "TELEGRAM_BOT_TOKEN is not set" in body["error"]
    said = [r for r in caplog.records if "telegram channel off" in r.getMessage()]
    assert len(said) == 1


def _press(**changes: object) -> dict[str, object]:
    update = payload("survey_button_pressed")
    query = update["callback_query"]
    for path, value in changes.items():
        *parents, name = path.split("__")
        target = query
        for parent in parents:
            target = target[parent]
        if value is _GONE:
            del target[name]
        else:
            target[name] = value
    return update


_GONE = object()


@pytest.mark.parametrize(("changes", "named"), [
    ({"data": ["choice:4"]}, "callback_query.data must be text"),
    ({"data": 4}, "callback_query.data must be text"),
    ({"id": 17}, "callback_query.id must be text"),
    ({"from": "mina"}, "callback_query.from must be an object"),
    ({"from__id": "5550001"}, "callback_query.from.id must be a whole number"),
    ({"from__first_name": None, "from__is_bot": "no"}, "callback_query.from.is_bot must be true or false"),
    ({"from": _GONE}, "callback_query has no 'from'"),
    ({"from__id": _GONE}, "callback_query has no 'from.id'"),
    ({"id": _GONE}, "callback_query has no 'id'"),
    ({"message": []}, "callback_query.message must be an object"),
    ({"message__chat__id": "5550001"}, "callback_query.message.chat.id must be a whole number"),
])
async def test_a_survey_button_press_with_a_field_of_the_wrong_type_is_a_400_naming_it(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, changes: dict[str, object], named: str
) -> None:
    status, answer = await post_update(http, base_url, _press(**changes))
    assert status == 400, answer
    assert named in answer["error"]
    assert await stored(hub) == (0, 0, 0)
    await assert_a_valid_update_still_gets_in(hub, http, base_url)


async def test_a_press_on_a_message_telegram_no_longer_shows_is_still_a_rating_stamped_now(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    # An old message comes back "inaccessible": only its chat, id and a date of 0.
    update = _press(message={"chat": {"id": 5550001, "type": "private"}, "message_id": 1000, "date": 0})
    status, answer = await post_update(http, base_url, update)
    assert (status, answer["result"]) == (200, "stored"), answer
    message = await hub.db[model.MESSAGES].find_one({"direction": "in", "channel": "telegram"})
    assert message is not None and message["text"] == "4"
    assert message["received_at"].year > 2000
