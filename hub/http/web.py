"""HTTP plumbing shared by every view: JSON, errors, security headers, template rendering."""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from bson import ObjectId
from multidict import MultiDictProxy

from channels.base import ChannelInputError, without_surrogates
from hub import keys
from hub.db.health import RETRY_AFTER_SECONDS, health_of, is_outage
from hub.errors import HubError
from hub.http import json_body, languages
from hub.settings import Network

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _default(value: Any) -> Any:
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(data: Any) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps)


def error_response(request: web.Request, status: int, message: str,
                   details: dict[str, object] | None = None) -> web.Response:
    """JSON `{"error", "status", ...details}` (a 400 adds "field" and "fields"), or the error page."""
    if wants_json(request):
        return json_response({"error": message, "status": status, **(details or {})}, status=status)
    text = render(request, "error.html", {"status": status, "message": message}).text or message
    return web.Response(text=text, status=status, content_type="text/html")


def wants_json(request: web.Request) -> bool:
    return request.path.startswith(("/api/", "/webchat/", "/webhooks/")) or (
        "application/json" in request.headers.get("Accept", "") and "text/html" not in request.headers.get(
            "Accept", "")
    )


def render(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    env = request.app[keys.JINJA]
    user = request.get(keys.USER)
    language = languages.chosen(user, request.headers.get("Accept-Language"))
    catalogues = request.app.get(keys.CATALOGUES) or languages.Catalogues({})
    # `_` goes in with this render's context (not the shared environment's globals), so concurrent
    # requests in different languages never see each other's.
    translate = catalogues.translator(language.code)
    base: dict[str, Any] = {"request": request, "user": user,
                            "csrf": (request.get(keys.SESSION) or {}).get("csrf", ""),
                            "_": translate, "language": language, "languages": languages.LANGUAGES}
    labels = env.globals.get("CHANNEL_LABELS")
    if language is not languages.ENGLISH and isinstance(labels, dict):  # "Web chat", "SMS", ...
        base["CHANNEL_LABELS"] = {name: translate(str(label)) for name, label in labels.items()}
    html = env.get_template(template).render({**base, **context})
    return web.Response(text=html, status=status, content_type="text/html")


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except HubError as exc:
        response = error_response(request, exc.status, exc.message, exc.details())
        response.headers.update(exc.headers())  # Retry-After for Throttled
        return response
    except ChannelInputError as exc:
        return error_response(request, exc.status, exc.message)
    except web.HTTPRedirection:
        raise
    except web.HTTPException as exc:
        if exc.status >= 400:
            text = exc.text or exc.reason
            if text == f"{exc.status}: {exc.reason}":  # aiohttp's default body says nothing useful
                text = _DEFAULT_MESSAGES.get(exc.status, text)
            return error_response(request, exc.status, text)
        raise
    except Exception as exc:
        if is_outage(exc):
            # The database went away under this request: a retry later will work, so say so (never 500).
            log.warning("database unreachable during path=%s: %s", request.path, type(exc).__name__)
            hub = request.app.get(keys.HUB)
            if hub is not None:
                health_of(hub).suspect()
            return database_unavailable(request)
        log.exception("unhandled error path=%s", request.path)
        return error_response(request, 500, "Something went wrong on our side; it has been logged.")


DATABASE_DOWN_MESSAGE = "the hub's database is restarting; please try again in a few seconds"
_NEEDS_NO_DATABASE = ("/healthz", "/readyz", "/static/")


def database_unavailable(request: web.Request) -> web.Response:
    hub = request.app.get(keys.HUB)
    response = error_response(request, 503, DATABASE_DOWN_MESSAGE)
    response.headers["Retry-After"] = str(health_of(hub).retry_after() if hub is not None else RETRY_AFTER_SECONDS)
    return response


@web.middleware
async def database_down_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """While the database is known down, answer 503 + Retry-After at once (providers retry on it)
    instead of letting the request wait out the driver's server selection."""
    hub = request.app.get(keys.HUB)
    if (hub is not None and health_of(hub).down and not request.path.startswith(_NEEDS_NO_DATABASE)
            and request.match_info.http_exception is None):
        return database_unavailable(request)
    return await handler(request)


_DEFAULT_MESSAGES = {
    404: "nothing here: check the address",
    405: "this address does not accept that method",
    413: "the request is too large",
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


async def read_body(request: web.Request) -> dict[str, Any]:
    """A JSON object or a form, whichever the client sent; a clear 400 for anything else.

    A form field sent more than once (checkboxes, `ids=a&ids=b`) comes back as the list of its values,
    a field sent once as its value; files are left to read_form. Strings come back without lone
    surrogates (U+FFFD in their place), so they can be stored."""
    if request.content_type == "application/json":
        data = json_body.loads(await request.read())
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="the request body must be a JSON object")
        return data
    form = await read_form(request)
    fields: dict[str, Any] = {}
    for key in dict.fromkeys(form.keys()):
        values = [without_surrogates(v) for v in form.getall(key) if isinstance(v, str)]
        if values:
            fields[key] = values[0] if len(values) == 1 else values
    return fields


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """`request.post()`, with a 400 for a form that is not text in its declared charset."""
    try:
        return await request.post()
    except (UnicodeDecodeError, LookupError):
        raise web.HTTPBadRequest(text="the form is not valid text in its declared charset (UTF-8 unless "
                                      "the Content-Type names another)") from None
    except ValueError as exc:
        raise web.HTTPBadRequest(text=f"the form is malformed: {exc}") from None


def client_address(request: web.Request) -> str:
    """The client's IP address: the TCP peer, or, when the peer is a trusted proxy (HUB_TRUSTED_PROXIES),
    the nearest untrusted address in X-Forwarded-For. A header from anyone else is ignored."""
    peer = request.remote or ""
    trusted = request.app[keys.SETTINGS].trusted_proxy_networks()
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _within(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
