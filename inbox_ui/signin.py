"""Signing in and out of the inbox."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from hub import keys
from hub.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, login, set_session_cookie
from hub.store import users
from hub.web import read_body, render

routes = web.RouteTableDef()


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/inbox"


@routes.get("/")
async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/inbox" if request.get(keys.USER) else "/login")


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "next": _safe_next(request.query.get("next")),
                                              "error": None})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/login")
    return response


@routes.post("/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    hub = request.app[keys.HUB]
    form = await read_body(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, form.get("_csrf", "")):
        raise web.HTTPForbidden(text="the login form's security token is missing or stale; reload the page")
    result = await login(hub, str(form.get("email", "")), str(form.get("password", "")))
    if result is None:
        return render(request, "login.html", {"login_csrf": cookie, "next": _safe_next(form.get("next")),
                                              "error": "Wrong email or password."}, status=401)
    _user, session_id, _csrf = result
    response = web.HTTPFound(_safe_next(form.get("next")))
    set_session_cookie(response, session_id, hub.settings.effective_public_url().startswith("https"),
                       hub.settings.session_days)
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
