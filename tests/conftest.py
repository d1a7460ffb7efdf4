"""Shared fixtures: one embedded database server per test session, a database per test, real hubs."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from hub import keys
from hub.app import create_app
from hub.context import Hub
from hub.settings import Settings
from tests.support.servers import DatabaseProcess


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("HUB_TEST_MONGO_URL")
    if given:
        yield given
        return
    server = DatabaseProcess(tmp_path_factory.mktemp("secantus"))
    yield server.url
    server.stop()


def make_settings(mongo_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "mongo_url": mongo_url, "db_name": f"t_{uuid.uuid4().hex[:12]}", "data_dir": data_dir,
        "secret_key": "test-secret-key", "outbox_poll_seconds": 0.2, "outbox_backoff_seconds": 0.05,
        "outbox_lease_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path)


@pytest.fixture
async def server(aiohttp_server, settings: Settings) -> TestServer:  # type: ignore[no-untyped-def]
    srv: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    return srv


@pytest.fixture
def hub(server: TestServer) -> Hub:
    return server.app[keys.HUB]


@pytest.fixture
def base_url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@pytest.fixture
async def http2() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session
