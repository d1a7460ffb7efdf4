"""Signed links for an email survey: /csat/<token>?score=N, the token naming the conversation.

An HMAC of the conversation id under the hub's secret key: no login, nothing guessable, and a token for
one conversation cannot rate another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from bson import ObjectId
from bson.errors import InvalidId

PATH = "/csat/"


def _mac(secret: str, conversation_id: str) -> str:
    digest = hmac.new(secret.encode(), f"csat:{conversation_id}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token(secret: str, conversation_id: ObjectId) -> str:
    return f"{conversation_id}.{_mac(secret, str(conversation_id))}"


def conversation_of(secret: str, value: str) -> ObjectId | None:
    """The conversation a token names; None for anything not signed by this hub's key."""
    cid, _, mac = value.partition(".")
    if not mac or not hmac.compare_digest(mac, _mac(secret, cid)):
        return None
    try:
        return ObjectId(cid)
    except (InvalidId, TypeError):
        return None


def url(public_url: str, secret: str, conversation_id: ObjectId, score: int, language: str = "en") -> str:
    return f"{public_url}{PATH}{token(secret, conversation_id)}?score={score}&lang={language}"
