"""The one place that names every channel plugin, and what the core and the inbox know of channels:
each plugin's `ChannelInfo`. Nothing else in hub/ or inbox_ui/ lists channels or tests a channel's name."""

from __future__ import annotations

from functools import cache

from channels.base import ChannelInfo, ChannelPlugin


def plugins() -> list[ChannelPlugin]:
    """A fresh set of plugins (each app gets its own: they hold running state)."""
    # Imported here: the plugins import the host port, which imports most of the hub.
    from channels.email.plugin import EmailPlugin
    from channels.telegram.plugin import TelegramPlugin
    from channels.twilio.plugin import TwilioPlugin
    from channels.webchat.plugin import WebchatPlugin

    return [WebchatPlugin(), TwilioPlugin(), TelegramPlugin(), EmailPlugin()]


@cache
def catalog() -> tuple[ChannelInfo, ...]:
    return tuple(info for plugin in plugins() for info in plugin.info)


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
