"""A visitor's files: one multipart POST with the visitor's token, the hub's size limit, the socket's Origin rule;
what is stored is the agent's kind of attachment, and a refusal stores nothing."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from bson import ObjectId

from hub.runtime import Hub
from hub.settings import Settings
from hub.store import webchat_sites
from tests.conftest import make_settings
from tests.support.agents import Visitor, login, make_user

LIMIT = 4096
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, max_attachment_bytes=LIMIT)


def files_form(client_id: str, *files: tuple[str, bytes, str], text: str = "") -> aiohttp.FormData:
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("client_id", client_id)
    form.add_field("text", text)
    for name, data, content_type in files:
        form.add_field("file", data, filename=name, content_type=content_type)
    return form


async def post_files(http: aiohttp.ClientSession, base_url: str, token: str, form: aiohttp.FormData,
                     origin: str = "https://shop.example") -> tuple[int, dict[str, object], str | None]:
    async with http.post(f"{base_url}/webchat/files", params={"token": token}, data=form,
                         headers={"Origin": origin}) as r:
        return r.status, await r.json(), r.headers.get("Access-Control-Allow-Origin")


async def test_a_visitors_file_and_image_become_one_message_with_stored_attachments_the_agent_opens(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    hub.settings.public_url = base_url  # links are made on the public URL; here that is the test server
    visitor = Visitor(http, base_url)
    welcome = await visitor.connect()
    assert welcome["max_file_bytes"] == LIMIT
    form = files_form("f-1", ("order.pdf", b"%PDF-1.4 order", "application/pdf"), ("photo.png", PNG, "image/png"),
                      text="my receipt")
    status, answer, cors = await post_files(http, base_url, welcome["token"], form)
    assert status == 201, answer
    assert cors == "https://shop.example"  # the embedding page may read the answer, and only that page
    shown = answer["message"]
    assert isinstance(shown, dict) and shown["text"] == "my receipt" and shown["client_id"] == "f-1"
    assert [(f["filename"], f["content_type"]) for f in shown["attachments"]] == [
        ("order.pdf", "application/pdf"), ("photo.png", "image/png")]
    stored = await hub.db["messages"].find_one({"_id": ObjectId(str(answer["id"]))})
    assert stored is not None and stored["direction"] == "in" and stored["channel"] == "webchat"
    assert [a["size"] for a in stored["attachments"]] == [len(b"%PDF-1.4 order"), len(PNG)]
    assert await hub.db["fs.files"].count_documents({}) == 2

    await make_user(hub.db, "agent@x.test")
    await login(http2, base_url, "agent@x.test")
    async with http2.get(f"{base_url}/inbox/files/{answer['id']}/1") as r:
        assert r.status == 200
        assert await r.read() == PNG
    async with http.get(shown["attachments"][1]["url"]) as r:  # the visitor's own signed link
        assert r.status == 200 and await r.read() == PNG


async def test_a_file_over_the_hubs_limit_is_refused_with_a_code_and_nothing_is_stored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http, base_url)
    welcome = await visitor.connect()
    form = files_form("f-big", ("small.txt", b"fine", "text/plain"), ("big.bin", b"x" * (LIMIT + 1), "application/zip"))
    status, answer, cors = await post_files(http, base_url, welcome["token"], form)
    assert status == 413
    assert answer["code"] == "too_large" and answer["limit"] == LIMIT
    assert "big.bin" in str(answer["error"])
    assert cors == "https://shop.example"  # so the widget can read the code and say it in the visitor's language
    assert await hub.db["fs.files"].count_documents({}) == 0
    assert await hub.db["messages"].count_documents({}) == 0


async def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    welcome = await Visitor(http, base_url).connect()
    form = files_form("f-huge", ("huge.bin", b"x" * (LIMIT * 8), "application/octet-stream"))
    status, answer, _ = await post_files(http, base_url, welcome["token"], form)
    assert status == 413 and answer["code"] == "too_large"
    assert await hub.db["fs.files"].count_documents({}) == 0


async def test_files_from_a_foreign_origin_or_without_a_valid_token_are_refused(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    welcome = await Visitor(http, base_url).connect()
    await webchat_sites.set_allowed_origins(hub.db, ["https://shop.example"])
    status, answer, cors = await post_files(http, base_url, welcome["token"],
                                            files_form("f-2", ("a.txt", b"a", "text/plain")), "https://evil.example")
    assert (status, answer["code"], cors) == (403, "origin", "https://evil.example")
    status, answer, _ = await post_files(http, base_url, welcome["token"] + "x",
                                         files_form("f-3", ("a.txt", b"a", "text/plain")))
    assert (status, answer["code"]) == (403, "bad_token")
    status, answer, _ = await post_files(http, base_url, welcome["token"], files_form("f-4"))
    assert (status, answer["code"]) == (400, "no_file")
    assert await hub.db["fs.files"].count_documents({}) == 0
    assert await hub.db["messages"].count_documents({}) == 0


async def test_the_same_upload_sent_twice_is_one_message_with_one_set_of_files(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    welcome = await Visitor(http, base_url).connect()
    first = await post_files(http, base_url, welcome["token"], files_form("f-5", ("a.txt", b"abc", "text/plain")))
    again = await post_files(http, base_url, welcome["token"], files_form("f-5", ("a.txt", b"abc", "text/plain")))
    assert first[0] == again[0] == 201
    assert first[1]["id"] == again[1]["id"] and again[1]["duplicate"] is True
    assert await hub.db["messages"].count_documents({"direction": "in"}) == 1
    assert await hub.db["fs.files"].count_documents({}) == 1
    conversation = await hub.db["conversations"].find_one({})
    assert conversation is not None and conversation["last_message_preview"] == "📎 a.txt"  # files alone: named


async def test_the_inbox_draws_a_files_only_message_with_the_paperclip_icon_not_an_emoji(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    # A machine without an emoji font draws 📎 as an empty box: the list and the timeline use the SVG icon.
    welcome = await Visitor(http, base_url).connect()
    form = files_form("f-6", ("a.txt", b"a", "text/plain"))
    status, answer, _ = await post_files(http, base_url, welcome["token"], form)
    assert status == 201, answer
    await make_user(hub.db, "lead@x.test", role="lead")
    await login(http2, base_url, "lead@x.test")
    conversation = await hub.db["conversations"].find_one({})
    assert conversation is not None
    for path in ("/inbox/list?view=all", f"/inbox/c/{conversation['_id']}"):
        async with http2.get(base_url + path) as r:
            page = await r.text()
        assert r.status == 200 and "a.txt" in page
        assert "📎" not in page, path
        assert 'class="icon icon-paperclip"' in page, path
