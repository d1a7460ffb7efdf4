"""What the core and the inbox know of channels: each plugin's `ChannelInfo`, read from its info module
(which imports only channels.base, so asking for a label loads no plugin). The plugins themselves are
listed by the composition root, hub/app.py `PLUGIN_CLASSES`. Nothing else in hub/ or inbox_ui/ lists channels
or tests a channel's name."""

from __future__ import annotations

from functools import cache

from channels.base import ChannelInfo
from channels.email import info as email_info
from channels.telegram import info as telegram_info
from channels.twilio import info as twilio_info
from channels.webchat import info as webchat_info


@cache
def catalog() -> tuple[ChannelInfo, ...]:
    # In the order hub/app.py lists the plugins.
    return (*webchat_info.INFO, *twilio_info.INFO, *telegram_info.INFO, *email_info.INFO)


def names() -> tuple[str, ...]:
    return tuple(info.name for info in catalog())


def info(channel: str) -> ChannelInfo | None:
    return next((found for found in catalog() if found.name == channel), None)


def identity_kind(channel: str) -> str | None:
    """Which identity kind replies on `channel` are addressed to (None: no such channel)."""
    found = info(channel)
    return found.identity_kind if found else None


def label(channel: str) -> str:
    found = info(channel)
    return found.label if found else channel


def labels() -> dict[str, str]:
    return {found.name: found.label for found in catalog()}


def icons() -> dict[str, str]:
    return {found.name: found.icon for found in catalog()}
