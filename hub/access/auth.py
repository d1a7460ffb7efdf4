"""Who is asking: login sessions (server-side, in MongoDB), bearer tokens, CSRF, roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aiohttp import web

from hub import keys
from hub.access import signin_limits
from hub.access.passwords import verify_password
from hub.access.signin_limits import SignInAttempt
from hub.clock import utcnow
from hub.http.web import Handler, error_response, read_form
from hub.store import users
from hub.store.db import Doc

if TYPE_CHECKING:  # annotations only: the running hub sits above this layer
    from hub.runtime import Hub

SESSION_COOKIE = "hub_session"
LOGIN_CSRF_COOKIE = "hub_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "_csrf"
# Visitors (signed token) and providers (signatures) authenticate themselves; no cookies involved.
# /csat/ is the email survey's page: its signed token says what it may rate (inbox_ui/survey_page.py).
CSRF_EXEMPT_PREFIXES = ("/webhooks/", "/webchat/", "/csat/")
# /media/ links carry their own signature (hub.media), for providers that fetch a reply's files.
PUBLIC_PREFIXES = ("/login", "/static/", "/healthz", "/readyz", "/webhooks/", "/webchat/", "/widget.", "/chat",
                   "/favicon", "/media/", "/csat/")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_token() -> str:
    return "hub_" + secrets.token_urlsafe(32)


async def login(hub: Hub, attempt: SignInAttempt, password: str) -> tuple[Doc, str, str] | None:
    """Check the password; on success a fresh session id (never the old one) and its CSRF token.

    Raises Throttled while earlier failures for this account or address ask to wait; the
    password is not even looked at then (hub/access/signin_limits.py)."""
    await signin_limits.check(hub, attempt)
    user = await users.user_by_email(hub.db, attempt.email)
    right = await verify_password(user.get("password_hash") if user else None, password)
    if not right or user is None or user.get("deactivated_at") is not None:
        await signin_limits.failed(hub, attempt)
        return None
    await signin_limits.succeeded(hub, attempt)
    session_id, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), utcnow()
    await users.create_session(hub.db, session_id, user["_id"], csrf, now,
                               now + timedelta(days=hub.settings.session_days))
    return user, session_id, csrf


def set_session_cookie(response: web.StreamResponse, session_id: str, secure: bool, days: int) -> None:
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="Lax", secure=secure,
                        max_age=days * 86400, path="/")


def bearer_token_hash(request: web.Request) -> str | None:
    """The hash of the request's bearer token; "" for an Authorization header that holds none; None
    when the request sends no Authorization header (a browser, signed in by cookie or not at all)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return token_hash(token) if token else ""


def usable_user(user: Doc | None) -> Doc | None:
    """`user` fit to act (without the password hash), or None when there is none or they are deactivated."""
    if user is None or user.get("deactivated_at") is not None:
        return None  # deactivation also deletes sessions and tokens; this covers one racing with it
    user.pop("password_hash", None)
    return user


@dataclass(frozen=True)
class Asker:
    """Who a request is from. `user` is None when no one usable is signed in; `session` is None for a
    bearer token; `bad_token` is an Authorization header whose token names no user (a 401 at once)."""

    user: Doc | None = None
    session: Doc | None = None
    bad_token: bool = False


async def signed_in(hub: Hub, request: web.Request) -> Asker:
    """The request's session cookie or bearer token, and its user, as the database has them now."""
    hashed = bearer_token_hash(request)
    if hashed is not None:
        record = await users.api_token(hub.db, hashed) if hashed else None
        user = await users.user(hub.db, record["user_id"]) if record else None
        return Asker(user=usable_user(user), bad_token=user is None)
    session_id = request.cookies.get(SESSION_COOKIE)
    session = await users.session(hub.db, session_id, utcnow()) if session_id else None
    user = await users.user(hub.db, session["user_id"]) if session is not None else None
    return Asker(user=usable_user(user), session=session) if user is not None else Asker()


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    asker = await signed_in(request.app[keys.HUB], request)
    if asker.bad_token:
        return error_response(request, 401, "the API token is missing, malformed or revoked")
    user, session = asker.user, asker.session
    if session is not None:
        request[keys.SESSION] = session
    if user is not None:
        request[keys.USER] = user
    path = request.path
    if user is None and not path.startswith(PUBLIC_PREFIXES) and path != "/":
        if path.startswith("/api/"):
            return error_response(request, 401, "sign in or send an API token (Authorization: Bearer ...)")
        raise web.HTTPFound("/login?" + urlencode({"next": request.rel_url.path_qs})
                            if request.method == "GET" else "/login")
    # The sign-in form checks its own token (a signed-in browser may sign in again, e.g. as someone else).
    if session is not None and request.method in UNSAFE_METHODS and not path.startswith(CSRF_EXEMPT_PREFIXES) \
            and path != "/login":
        await _check_csrf(request)
    return await handler(request)


async def _check_csrf(request: web.Request) -> None:
    expected = request[keys.SESSION]["csrf"]
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await read_form(request)  # aiohttp caches the form, so the handler can still read it
        value = form.get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    if not given or not hmac.compare_digest(given, expected):
        raise web.HTTPForbidden(text="the form's security token is missing or stale; reload the page and try again")


def current_user(request: web.Request) -> Doc:
    user: Doc | None = request.get(keys.USER)
    if user is None:
        raise web.HTTPUnauthorized(text="sign in first")
    return user


def require_role(request: web.Request, *roles: str) -> Doc:
    user = current_user(request)
    if user.get("role") not in roles:
        raise web.HTTPForbidden(text=f"this needs the {' or '.join(roles)} role")
    return user


