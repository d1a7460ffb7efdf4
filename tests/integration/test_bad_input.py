"""Bad input gets a clear 4xx with a sentence a person understands; the hub keeps serving."""

from __future__ import annotations

import json
import time

import aiohttp
from bson import ObjectId

from channels.webchat.token import issue
from hub import names as model
from hub.runtime import Hub
from tests.support.agents import PASSWORD, Visitor, login, make_user


async def test_malformed_widget_frames_get_an_error_frame_and_the_socket_keeps_working(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()
    assert visitor.ws is not None
    cases = [("not json", "frames must be JSON objects"), ("[1, 2]", "frames must be JSON objects"),
             (json.dumps({"type": "dance"}), "unknown frame type 'dance'"),
             (json.dumps({"type": "message"}), "a message needs non-empty 'text'"),
             (json.dumps({"type": "message", "text": "hi", "client_id": 5}), "'client_id' must be a short string"),
             (json.dumps({"type": "identify", "email": "not-an-email"}), "that does not look like an email address")]
    for frame, error in cases:
        await visitor.ws.send_str(frame)
        assert (await visitor.receive("error"))["error"] == error
    ack = await visitor.say("still here", "ok-1")
    assert ack["id"]


async def test_text_over_64kb_is_refused_with_its_size_and_nothing_is_stored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()
    await visitor.send({"type": "message", "text": "ب" * 40_000, "client_id": "big"})
    error = await visitor.receive("error")
    assert error["error"] == "message text is 80,000 bytes; the limit is 65,536 bytes"
    assert await hub.db[model.MESSAGES].count_documents({}) == 0
    assert (await visitor.say("small one", "small"))["id"]


async def test_agent_reply_over_64kb_gets_413(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "a@x.test")
    csrf = await login(http, base_url, "a@x.test")
    visitor = Visitor(http, base_url)
    await visitor.connect()
    ack = await visitor.say("hi", "1")
    message = await hub.db[model.MESSAGES].find_one({"_id": ObjectId(ack["id"])})
    assert message is not None
    async with http.post(f"{base_url}/api/v1/conversations/{message['conversation_id']}/messages",
                         json={"text": "x" * 70_000}, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 413
        assert "limit is 65,536 bytes" in (await r.json())["error"]


async def test_forged_and_expired_visitor_tokens_get_403_with_the_reason(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ws_url = base_url + "/webchat/ws"
    _, forged = issue("some-other-secret")
    _, expired = issue(hub.settings.ensure_secret_key(), now=time.time() - 400 * 86400)
    for token, reason in ((forged, "signature does not match"), (expired, "has expired"),
                          ("garbage", "is malformed")):
        async with http.get(ws_url, params={"token": token}) as r:
            assert r.status == 403
            assert reason in (await r.json())["error"]
    visitor = Visitor(http, base_url)
    assert (await visitor.connect())["token"]


async def test_unknown_and_malformed_conversation_ids_are_404(hub: Hub, base_url: str,
                                                               http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "a@x.test")
    csrf = await login(http, base_url, "a@x.test")
    for raw in (str(ObjectId()), "not-an-id", "../../etc"):
        async with http.get(f"{base_url}/api/v1/conversations/{raw}") as r:
            assert r.status == 404
            assert (await r.json())["error"] in ("conversation not found", "nothing here: check the address")
        async with http.post(f"{base_url}/api/v1/conversations/{raw}/assign", json={},
                             headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == 404
    async with http.get(f"{base_url}/inbox/c/{ObjectId()}") as r:
        assert r.status == 404
        assert "conversation not found" in await r.text()


async def test_state_changing_posts_without_csrf_token_are_refused(hub: Hub, base_url: str,
                                                                   http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "a@x.test")
    await login(http, base_url, "a@x.test")
    async with http.post(f"{base_url}/api/v1/conversations/{ObjectId()}/messages", json={"text": "x"}) as r:
        assert r.status == 403
        assert "security token" in (await r.json())["error"]
    async with http.post(f"{base_url}/logout", data={"_csrf": "wrong"}) as r:
        assert r.status == 403
    async with http.get(f"{base_url}/inbox") as r:  # still signed in: the forged logout did nothing
        assert r.status == 200 and "/login" not in str(r.url)


async def test_login_form_without_its_token_is_refused(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "a@x.test")
    async with http.post(f"{base_url}/login", data={"email": "a@x.test", "password": PASSWORD},
                         allow_redirects=False) as r:
        assert r.status == 403


async def test_wrong_password_gets_401_and_a_plain_message(hub: Hub, base_url: str,
                                                           http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "a@x.test")
    async with http.get(f"{base_url}/login") as r:
        import re

        token = re.search(r'name="_csrf" value="([^"]+)"', await r.text())
        assert token
    for email in ("a@x.test", "nobody@x.test"):
        async with http.post(f"{base_url}/login", data={"email": email, "password": "wrong", "_csrf": token.group(1)},
                             allow_redirects=False) as r:
            assert r.status == 401
            assert "Wrong email or password." in await r.text()
    assert await login(http, base_url, "a@x.test")


async def test_api_without_or_with_a_bad_token_gets_401(hub: Hub, base_url: str) -> None:
    async with aiohttp.ClientSession() as bare:
        async with bare.get(f"{base_url}/api/v1/conversations") as r:
            assert r.status == 401
            assert "API token" in (await r.json())["error"]
        for header in ("Bearer nope", "Basic abc", "Bearer "):
            async with bare.get(f"{base_url}/api/v1/conversations", headers={"Authorization": header}) as r:
                assert r.status == 401
                assert "missing, malformed or revoked" in (await r.json())["error"]
        async with bare.get(f"{base_url}/healthz") as r:
            assert r.status == 200


async def test_bad_api_bodies_and_filters_get_400(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "a@x.test")
    csrf = await login(http, base_url, "a@x.test")
    visitor = Visitor(http, base_url)
    await visitor.connect()
    ack = await visitor.say("hi", "1")
    message = await hub.db[model.MESSAGES].find_one({"_id": ObjectId(ack["id"])})
    assert message is not None
    url = f"{base_url}/api/v1/conversations/{message['conversation_id']}"
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    for body, error in (("{not json", "not valid JSON"), ("[1]", "must be a JSON object"),
                        ('{"text": 5}', "'text' is required"), ('{"text": "   "}', "the message is empty")):
        async with http.post(url + "/messages", data=body, headers=headers) as r:
            assert r.status == 400, body
            assert error in (await r.json())["error"]
    async with http.post(url + "/status", json={"status": "exploded"}, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 400
    async with http.get(f"{base_url}/api/v1/conversations?status=weird") as r:
        assert r.status == 400 and "unknown status" in (await r.json())["error"]
    async with http.get(f"{base_url}/api/v1/contacts?identity=nocolon") as r:
        assert r.status == 400 and "KIND:VALUE" in (await r.json())["error"]
    assert await hub.db[model.MESSAGES].count_documents({"direction": "in"}) == 1
