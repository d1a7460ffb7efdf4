"""Visitor tokens: the browser keeps one, so a reload is the same visitor with the same history."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time


class BadVisitorToken(ValueError):
    pass


def _sign(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"webchat:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(secret: str, visitor_id: str | None = None, now: float | None = None) -> tuple[str, str]:
    """-> (visitor_id, token)."""
    visitor_id = visitor_id or secrets.token_hex(16)
    payload = f"{visitor_id}.{int(now if now is not None else time.time())}"
    return visitor_id, f"v1.{payload}.{_sign(secret, payload)}"


def verify(secret: str, token: str, max_age_seconds: float, now: float | None = None) -> str:
    """The visitor id inside a valid token; BadVisitorToken (with a reason) otherwise."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != "v1":
        raise BadVisitorToken("the visitor token is malformed")
    _, visitor_id, issued, signature = parts
    if not hmac.compare_digest(signature, _sign(secret, f"{visitor_id}.{issued}")):
        raise BadVisitorToken("the visitor token's signature does not match")
    try:
        issued_at = int(issued)
    except ValueError:
        raise BadVisitorToken("the visitor token is malformed") from None
    if (now if now is not None else time.time()) - issued_at > max_age_seconds:
        raise BadVisitorToken("the visitor token has expired")
    return visitor_id
