"""How failed sign-ins slow down the next ones: per account and per client address.

Two counters (hub/store/throttle.py) grow with every failed sign-in: one for the account typed
(``login:account:<email>``) and one for the client address (``login:address:<ip>``, the TCP peer, or
X-Forwarded-For from HUB_TRUSTED_PROXIES only). After HUB_LOGIN_FREE_ATTEMPTS failures each further
one makes the next attempt wait twice as long, up to HUB_LOGIN_MAX_LOCK_SECONDS; while a wait runs,
even the right password is refused (else the wait would be no wait), and every wait ends by itself.

The account counter is what stops guessing from many addresses, but it is also what a stranger could
use against the account's owner. So a browser that has signed in to an account before carries a signed
"known device" cookie, and its attempts count under ``login:device:<id>`` instead: someone hammering
ana@'s address elsewhere slows themselves, not Ana at her usual desk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.clock import utcnow
from hub.errors import Throttled
from hub.store import throttle
from hub.store.db import Db

if TYPE_CHECKING:  # annotations only: the running hub sits above this layer
    from hub.runtime import Hub

DEVICE_COOKIE = "hub_device"
DEVICE_COOKIE_DAYS = 365
ACCOUNT_PREFIX = "login:account:"
ADDRESS_PREFIX = "login:address:"
DEVICE_PREFIX = "login:device:"
# A run of failures is forgotten after an hour without any; a wait in progress still ends on its own.
FORGET_AFTER_SECONDS = 3600.0
_KEY_TEXT_LIMIT = 320  # the longest email address; the key is built from what a stranger typed


@dataclass(frozen=True)
class SignInAttempt:
    email: str
    address: str
    device_cookie: str | None = None


def _text(value: str) -> str:
    # Lone surrogates cannot be stored; a key only has to tell attempts apart.
    return value.strip().lower()[:_KEY_TEXT_LIMIT].encode("utf-8", "backslashreplace").decode("utf-8")


def _device_signature(secret: str, email: str, device_id: str) -> str:
    key = hashlib.sha256(f"signin-device:{secret}".encode()).digest()
    return hmac.new(key, f"{_text(email)}\n{device_id}".encode(), hashlib.sha256).hexdigest()[:32]


def new_device_cookie(hub: Hub, email: str, current: str | None) -> str:
    """The cookie value a browser keeps after signing in to `email` (the same one if it already had it)."""
    if current and known_device(hub, email, current):
        return current
    device_id = secrets.token_urlsafe(16)
    return f"{device_id}.{_device_signature(hub.settings.ensure_secret_key(), email, device_id)}"


def known_device(hub: Hub, email: str, cookie: str | None) -> str | None:
    """The device id when `cookie` proves this browser signed in to `email` before."""
    device_id, _, signature = (cookie or "").partition(".")
    if not device_id or not signature or len(cookie or "") > 200:
        return None
    expected = _device_signature(hub.settings.ensure_secret_key(), email, device_id)
    return device_id if hmac.compare_digest(signature, expected) else None


def _keys(hub: Hub, attempt: SignInAttempt) -> list[str]:
    device = known_device(hub, attempt.email, attempt.device_cookie)
    first = f"{DEVICE_PREFIX}{device}" if device else f"{ACCOUNT_PREFIX}{_text(attempt.email)}"
    return [first, f"{ADDRESS_PREFIX}{_text(attempt.address) or 'unknown'}"]


def account_key(email: str) -> str:
    return f"{ACCOUNT_PREFIX}{_text(email)}"


async def check(hub: Hub, attempt: SignInAttempt) -> None:
    """Raise Throttled while any of the attempt's counters asks it to wait."""
    now = utcnow()
    waits = [await throttle.check(hub.db, key, now) for key in _keys(hub, attempt)]
    if max(waits) > 0:
        raise Throttled("Too many failed sign-ins", max(waits))


async def failed(hub: Hub, attempt: SignInAttempt) -> float:
    """Count a wrong email or password; returns the wait it imposes on the next attempt."""
    now, settings = utcnow(), hub.settings
    waits = [await throttle.failure(hub.db, key, now, free=settings.login_free_attempts,
                                    max_wait=settings.login_max_lock_seconds, forget_after=FORGET_AFTER_SECONDS)
             for key in _keys(hub, attempt)]
    return max(waits)


async def succeeded(hub: Hub, attempt: SignInAttempt) -> None:
    """A right password forgets the account's (or device's) failures. The address keeps its count: one
    valid account of an attacker's own must not wipe the count of their guesses at others'."""
    await throttle.success(hub.db, _keys(hub, attempt)[0])
    await throttle.success(hub.db, account_key(attempt.email))


async def forget_account(db: Db, email: str) -> None:
    """An admin set a new password: the owner may sign in at once."""
    await throttle.success(db, account_key(email))
