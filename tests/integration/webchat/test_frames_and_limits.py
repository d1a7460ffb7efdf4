"""Whatever a visitor's socket sends, the answer is a frame (never a traceback, never an HTTP 500 in
the upgraded socket), and a visitor sending too fast is told so; nothing is stored then."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hub import names as model
from hub import webchat_visitor as views
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import messages
from tests.conftest import make_settings
from tests.support.agents import Visitor


async def test_a_frame_nested_100000_deep_gets_an_error_frame_and_the_socket_keeps_working(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()
    assert visitor.ws is not None
    for deep in ("[" * 100_000 + "]" * 100_000, '{"type": "message", "text": ' + "[" * 50 + "]" * 50 + "}",
                 '{"a":' * 5_000 + "1" + "}" * 5_000):
        await visitor.ws.send_str(deep)
        assert (await visitor.receive("error"))["error"] == "the frame is nested too deeply"
    assert (await visitor.say("still here", "ok-1"))["id"]


async def test_lone_surrogates_are_stored_as_replacement_characters(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()
    assert visitor.ws is not None
    await visitor.ws.send_str('{"type": "message", "text": "broken \\ud800 text \\udfff", "client_id": "s\\udc00"}')
    ack = await visitor.receive("ack")
    assert ack["client_id"] == "s\ufffd"
    stored = await hub.db[model.MESSAGES].find_one({})
    assert stored is not None and stored["text"] == "broken \ufffd text \ufffd"
    await visitor.ws.send_str('{"type": "identify", "name": "\\ud83d", "email": null}')
    assert (await visitor.receive("identified"))["name"] == "\ufffd"
    await visitor.ws.send_str('{"type": "\\ud800"}')
    assert (await visitor.receive("error"))["error"] == "unknown frame type '\ufffd'"


@pytest.mark.parametrize("frame", ["null", "42", '"text"', "[]", "true", "1e999999", "9" * 5000, "{", ""])
async def test_frames_that_are_not_json_objects_get_an_error_frame(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, frame: str
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()
    assert visitor.ws is not None
    await visitor.ws.send_str(frame)
    assert (await visitor.receive("error"))["error"] == "frames must be JSON objects"
    await visitor.send({"type": "ping"})
    await visitor.receive("pong")


async def test_a_failure_after_the_upgrade_is_an_error_frame_and_a_clean_close(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(messages, "contact_history", broken)  # a test-only fault after the upgrade
    visitor = Visitor(http, base_url)
    welcome = await visitor.connect()  # no history yet, so no read: works
    await visitor.say("hello", "h-1")
    ws = await http.ws_connect(f"{base_url.replace('http', 'ws')}/webchat/ws?token={welcome['token']}")
    first = await ws.receive(timeout=10)
    assert first.type == WSMsgType.TEXT
    assert json.loads(first.data) == {"type": "error", "code": "internal",
                                      "error": "The chat hit a problem on our side; it will reconnect."}
    closing = await ws.receive(timeout=10)
    assert closing.type == WSMsgType.CLOSE and closing.data == aiohttp.WSCloseCode.INTERNAL_ERROR
    await ws.close()


async def test_a_failure_while_handling_one_frame_answers_that_frame_and_keeps_the_socket(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "claim", broken)
    await visitor.send({"type": "identify", "email": "a@example.com", "client_id": "i-1"})
    failed = await visitor.receive("error")
    assert failed["error"] == "Something went wrong on our side; please send that again."
    assert (await visitor.say("after the failure", "h-2"))["id"]


# Text with lone surrogates half the time (json.dumps writes them as \udXXX escapes); hypothesis alone
# almost never draws one.
ANY_TEXT = st.tuples(st.text(max_size=12), st.sampled_from(["", "\ud800", "\udfff", "\udc00x\ud83d"]),
                     st.text(max_size=12)).map("".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4),
    max_leaves=12,
)
FRAME_TYPES = st.sampled_from(["message", "identify", "verify_start", "verify_code", "ping", "x", ""])
FIELD_VALUES = st.one_of(ANY_TEXT, ANY_TEXT, JSON_VALUES)  # mostly text, where the fields want text
FIELDS = ("text", "client_id", "email", "name", "code", "identifier", "identifier_hash")
TYPED_FRAMES = st.fixed_dictionaries({"type": FRAME_TYPES}, optional=dict.fromkeys(FIELDS, FIELD_VALUES)).flatmap(
    lambda d: st.dictionaries(ANY_TEXT, JSON_VALUES, max_size=2).map(lambda extra: {**extra, **d}))
FRAMES = st.one_of(st.text(max_size=200), JSON_VALUES.map(json.dumps), TYPED_FRAMES.map(json.dumps),
                   TYPED_FRAMES.map(json.dumps), TYPED_FRAMES.map(json.dumps))
INTERNAL_FAILURE = "Something went wrong on our side; please send that again."
ANSWERS = {"error", "ack", "pong", "identified", "verify_sent", "verified"}


@pytest.fixture
def property_settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, visitor_burst=100_000, visitor_per_second=1000.0)


async def test_any_json_value_or_text_as_a_frame_gets_an_answer_and_the_socket_stays_open(
    aiohttp_server: Any, property_settings: Settings, http: aiohttp.ClientSession
) -> None:
    from hub.app import create_app

    server = await aiohttp_server(create_app(property_settings), host="127.0.0.1")
    base_url = str(server.make_url("")).rstrip("/")
    visitor = Visitor(http, base_url)
    await visitor.connect()
    assert visitor.ws is not None
    ws = visitor.ws
    loop = asyncio.get_running_loop()

    async def exchange(frame: str) -> tuple[dict[str, Any], bool]:
        await ws.send_str(frame)
        while True:
            answer = json.loads((await ws.receive(timeout=10)).data)
            if answer["type"] != "welcome":  # a successful verification sends a fresh welcome after it
                return answer, ws.closed

    @hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(FRAMES)
    def every_frame_gets_an_answer(frame: str) -> None:
        answer, closed = asyncio.run_coroutine_threadsafe(exchange(frame), loop).result(timeout=30)
        assert answer["type"] in ANSWERS, (frame, answer)
        # A deliberate answer: the catch-all for unexpected failures must not be what answered.
        assert answer.get("error") != INTERNAL_FAILURE, frame
        assert answer.get("code") != "internal", (frame, answer)  # the socket-level catch-all, which closes
        assert not closed

    await asyncio.to_thread(every_frame_gets_an_answer)
    assert (await visitor.say("still open", "end"))["id"]
