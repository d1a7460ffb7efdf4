"""The account's approved WhatsApp templates, from Twilio's Content API (ContentAndApprovals), kept for a
while per process: the composer lists them on every conversation outside the 24-hour window, and the list
changes only when someone gets a new template approved."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from channels.twilio.settings import TwilioSettings

log = logging.getLogger(__name__)

PAGE_SIZE = 100
# A listing longer than this many pages is a loop (a next_page_url pointing back), not an account.
MAX_PAGES = 50
REQUEST_TIMEOUT = 10.0
# What of a template the customer reads, top to bottom (a card has a title above its body).
BODY_FIELDS = ("title", "body")


class TemplatesUnavailable(Exception):
    """The list could not be had; the message says why in words an agent can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TemplateVariable:
    key: str
    sample: str


@dataclass(frozen=True)
class Template:
    sid: str
    name: str
    language: str
    body: str
    variables: tuple[TemplateVariable, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"sid": self.sid, "name": self.name, "language": self.language, "body": self.body,
                "variables": [{"key": v.key, "sample": v.sample} for v in self.variables]}


def _approval_status(content: Mapping[str, Any]) -> str:
    """WhatsApp's verdict: ContentAndApprovals puts it in `approval_requests` (flat), the approval fetch
    endpoint under `whatsapp`; either is read."""
    found = content.get("approval_requests")
    if not isinstance(found, dict):
        return ""
    if isinstance(found.get("whatsapp"), dict):
        found = found["whatsapp"]
    return str(found.get("status") or "").strip().lower()


def _body(types: object) -> str:
    if not isinstance(types, dict):
        return ""
    ordered = sorted(types.items(), key=lambda item: item[0] != "twilio/text")  # plain text first
    for _, value in ordered:
        if isinstance(value, dict):
            parts = [text for name in BODY_FIELDS if isinstance(text := value.get(name), str) and text.strip()]
            if parts:
                return "\n".join(parts)
    return ""


def _variable_order(key: str) -> tuple[int, int, str]:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def parse_template(content: object) -> Template | None:
    """One ContentAndApprovals entry as a template the composer can offer; None unless WhatsApp approved it."""
    if not isinstance(content, dict) or _approval_status(content) != "approved":
        return None
    sid = content.get("sid")
    if not isinstance(sid, str) or not sid:
        return None
    raw_variables = content.get("variables")
    variables = raw_variables if isinstance(raw_variables, dict) else {}
    return Template(
        sid=sid, name=str(content.get("friendly_name") or sid), language=str(content.get("language") or ""),
        body=_body(content.get("types")),
        variables=tuple(TemplateVariable(str(k), "" if v is None else str(v))
                        for k, v in sorted(variables.items(), key=lambda kv: _variable_order(str(kv[0])))))


class ContentTemplates:
    """Lists approved templates, then answers from memory for `templates_cache_seconds`."""

    def __init__(self, settings: TwilioSettings, *, page_size: int = PAGE_SIZE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.page_size = page_size
        self.clock = clock
        self._cached: tuple[float, list[Template]] | None = None
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def approved(self, *, refresh: bool = False) -> list[Template]:
        async with self._lock:  # one listing at a time: ten agents opening the composer make one request
            cached = self._cached
            fresh = cached is not None and self.clock() - cached[0] < self.settings.templates_cache_seconds
            if cached is not None and fresh and not refresh:
                return cached[1]
            try:
                found = await self._list_all()
            except TemplatesUnavailable as exc:
                if cached is None or refresh:
                    raise
                # An expired list still beats none while Twilio is away; Refresh says the truth.
                log.warning("twilio templates not refreshed, serving the older list: %s", exc.message)
                return cached[1]
            self._cached = (self.clock(), found)
            return found

    async def _list_all(self) -> list[Template]:
        root = self.settings.content_root
        url: str | None = f"{root}/v1/ContentAndApprovals?PageSize={self.page_size}"
        found: list[Template] = []
        pages = 0
        while url and pages < MAX_PAGES:
            payload = await self._page(url)
            pages += 1
            contents = payload.get("contents")
            if not isinstance(contents, list):
                raise TemplatesUnavailable("Twilio's Content API answered without a list of templates.")
            found.extend(t for t in map(parse_template, contents) if t is not None)
            meta = payload.get("meta")
            url = meta.get("next_page_url") if isinstance(meta, dict) else None
            if url is not None and not (isinstance(url, str) and url.startswith(root + "/")):
                # The account's credentials go with each page: never to a host other than the one configured.
                log.warning("twilio templates: next page on another host ignored url=%.200s", url)
                url = None
        found.sort(key=lambda t: (t.name.casefold(), t.language))
        return found

    async def _page(self, url: str) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        auth = aiohttp.encode_basic_auth(self.settings.account_sid, self.settings.auth_token)
        try:
            async with self._session.get(url, headers={"Authorization": auth,
                                                       "Accept": "application/json"}) as response:
                text = await response.text(errors="replace")
                status = response.status
        except TimeoutError as exc:
            raise TemplatesUnavailable("Twilio's Content API did not answer in time, so the approved templates "
                                       "cannot be listed; try Refresh in a moment.") from exc
        except aiohttp.ClientError as exc:
            raise TemplatesUnavailable(f"Could not reach Twilio's Content API ({type(exc).__name__}) to list the "
                                       "approved templates; try Refresh in a moment.") from exc
        if status in (401, 403):
            raise TemplatesUnavailable(f"Twilio refused to list the templates (HTTP {status}): check "
                                       "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
        if status >= 400:
            raise TemplatesUnavailable(f"Twilio's Content API answered HTTP {status} when listing the approved "
                                       "templates; try Refresh in a moment.")
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise TemplatesUnavailable("Twilio's Content API answered with something that is not a template list.")
        return payload
