"""Failure counters that slow guessing, and which address a request comes from."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import make_mocked_request
from pydantic import ValidationError

from hub import keys
from hub.clock import utcnow
from hub.http.web import client_address
from hub.settings import Settings
from hub.store import throttle
from hub.store.db import connect


async def test_failures_are_free_then_waits_double_and_expire(mongo_url: str) -> None:
    client, db = connect(mongo_url, "t_throttle_unit")
    try:
        now = utcnow()
        waits = [await throttle.failure(db, "k", now, free=3, base_wait=1.0, max_wait=4.0) for _ in range(6)]
        assert waits == [0.0, 0.0, 0.0, 1.0, 2.0, 4.0]
        assert await throttle.check(db, "k", now) == 4.0
        assert await throttle.check(db, "k", now + timedelta(seconds=5)) == 0.0
        await throttle.success(db, "k")
        assert await throttle.check(db, "k", now) == 0.0
        assert await throttle.failure(db, "k", now, free=3) == 0.0
    finally:
        await client.drop_database("t_throttle_unit")
        await client.close()


async def test_hit_allows_limit_per_window_then_says_how_long(mongo_url: str) -> None:
    client, db = connect(mongo_url, "t_throttle_hit")
    try:
        now = utcnow()
        results = [await throttle.hit(db, "codes:a", now, limit=2, window=3600) for _ in range(4)]
        assert results[:2] == [0.0, 0.0]
        assert 0 < results[2] <= 3600 and results[3] == results[2]
    finally:
        await client.drop_database("t_throttle_hit")
        await client.close()


def _request(peer: str, forwarded: str | None, trusted: str):  # type: ignore[no-untyped-def]
    from aiohttp import web

    app = web.Application()
    app[keys.SETTINGS] = Settings(_env_file=None, trusted_proxies=trusted)  # type: ignore[call-arg]
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("GET", "/", headers=headers, app=app)
    return request.clone(remote=peer)


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    assert client_address(_request("203.0.113.9", "1.2.3.4", "")) == "203.0.113.9"
    assert client_address(_request("203.0.113.9", "1.2.3.4", "10.0.0.0/8")) == "203.0.113.9"
    assert client_address(_request("10.0.0.2", "1.2.3.4", "10.0.0.0/8")) == "1.2.3.4"
    # A client cannot hide behind an address it prepends itself: the nearest untrusted hop counts.
    assert client_address(_request("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.3", "10.0.0.0/8")) == "1.2.3.4"


def test_a_trusted_proxy_that_is_not_an_address_stops_the_hub_at_start_with_a_sentence(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValidationError, match=re.escape("'10.0.0.300' is not an IP address or a CIDR range")):
        Settings(_env_file=None, trusted_proxies="10.0.0.0/8, 10.0.0.300")  # type: ignore[call-arg]
    from hub.cli.main import main

    monkeypatch.setenv("HUB_TRUSTED_PROXIES", "proxy.internal")
    assert main(["seed-demo"]) == 2
    assert "HUB_TRUSTED_PROXIES: 'proxy.internal' is not an IP address" in capsys.readouterr().err
