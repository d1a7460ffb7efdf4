"""An agent attaches files to a reply (multipart): they are stored, recorded on the reply and reach
the customer through the Bot API; a file over the limit or an empty reply is refused and nothing is queued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bson import ObjectId

from hub.runtime import Hub
from hub.settings import Settings
from hub.store import files
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import CUSTOMER_ID
from tests.integration.telegram.test_outbound import customer_writes, settled
from tests.support.agents import login, make_user

LIMIT = 2048
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = "%PDF-1.4 فاکتور ۱۲۳\n".encode() + b"\x01" * 300


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, max_attachment_bytes=LIMIT)


def form(fields: dict[str, str], *attached: tuple[str, bytes, str]) -> aiohttp.FormData:
    data = aiohttp.FormData(quote_fields=False)  # raw UTF-8 filenames, as browsers send them
    for name, value in fields.items():
        data.add_field(name, value)
    for filename, content, content_type in attached:
        data.add_field("file", content, filename=filename, content_type=content_type)
    return data


async def post(http: aiohttp.ClientSession, url: str, data: aiohttp.FormData, csrf: str | None = None
               ) -> tuple[int, dict[str, Any]]:
    async with http.post(url, data=data, headers={"X-CSRF-Token": csrf} if csrf else {}) as r:
        return r.status, await r.json()


async def count(hub: Hub, collection: str, query: dict[str, Any] | None = None) -> int:
    return int(await hub.db[collection].count_documents(query or {}))


async def test_composer_reply_with_a_document_and_a_photo_reaches_telegram_with_the_bytes(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    # The CSRF token rides in the multipart form itself: the body is read by the check and again by the handler.
    status, body = await post(http, f"{base_url}/api/v1/conversations/{conversation['_id']}/reply", form(
        {"_csrf": csrf, "text": "فاکتور شما", "client_key": "k1"},
        ("فاکتور.pdf", PDF, "application/pdf"), ("photo.png", PNG, "image/png")))
    assert status == 201, body
    attachments = body["message"]["attachments"]
    assert [(a["filename"], a["content_type"], a["size"]) for a in attachments] == [
        ("فاکتور.pdf", "application/pdf", len(PDF)), ("photo.png", "image/png", len(PNG))]
    stored = await files.get(hub.db, ObjectId(attachments[0]["file_id"]))
    assert stored is not None and stored[0] == PDF

    done = await settled(hub, ObjectId(body["message"]["id"]))
    assert done["status"] == "sent", done
    assert [c.params["text"] for c in telegram_api.sent("sendMessage")] == ["فاکتور شما"]
    [document] = telegram_api.sent("sendDocument")
    assert document.chat_id == str(CUSTOMER_ID)
    assert document.files["document"] == ("فاکتور.pdf", PDF)
    [photo] = telegram_api.sent("sendPhoto")
    assert photo.files["photo"][1] == PNG


async def test_a_file_alone_is_a_reply_and_the_same_client_key_twice_keeps_one_message_and_one_file(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    url = f"{base_url}/api/v1/conversations/{conversation['_id']}/messages"
    status, body = await post(http, url, form({"client_key": "same"}, ("receipt.txt", b"paid", "text/plain")), csrf)
    assert status == 201, body
    assert body["message"]["text"] == ""
    again, second = await post(http, url, form({"client_key": "same"}, ("receipt.txt", b"paid", "text/plain")), csrf)
    assert (again, second["created"], second["message"]["id"]) == (200, False, body["message"]["id"])
    assert await count(hub, "fs.files") == 1
    done = await settled(hub, ObjectId(body["message"]["id"]))
    assert done["status"] == "sent"
    assert [c.files["document"] for c in telegram_api.sent("sendDocument")] == [("receipt.txt", b"paid")]
    assert telegram_api.sent("sendMessage") == []


async def test_a_file_over_the_limit_is_refused_413_naming_it_and_nothing_is_stored_or_queued(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    for path in ("reply", "messages"):
        status, body = await post(http, f"{base_url}/api/v1/conversations/{conversation['_id']}/{path}", form(
            {"text": "see attached"}, ("small.txt", b"ok", "text/plain"),
            ("scan.tiff", b"x" * (LIMIT + 1), "image/tiff")), csrf)
        assert status == 413, body
        assert "scan.tiff" in body["error"] and f"{LIMIT:,}" in body["error"]
    assert await count(hub, "fs.files") == 0
    assert await count(hub, "messages", {"direction": "out"}) == 0


async def test_an_empty_reply_without_a_file_is_refused_400(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    for path in ("reply", "messages"):
        status, body = await post(http, f"{base_url}/api/v1/conversations/{conversation['_id']}/{path}",
                                  form({"text": "   "}), csrf)
        assert status == 400, body
        assert "empty" in body["error"]
    assert await count(hub, "messages", {"direction": "out"}) == 0


async def test_a_refused_reply_leaves_no_stored_file_behind(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    status, body = await post(http, f"{base_url}/api/v1/conversations/{conversation['_id']}/messages", form(
        {"channel": "email"}, ("a.txt", b"hello", "text/plain")), csrf)
    assert status == 409, body
    assert await count(hub, "fs.files") == 0
