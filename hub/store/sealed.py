"""Secrets kept in the database sealed (Fernet), with a key derived from HUB_SECRET_KEY per purpose.

A copy of the database alone opens none of them. Whatever is sealed or opened is also registered
with the log redaction, since from then on this process holds it in plain text.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from hub import redaction


def _box(key: str, purpose: bytes) -> Fernet:
    # `purpose` is part of the derivation: changing one makes everything sealed under it unreadable.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(purpose + key.encode()).digest()))


def seal(key: str, purpose: bytes, plain: str) -> str:
    redaction.hide(plain)
    return _box(key, purpose).encrypt(plain.encode()).decode()


def unseal(key: str, purpose: bytes, token: str) -> str | None:
    """The plain text, or None when it cannot be opened (HUB_SECRET_KEY changed since it was sealed)."""
    try:
        plain = _box(key, purpose).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
    redaction.hide(plain)
    return plain
