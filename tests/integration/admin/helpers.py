"""Acting as an admin (or anyone) over the hub's real HTTP API with the session's CSRF token."""

from __future__ import annotations

from typing import Any

import aiohttp

from hub.runtime import Hub
from tests.support.agents import login, make_user


class Client:
    def __init__(self, http: aiohttp.ClientSession, base: str, csrf: str) -> None:
        self.http, self.base, self.csrf = http, base, csrf

    async def call(self, method: str, path: str, body: Any = None, *, text: str | None = None,
                   content_type: str = "application/yaml") -> tuple[int, Any]:
        headers = {"X-CSRF-Token": self.csrf, "Accept": "application/json"}
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        if text is not None:
            kwargs = {"data": text.encode(), "headers": {**headers, "Content-Type": content_type}}
        else:
            kwargs["headers"] = headers
        async with self.http.request(method, f"{self.base}{path}", **kwargs) as r:
            try:
                return r.status, await r.json(content_type=None)
            except ValueError:
                return r.status, await r.text()

    async def page(self, path: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}{path}") as r:
            return r.status, await r.text()


async def signed_in(hub: Hub, http: aiohttp.ClientSession, base: str, email: str, role: str = "admin",
                    departments: tuple[str, ...] = ("Support",)) -> Client:
    await make_user(hub.db, email, role=role, departments=departments)
    return Client(http, base, await login(http, base, email))
