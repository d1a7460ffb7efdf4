"""Errors the hub raises on purpose; each carries the HTTP status and a sentence for a person."""

from __future__ import annotations

import math


class HubError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, object]:
        """What the JSON answer carries besides "error" and "status"."""
        return {}

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries (errors_middleware, or a handler rendering its own page)."""
        return {}


class BadInput(HubError):
    """A request the hub cannot act on; `field` names what to fix, `fields` lists each problem and why."""

    status = 400

    def __init__(self, message: str, field: str | None = None,
                 fields: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.fields = fields if fields is not None else [{"field": field, "reason": message}] if field else []

    def details(self) -> dict[str, object]:
        return {"field": self.field, "fields": self.fields} if self.field is not None else {}


class Throttled(HubError):
    """Too many tries of something (sign-ins, current passwords): wait `retry_after` seconds.

    Answered as 429 with Retry-After and `"retry_after"` in the JSON; the sentence says how long."""

    status = 429

    def __init__(self, what: str, wait: float) -> None:
        self.retry_after = max(1, math.ceil(wait))
        super().__init__(f"{what}; try again in {wait_words(self.retry_after)}.")

    def details(self) -> dict[str, object]:
        return {"retry_after": self.retry_after}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def wait_words(seconds: float) -> str:
    """A wait as a person says it: "1 second", "40 seconds", "2 minutes" (whole seconds or minutes, up)."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(whole / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class TooLarge(HubError):
    status = 413


class NotFound(HubError):
    status = 404


class Forbidden(HubError):
    status = 403


class Conflict(HubError):
    status = 409


def check_text(text: str, limit: int) -> None:
    """Refuse a message text over `limit` bytes (HUB_MAX_TEXT_BYTES), saying by how much."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limit:
        raise TooLarge(f"message text is {size:,} bytes; the limit is {limit:,} bytes")
