"""Accounts tests run with small limits so a run of failures is short: 2 free, waits capped at 8 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from hub.app import create_app
from hub.settings import Settings
from tests.conftest import make_settings

LIMITS: dict[str, object] = {"login_free_attempts": 2, "login_max_lock_seconds": 8.0}


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, **LIMITS)


@pytest.fixture
async def proxied_server(aiohttp_server, mongo_url: str, tmp_path: Path) -> TestServer:  # type: ignore[no-untyped-def]
    """A hub that believes X-Forwarded-For from 127.0.0.1, as one behind a local reverse proxy would."""
    settings = make_settings(mongo_url, tmp_path, trusted_proxies="127.0.0.1", **LIMITS)
    srv: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    return srv
