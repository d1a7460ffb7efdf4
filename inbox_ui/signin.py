"""Signing in and out of the inbox."""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from typing import Annotated, Any
from urllib.parse import unquote

from aiohttp import web
from pydantic import Field, PlainValidator

from hub import keys
from hub.access.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, login, set_session_cookie
from hub.access.signin_limits import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_DAYS,
    SignInAttempt,
    new_device_cookie,
)
from hub.errors import Throttled
from hub.http.request_models import RequestModel, parse_body
from hub.http.web import client_address, json_response, render, wants_json
from hub.store import users
from inbox_ui.terms import N_

routes = web.RouteTableDef()
WRONG = N_("Wrong email or password.")
_NEXT_LIMIT = 2000


def _visible(text: str) -> str:
    # Browsers drop tabs and newlines inside a URL and ignore leading spaces and control characters,
    # so "/\t/evil.example/" is "//evil.example/" to them: judge (and send) what they would see.
    return "".join(c for c in text if not c.isspace() and not unicodedata.category(c).startswith("C"))


def _same_site_path(text: str) -> bool:
    # "//host" and "/\\host" (browsers read "\\" as "/") name another site; a path names this one.
    return text == "/" or (text.startswith("/") and len(text) > 1 and text[1] not in "/\\")


def safe_next(value: object) -> str:
    """Where to go after signing in: a path on this site, or "/" for anything else."""
    if not isinstance(value, str) or not value or len(value) > _NEXT_LIMIT:
        return "/"
    candidate = _visible(value)
    decoded = candidate
    for _ in range(3):  # what a later decoding step (a proxy, the browser) could make of it
        if not _same_site_path(decoded):
            return "/"
        decoded = _visible(unquote(decoded))
    return candidate if _same_site_path(decoded) else "/"


@routes.get("/")
async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/inbox" if request.get(keys.USER) else "/login")


def _login_page(request: web.Request, token: str, next_path: str, error: str | None, status: int,
                email: str = "") -> web.Response:
    # After a failed attempt the email stays filled in (only the password is typed again).
    return render(request, "login.html", {"login_csrf": token, "next": next_path, "error": error,
                                          "email": email}, status=status)


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = _login_page(request, token, safe_next(request.query.get("next", "/inbox")), None, 200)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/login")
    return response


def _text_or_empty(value: object) -> str:
    # Anything but text counts as not filled in: the answer is the same "wrong email or password"
    # (or the CSRF refusal), so a probe learns nothing from the type it sent.
    return value if isinstance(value, str) else ""


LenientText = Annotated[str, PlainValidator(_text_or_empty)]


class SignInForm(RequestModel):
    email: LenientText = ""
    password: LenientText = ""
    csrf: LenientText = Field("", alias="_csrf")
    next: Any = "/inbox"  # safe_next keeps only a local path


@routes.post("/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    hub = request.app[keys.HUB]
    form = await parse_body(request, SignInForm)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), form.csrf.encode()):
        raise web.HTTPForbidden(text="the login form's security token is missing or stale; reload the page")
    next_path = safe_next(form.next)
    attempt = SignInAttempt(form.email, client_address(request), request.cookies.get(DEVICE_COOKIE))
    try:
        result = await login(hub, attempt, form.password)
    except Throttled as throttled:
        if wants_json(request):
            raise  # errors_middleware: {"error", "status": 429, "retry_after"} and Retry-After
        response = _login_page(request, cookie, next_path, throttled.message, throttled.status, form.email)
        response.headers.update(throttled.headers())
        return response
    if result is None:
        if wants_json(request):
            return json_response({"error": WRONG, "status": 401}, status=401)
        return _login_page(request, cookie, next_path, WRONG, 401, form.email)
    user, session_id, _csrf = result
    secure = hub.settings.effective_public_url().startswith("https")
    response = web.HTTPFound(next_path)
    set_session_cookie(response, session_id, secure, hub.settings.session_days)
    response.set_cookie(DEVICE_COOKIE, new_device_cookie(hub, str(user["email"]), attempt.device_cookie),
                        httponly=True, samesite="Strict", secure=secure, path="/login",
                        max_age=DEVICE_COOKIE_DAYS * 86400)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    hub = request.app[keys.HUB]
    session = request.get(keys.SESSION)
    if session:
        await users.delete_session(hub.db, session["_id"])
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response
