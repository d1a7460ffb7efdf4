"""A website-chat visitor proves an email with a one-time code mailed to it.

Six digits, valid ten minutes, five tries, kept only as a keyed hash. Sending is limited per address
and per visitor (hub.store.throttle.hit); wrong codes slow the next try down, and the waits end by
themselves (throttle.failure / check). Every answer is the same whether or not a contact holds the
address, so nobody learns who is a customer by asking.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from channels.base import EMAIL, ChannelError, Identity
from channels.email.channel import EmailChannel, NoMailbox
from hub.clock import utcnow
from hub.errors import HubError, wait_words
from hub.inbound.identities import normalise_email
from hub.runtime import Hub
from hub.store import throttle, verifications

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALID_SECONDS = 600.0
CODE_TRIES = 5
SENDS_PER_ADDRESS_PER_HOUR = 3
SENDS_PER_VISITOR_PER_HOUR = 5
# A new visitor id costs nothing (open the page without a token), so the client's address is limited too.
SENDS_PER_CLIENT_ADDRESS_PER_HOUR = 20
# Wrong codes, counted per visitor and per address across codes: the first four cost nothing (a typo),
# then each makes the next try wait 5 s, 10 s, 20 s... up to 15 minutes; quiet for a day, all forgotten.
FREE_WRONG_CODES = 4
WRONG_CODE_BASE_WAIT = 5.0
WRONG_CODE_MAX_WAIT = 900.0


class VerificationRefused(HubError):
    """A refusal the widget can act on: `code` says which, `retry_after` when to try again."""

    def __init__(self, message: str, code: str, retry_after: float | None = None,
                 tries_left: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after
        self.tries_left = tries_left

    def frame(self) -> dict[str, object]:
        frame: dict[str, object] = {"type": "error", "error": self.message, "code": self.code}
        if self.retry_after is not None:
            frame["retry_after"] = self.retry_after
        if self.tries_left is not None:
            frame["tries_left"] = self.tries_left
        return frame


@dataclass(frozen=True)
class CodeSent:
    email: str
    valid_seconds: float
    tries: int


def _code_hash(hub: Hub, visitor_id: str, email: str, code: str) -> str:
    key = hub.settings.ensure_secret_key().encode()
    return hmac.new(key, f"webchat-code:{visitor_id}:{email}:{code}".encode(), hashlib.sha256).hexdigest()


def _wrong_code_keys(visitor_id: str, email: str) -> tuple[str, str]:
    return f"verify:wrong:visitor:{visitor_id}", f"verify:wrong:address:{email}"


async def start(hub: Hub, visitor_id: str, raw_email: str, client_address: str = "") -> CodeSent:
    """Mail a fresh code (replacing any earlier one) unless a limit says wait."""
    email, now = normalise_email(raw_email), utcnow()
    limits = [(f"verify:send:visitor:{visitor_id}", SENDS_PER_VISITOR_PER_HOUR),
              (f"verify:send:address:{email}", SENDS_PER_ADDRESS_PER_HOUR)]
    if client_address:
        limits.insert(0, (f"verify:send:client:{client_address}", SENDS_PER_CLIENT_ADDRESS_PER_HOUR))
    for key, limit in limits:
        wait = await throttle.hit(hub.db, key, now, limit=limit, window=3600.0)
        if wait > 0:
            raise VerificationRefused(f"Too many codes were asked for; try again in {wait_words(wait)}.",
                                      "rate_limited", retry_after=round(wait, 1))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    await verifications.start(hub.db, visitor_id, EMAIL, email, _code_hash(hub, visitor_id, email, code), now,
                              CODE_VALID_SECONDS, CODE_TRIES)
    minutes = int(CODE_VALID_SECONDS // 60)
    text = (f"Your code for the chat is {code}\n\nIt is valid for {minutes} minutes. "
            "If you did not ask for it, you can ignore this mail: nothing happens without the code.\n")
    channel = hub.channel("email")
    try:
        if not isinstance(channel, EmailChannel):
            raise NoMailbox("the email channel is off: add a mailbox under Admin → Mailboxes")
        await channel.send_notice(email, f"Your chat code: {code}", text)
    except ChannelError as exc:
        await verifications.finish(hub.db, visitor_id)
        log.warning("verification code not sent reason=%s", exc.reason)
        raise VerificationRefused("The code could not be sent just now; please try again later.",
                                  "not_sent") from exc
    return CodeSent(email, CODE_VALID_SECONDS, CODE_TRIES)


async def check(hub: Hub, visitor_id: str, raw_code: object) -> Identity:
    """The proven email identity when `raw_code` is this visitor's live code; VerificationRefused otherwise."""
    now = utcnow()
    record = await verifications.pending(hub.db, visitor_id)
    if record is None:
        raise VerificationRefused("There is no code to check; ask for a new one.", "no_code")
    email = str(record["value"])
    for key in _wrong_code_keys(visitor_id, email):
        wait = await throttle.check(hub.db, key, now)
        if wait > 0:
            raise VerificationRefused(f"Too many wrong codes; try again in {wait_words(wait)}.", "rate_limited",
                                      retry_after=round(wait, 1), tries_left=int(record.get("tries_left", 0)))
    if record["expires_at"] <= now:
        await verifications.finish(hub.db, visitor_id)
        raise VerificationRefused("That code has expired; ask for a new one.", "expired")
    code = raw_code.strip() if isinstance(raw_code, str) else ""
    spent = await verifications.spend_try(hub.db, visitor_id, now)
    if spent is None:
        await verifications.finish(hub.db, visitor_id)
        raise VerificationRefused("No tries are left for that code; ask for a new one.", "no_tries", tries_left=0)
    expected = str(spent["code_hash"])
    if code.isdigit() and len(code) == CODE_DIGITS and hmac.compare_digest(
            expected, _code_hash(hub, visitor_id, email, code)):
        await verifications.finish(hub.db, visitor_id)
        for key in _wrong_code_keys(visitor_id, email):
            await throttle.success(hub.db, key)
        return Identity(EMAIL, email)
    tries_left = int(spent.get("tries_left", 0))
    waits = [await throttle.failure(hub.db, key, now, free=FREE_WRONG_CODES, base_wait=WRONG_CODE_BASE_WAIT,
                                    max_wait=WRONG_CODE_MAX_WAIT) for key in _wrong_code_keys(visitor_id, email)]
    if tries_left <= 0:
        await verifications.finish(hub.db, visitor_id)
        raise VerificationRefused("That code is not right, and no tries are left; ask for a new one.",
                                  "no_tries", tries_left=0)
    wait = max(waits)
    tries = f"{tries_left} {'try' if tries_left == 1 else 'tries'} left"
    if wait > 0:
        raise VerificationRefused(f"That code is not right ({tries}); try again in {wait_words(wait)}.",
                                  "wrong_code", retry_after=round(wait, 1), tries_left=tries_left)
    raise VerificationRefused(f"That code is not right ({tries}).", "wrong_code", tries_left=tries_left)
