"""Did an earlier attempt reach Twilio? Looked up in the Messages list before anything is sent again.

Twilio's Messages API has no idempotency key, and a Message resource does not echo the StatusCallback
URL it was created with, so a per-attempt marker there could not be listed. The lookup uses what real
Twilio filters on, To and From (newest first), and then checks in code: outbound, created since the
attempt started (less some slack for the two clocks), the same body and number of media, the same
messaging service, and a SID no other reply of ours already holds. DateSent is not used as a filter:
a message still queued at Twilio has no date_sent yet, and it is exactly the one a crash leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from twilio.rest import Client

CLOCK_SLACK = timedelta(minutes=2)
LOOKBACK = 50  # newest messages to this customer looked at; an attempt is minutes old at most


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def matches(found: Any, params: dict[str, Any], since: datetime) -> bool:
    """Whether one listed Message is what these create parameters would have made."""
    if not str(getattr(found, "direction", "") or "").startswith("outbound"):
        return False
    created = getattr(found, "date_created", None)
    if not isinstance(created, datetime) or _aware(created) < since:
        return False
    if "content_sid" not in params and (found.body or "") != (params.get("body") or ""):
        return False  # a template's body is rendered by Twilio, so only its other traits can match
    if int(found.num_media or 0) != len(params.get("media_url") or []):
        return False
    service = params.get("messaging_service_sid")
    return not service or getattr(found, "messaging_service_sid", None) == service


async def find_earlier(client: Client, params: dict[str, Any], started_at: datetime,
                       is_ours: Callable[[str], Awaitable[bool]]) -> str | None:
    """The SID of the message an unsettled attempt created, or None when Twilio has no such message."""
    filters: dict[str, Any] = {"to": params["to"], "limit": LOOKBACK, "page_size": LOOKBACK}
    if params.get("from_"):
        filters["from_"] = params["from_"]
    listed = await client.messages.list_async(**filters)
    since = _aware(started_at) - CLOCK_SLACK
    candidates = [m for m in listed if matches(m, params, since)]
    candidates.sort(key=lambda m: _aware(m.date_created))
    for candidate in candidates:  # the oldest since the attempt began is the one it made
        if not await is_ours(str(candidate.sid)):
            return str(candidate.sid)
    return None
