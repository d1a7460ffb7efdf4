"""`hub telegram set-webhook` and `hub telegram status`, run as the real command against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import SECRET, TOKEN
from tests.support.servers import VENV_BIN


async def hub_command(tmp_path: Path, api: FakeTelegramApi, *args: str, **env: str) -> tuple[int, str, str]:
    values = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
              "TELEGRAM_API_BASE": api.base_url, "HUB_PUBLIC_URL": "https://hub.example.com",
              "HUB_DATA_DIR": str(tmp_path), **env}
    process = await asyncio.create_subprocess_exec(
        str(VENV_BIN / "hub"), *args, env=values, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_set_webhook_registers_the_public_url_with_the_secret(
    tmp_path: Path, telegram_api: FakeTelegramApi
) -> None:
    code, out, err = await hub_command(tmp_path, telegram_api, "telegram", "set-webhook")
    assert code == 0, err
    assert "webhook set: https://hub.example.com/webhooks/telegram" in out
    assert telegram_api.webhook["url"] == "https://hub.example.com/webhooks/telegram"
    assert telegram_api.webhook["secret_token"] == SECRET
    assert telegram_api.webhook["allowed_updates"] == ["message", "edited_message", "callback_query"]


async def test_set_webhook_without_a_secret_says_what_is_missing_and_registers_nothing(
    tmp_path: Path, telegram_api: FakeTelegramApi
) -> None:
    code, _, err = await hub_command(tmp_path, telegram_api, "telegram", "set-webhook",
                                     TELEGRAM_WEBHOOK_SECRET="")
    assert code == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in err
    assert telegram_api.calls == []


async def test_status_shows_pending_updates_and_the_last_delivery_error(
    tmp_path: Path, telegram_api: FakeTelegramApi
) -> None:
    telegram_api.webhook = {"url": "https://hub.example.com/webhooks/telegram"}
    telegram_api.pending_update_count = 3
    telegram_api.last_error = (1764072000, "Wrong response from the webhook: 403 Forbidden")
    code, out, err = await hub_command(tmp_path, telegram_api, "telegram", "status")
    assert code == 0, err
    assert "pending updates:  3" in out
    assert "Wrong response from the webhook: 403 Forbidden" in out
    assert "points at us:     yes" in out


async def test_telegram_commands_without_a_token_say_so(tmp_path: Path, telegram_api: FakeTelegramApi) -> None:
    code, _, err = await hub_command(tmp_path, telegram_api, "telegram", "status", TELEGRAM_BOT_TOKEN="")
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in err


async def test_status_prints_no_token_even_when_the_webhook_url_holds_it(
    tmp_path: Path, telegram_api: FakeTelegramApi
) -> None:
    # Some set-ups register https://host/bot<TOKEN> as their webhook; the token must still not be shown.
    telegram_api.webhook = {"url": f"https://other.example.com/bot{TOKEN}"}
    telegram_api.last_error = (1764072000, f"Wrong response from https://other.example.com/bot{TOKEN}")
    code, out, err = await hub_command(tmp_path, telegram_api, "telegram", "status", HUB_LOG_LEVEL="debug")
    assert code == 0, err
    assert "webhook url:      https://other.example.com/bot[redacted]" in out
    secret_part = TOKEN.partition(":")[2]
    for text in (out, err):
        assert TOKEN not in text and secret_part not in text and SECRET not in text
