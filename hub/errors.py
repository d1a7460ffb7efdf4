"""Errors the hub raises on purpose; each carries the HTTP status and a sentence for a person."""

from __future__ import annotations


class HubError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, object]:
        """What the JSON answer carries besides "error" and "status"."""
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
