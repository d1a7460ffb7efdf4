"""Signed, expiring public links to stored files, for providers that fetch a reply's media by URL
(Twilio's MediaUrl): no login, so the signature is the only key, and it runs out."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

from aiohttp import web

from hub import keys
from hub.errors import Forbidden, NotFound
from hub.settings import Settings
from hub.store import files
from hub.store.db import oid

routes = web.RouteTableDef()

DEFAULT_VALID_SECONDS = 2 * 3600


def signature(secret: str, file_id: str, expires: int) -> str:
    # A key of its own, so a media signature can never stand in for another signed value.
    key = hashlib.sha256(f"media-link:{secret}".encode()).digest()
    return hmac.new(key, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def signed_path(secret: str, file_id: str, *, valid_seconds: int = DEFAULT_VALID_SECONDS,
                now: float | None = None) -> str:
    expires = int((time.time() if now is None else now) + valid_seconds)
    return f"/media/{file_id}?exp={expires}&sig={signature(secret, file_id, expires)}"


def signed_url(settings: Settings, file_id: str, *, valid_seconds: int = DEFAULT_VALID_SECONDS) -> str:
    return settings.effective_public_url() + signed_path(settings.ensure_secret_key(), file_id,
                                                         valid_seconds=valid_seconds)


def check(secret: str, file_id: str, exp: str, sig: str, now: float | None = None) -> None:
    """Raise Forbidden with the reason when the link was not signed by us or has run out."""
    try:
        expires = int(exp)
    except ValueError:
        raise Forbidden("this media link is not valid: its expiry is missing or malformed") from None
    if not sig or not hmac.compare_digest(sig, signature(secret, file_id, expires)):
        raise Forbidden("this media link is not valid: its signature does not match")
    if expires < (time.time() if now is None else now):
        raise Forbidden("this media link has expired; links to reply media are valid for a limited time")


@routes.get("/media/{file_id}")
async def media(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    raw_id = request.match_info["file_id"]
    check(hub.settings.ensure_secret_key(), raw_id, request.query.get("exp", ""), request.query.get("sig", ""))
    file_id = oid(raw_id)
    stored = await files.get(hub.db, file_id) if file_id else None
    if stored is None:
        raise NotFound("this file is no longer stored")
    data, meta = stored
    filename = quote(str(meta["filename"] or "attachment"))
    return web.Response(body=data, headers={
        "Content-Type": str(meta["content_type"]),
        "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, max-age=300",
    })
