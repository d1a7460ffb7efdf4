"""Errors the hub raises on purpose; each carries the HTTP status and a sentence for a person."""

from __future__ import annotations


class HubError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(HubError):
    status = 400


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
