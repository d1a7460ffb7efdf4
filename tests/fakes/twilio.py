"""A loopback stand-in for Twilio: the Messages API (records what it receives, answers as told, keeps
the messages it created and lists them with Twilio's filters), the Content API's ContentAndApprovals list
(paginated the way Twilio pages it, from a recorded payload), the media host, plus Twilio's side of
webhooks (signing form posts with the auth token).

`delay_seconds` makes every create slow the way a loaded Twilio is: the message exists as soon as the
request arrives, the answer comes later (or never, if the caller dies waiting)."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "twilio"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"


def fixture(name: str, **substitutions: str) -> dict[str, str]:
    """A recorded Twilio payload; `{placeholders}` in values are filled in (media URLs, SIDs)."""
    data: dict[str, str] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    for placeholder, value in substitutions.items():
        data = {key: text.replace("{" + placeholder + "}", value) for key, text in data.items()}
    return data


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


async def post_signed(http: aiohttp.ClientSession, base_url: str, public_url: str, path: str,
                      params: dict[str, str], *, token: str = AUTH_TOKEN, signed_url: str | None = None,
                      body: bytes | None = None) -> tuple[int, str]:
    """POST like Twilio does: form-encoded, signed for the public URL (not the loopback one we hit)."""
    signature = sign(signed_url or public_url + path, params, token)
    data = body if body is not None else urlencode(params).encode()
    async with http.post(base_url + path, data=data, headers={
        "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": "TwilioProxy/1.1",
    }) as response:
        return response.status, await response.text()


@dataclass
class Recorded:
    path: str
    form: dict[str, str]
    auth: tuple[str, str] | None


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    after_create: bool = False  # the message is made, then this error is the answer


def _day(value: str) -> date | None:
    """DateSent values: YYYY-MM-DD as documented, or the ISO datetime twilio-python sends."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


class FakeTwilio:
    def __init__(self) -> None:
        self.delay_seconds = 0.0
        self.created: list[dict[str, Any]] = []  # every Message resource made, oldest first
        self.list_requests: list[dict[str, str]] = []
        self.requests: list[Recorded] = []
        self.media_requests: list[Recorded] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.redirects: dict[str, str] = {}
        self.answers: list[Answer] = []
        # ContentAndApprovals: the recorded page's templates, served at most `content_page_limit` a page.
        self.contents: list[dict[str, Any]] = json.loads(
            (FIXTURES / "api_content_and_approvals.json").read_text(encoding="utf-8"))["contents"]
        self.content_page_limit = 1000
        self.content_requests: list[dict[str, str]] = []
        self.content_status: int | None = None  # answer every ContentAndApprovals request with this error
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> FakeTwilio:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create_message)
        app.router.add_get("/2010-04-01/Accounts/{account}/Messages.json", self._list_messages)
        app.router.add_get("/v1/ContentAndApprovals", self._content_and_approvals)
        app.router.add_get("/media/{name}", self._media)
        app.router.add_get("/redirect/{name}", self._redirect)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests tell it ------------------------------------------------------------------------

    def answer_next(self, status: int, code: int | None = None, message: str = "", retry_after: str | None = None,
                    *, after_create: bool = False) -> None:
        """The next Messages API call gets this error, as Twilio words its errors; with `after_create`
        the message is made all the same (a 5xx that hides a success)."""
        body: dict[str, Any] = {"code": code, "message": message, "more_info":
                                f"https://www.twilio.com/docs/errors/{code}", "status": status}
        self.answers.append(Answer(status, body, {"Retry-After": retry_after} if retry_after else {}, after_create))

    def serve_media(self, name: str, data: bytes, content_type: str) -> str:
        self.media[name] = (data, content_type)
        return f"{self.base_url}/media/{name}"

    def redirect_media(self, name: str, location: str) -> str:
        self.redirects[name] = location
        return f"{self.base_url}/redirect/{name}"

    async def wait_for_requests(self, count: int, timeout: float = 10) -> list[Recorded]:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.requests) >= count), timeout)
        return self.requests

    # --- Twilio's side -----------------------------------------------------------------------------

    @staticmethod
    def _auth(request: web.Request) -> tuple[str, str] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user, password

    async def _create_message(self, request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        auth = self._auth(request)
        async with self._arrived:
            self.requests.append(Recorded(request.path, form, auth))
            self._arrived.notify_all()
        if auth != (request.match_info["account"], AUTH_TOKEN):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None and not answer.after_create:
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        created = json.loads((FIXTURES / "api_message_created.json").read_text(encoding="utf-8"))
        now = format_datetime(datetime.now(UTC).replace(microsecond=0), usegmt=False)
        media = [v for k, v in (await request.post()).items() if k == "MediaUrl"]
        created.update(sid="SM" + uuid.uuid4().hex, to=form.get("To"), body=form.get("Body", ""),
                       account_sid=request.match_info["account"], date_created=now, date_updated=now,
                       num_media=str(len(media)),
                       **{"from": form.get("From"), "messaging_service_sid": form.get("MessagingServiceSid")})
        self.created.append({**created, "date_sent": now, "status": "sent"})
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if answer is not None:
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        return web.json_response(created, status=201)

    def created_bodies(self) -> list[str]:
        return [str(m["body"]) for m in self.created]

    async def _list_messages(self, request: web.Request) -> web.Response:
        """Messages list as Twilio filters it: To, From, DateSent (also DateSent< and DateSent>, each
        on and before / on and after that day, GMT), newest first, PageSize per page."""
        query = dict(request.query)
        self.list_requests.append(query)
        if self._auth(request) != (request.match_info["account"], AUTH_TOKEN):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        found = list(reversed(self.created))
        if "To" in query:
            found = [m for m in found if m["to"] == query["To"]]
        if "From" in query:
            found = [m for m in found if m["from"] == query["From"]]
        for name, keep in (("DateSent", lambda d, x: d == x), ("DateSent<", lambda d, x: d <= x),
                           ("DateSent>", lambda d, x: d >= x)):
            if name in query:
                wanted = _day(query[name])
                found = [m for m in found if m.get("date_sent") and wanted is not None
                         and keep(datetime.strptime(m["date_sent"], "%a, %d %b %Y %H:%M:%S %z").date(), wanted)]
        size = min(int(query.get("PageSize", "50")), 1000)
        uri = request.path_qs
        return web.json_response({"messages": found[:size], "first_page_uri": uri, "next_page_uri": None,
                                  "previous_page_uri": None, "page": 0, "page_size": size, "start": 0,
                                  "end": max(min(size, len(found)) - 1, 0), "uri": uri})

    async def _content_and_approvals(self, request: web.Request) -> web.Response:
        """Twilio's Content API list: PageSize (at most 1000) and Page, with `meta.next_page_url` absolute."""
        query = dict(request.query)
        self.content_requests.append(query)
        if self._auth(request) != (ACCOUNT_SID, AUTH_TOKEN):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        if self.content_status is not None:
            return web.json_response({"code": 20500, "message": "Internal Server Error",
                                      "status": self.content_status}, status=self.content_status)
        size = min(int(query.get("PageSize", "50")), 1000, self.content_page_limit)
        page = int(query.get("Page", "0"))
        found = self.contents[page * size:(page + 1) * size]
        base = f"{self.base_url}/v1/ContentAndApprovals"
        more = (page + 1) * size < len(self.contents)
        return web.json_response({"contents": found, "meta": {
            "page": page, "page_size": size, "first_page_url": f"{base}?PageSize={size}&Page=0",
            "previous_page_url": f"{base}?PageSize={size}&Page={page - 1}" if page else None,
            "url": f"{base}?PageSize={size}&Page={page}",
            "next_page_url": f"{base}?PageSize={size}&Page={page + 1}&PageToken=PT{page + 1}" if more else None,
            "key": "contents"}})

    async def _media(self, request: web.Request) -> web.Response:
        self.media_requests.append(Recorded(request.path, {}, self._auth(request)))
        found = self.media.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        if self._auth(request) != (ACCOUNT_SID, AUTH_TOKEN):
            raise web.HTTPUnauthorized()
        data, content_type = found
        return web.Response(body=data, content_type=content_type)

    async def _redirect(self, request: web.Request) -> web.Response:
        self.media_requests.append(Recorded(request.path, {}, self._auth(request)))
        raise web.HTTPTemporaryRedirect(self.redirects[request.match_info["name"]])
