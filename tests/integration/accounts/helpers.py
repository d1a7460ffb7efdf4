"""Signing in by hand (to see refusals, not just successes) and moving a throttle's clock."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import aiohttp

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store.db import Doc


class SignIn:
    """The sign-in form of one browser: fetches the form's token once, then posts attempts."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base, self.token = http, base, ""

    async def attempt(self, email: str, password: str, *, forwarded_for: str | None = None,
                      as_json: bool = False, next_path: str = "/inbox") -> tuple[int, dict[str, str], Any]:
        if not self.token:
            async with self.http.get(f"{self.base}/login") as r:
                # The last one: a signed-in page also holds the sign-out form's token, in the header.
                found = re.findall(r'name="_csrf" value="([^"]+)"', await r.text())
                assert found
                self.token = found[-1]
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        fields = {"email": email, "password": password, "_csrf": self.token, "next": next_path}
        if as_json:
            headers["Accept"] = "application/json"
            request = self.http.post(f"{self.base}/login", json=fields, headers=headers, allow_redirects=False)
        else:
            request = self.http.post(f"{self.base}/login", data=fields, headers=headers, allow_redirects=False)
        async with request as r:
            body = await r.json() if as_json and r.content_type == "application/json" else await r.text()
            if r.status == 302:
                self.token = ""  # a sign-in spends the form's token; the next attempt fetches the form again
            return r.status, dict(r.headers), body


async def record(hub: Hub, key: str) -> Doc | None:
    return await hub.db[model.THROTTLES].find_one({"_id": key})


async def imposed_wait(hub: Hub, key: str) -> float:
    """The wait the last failure under `key` imposed, in seconds (0.0: none)."""
    found = await record(hub, key)
    if not found or found.get("wait_until") is None or found["wait_until"] < found["last_at"]:
        return 0.0
    return float((found["wait_until"] - found["last_at"]).total_seconds())


async def let_wait_pass(hub: Hub, key: str) -> None:
    """As if the wait had run out: move its end into the past (the record, failures and all, stays)."""
    await hub.db[model.THROTTLES].update_one({"_id": key, "wait_until": {"$ne": None}},
                                             {"$set": {"wait_until": utcnow() - timedelta(seconds=1)}})


async def make_wait(hub: Hub, key: str, seconds: float) -> None:
    """As if a long run of failures were in progress: a wait that ends `seconds` from now."""
    await hub.db[model.THROTTLES].update_one(
        {"_id": key}, {"$set": {"wait_until": utcnow() + timedelta(seconds=seconds), "last_at": utcnow()},
                       "$setOnInsert": {"failures": 100, "expires_at": utcnow() + timedelta(hours=1)}},
        upsert=True)
