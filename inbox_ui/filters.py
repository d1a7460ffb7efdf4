"""Template helpers: one translation function, times, channel names, bidi-safe text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jinja2
import markupsafe

from hub import channel_catalog
from hub.live import notify
from inbox_ui.icons import icon

STATUS_TICKS = {"queued": "🕓", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "failed": "⚠", "undelivered": "⚠"}

# Bidi controls in user text could flip the UI around it; they are dropped from display (the
# stored text is kept exactly) and each user text sits in its own dir="auto" isolate.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)


def translate(text: str, **values: Any) -> str:
    """English, for a template rendered outside a request; hub.http.web.render passes each request's
    own `_` (hub.http.languages) in the render context, which takes precedence over this global."""
    return text.format(**values) if values else text


def strip_bidi(value: Any) -> str:
    return str(value or "").translate(_BIDI_CONTROLS)


def when(value: Any) -> str:
    if not isinstance(value, datetime):
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else ""


def instant_token(name: str) -> str:
    """What stands for a moment inside a translated sentence until `with_times` puts a `<time>` there."""
    return f"\x00{name}\x00"


def with_times(text: str, instants: dict[str, datetime]) -> markupsafe.Markup:
    """A translated sentence whose moments (`instant_token`) become `<time>` elements, which the page shows in
    the viewer's zone and calendar (times.js); the rest of the sentence is escaped."""
    out = markupsafe.escape(text)
    for name, at in instants.items():
        element = markupsafe.Markup('<time data-absolute datetime="{}">{}</time>').format(iso(at), when(at))
        out = markupsafe.Markup(out.replace(instant_token(name), element))
    return out


def install(env: jinja2.Environment) -> None:
    env.globals["_"] = translate
    env.globals["icon"] = icon
    env.globals["CHANNEL_LABELS"] = channel_catalog.labels()
    env.globals["CHANNEL_ICONS"] = channel_catalog.icons()
    env.globals["STATUS_TICKS"] = STATUS_TICKS
    env.globals["NOTIFICATION_KINDS"] = notify.KINDS
    env.filters["when"] = when
    env.filters["iso"] = iso
    env.filters["nobidi"] = strip_bidi
    env.filters["with_times"] = with_times
