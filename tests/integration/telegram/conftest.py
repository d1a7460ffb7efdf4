"""A hub whose Telegram channel talks to a loopback fake Bot API, and helpers to post updates to it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from channels.telegram.settings import TelegramSettings
from hub.app import configure, create_app
from hub.settings import Settings
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "7123456789:AAHtest-token_for-the-fake-api"
BOT_ID = "7123456789"
SECRET = "s3cret-from_the-test"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "telegram"
CUSTOMER_ID = 5550001  # the sender in every fixture


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


@pytest.fixture
async def telegram_api(aiohttp_server) -> FakeTelegramApi:  # type: ignore[no-untyped-def]
    fake = FakeTelegramApi(TOKEN)
    srv: TestServer = await aiohttp_server(fake.app(), host="127.0.0.1")
    fake.base_url = str(srv.make_url("")).rstrip("/")
    return fake


def telegram_settings(api: FakeTelegramApi, **overrides: Any) -> TelegramSettings:
    values: dict[str, Any] = {"bot_token": TOKEN, "webhook_secret": SECRET,
                              "api_base": api.base_url}
    values.update(overrides)
    return TelegramSettings(_env_file=None, **values)


async def serve_with_telegram(aiohttp_server, settings: Settings,  # type: ignore[no-untyped-def]
                              telegram_api: FakeTelegramApi) -> TestServer:
    """A hub whose Telegram plugin talks to the fake Bot API."""
    app = create_app(configure(settings, telegram_settings(telegram_api)))
    srv: TestServer = await aiohttp_server(app, host="127.0.0.1")
    return srv


@pytest.fixture
async def server(aiohttp_server, settings: Settings, telegram_api: FakeTelegramApi) -> TestServer:  # type: ignore[no-untyped-def]
    return await serve_with_telegram(aiohttp_server, settings, telegram_api)


async def post_update(http: aiohttp.ClientSession, base_url: str, body: dict[str, Any] | str | bytes,
                      secret: str | None = SECRET) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    async with http.post(f"{base_url}/webhooks/telegram", data=data, headers=headers) as r:
        return r.status, await r.json()
