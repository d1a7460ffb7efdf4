"""The hub's whole configuration as one object: its own settings (HUB_*), routing's (HUB_ROUTING_*) and
each channel plugin's (TWILIO_*, TELEGRAM_*, EMAIL_*), read together when `create_app` composes the hub.

Nothing reads the environment later: a plugin gets its settings when it is built, routing gets its own
with the Hub. A test or an embedding program hands any part in ready-made; the rest is read then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from pydantic_settings import BaseSettings

from hub.settings import RoutingSettings, Settings

S = TypeVar("S", bound=BaseSettings)


@dataclass(frozen=True)
class HubConfig:
    hub: Settings
    routing: RoutingSettings
    channels: tuple[BaseSettings, ...] = ()

    def channel(self, kind: type[S]) -> S:
        """The settings of the plugin whose settings class is `kind`."""
        for settings in self.channels:
            if isinstance(settings, kind):
                return settings
        raise LookupError(f"no {kind.__name__} in this configuration")


def compose(hub: Settings | None, settings_classes: Iterable[type[BaseSettings]], *given: BaseSettings,
            routing: RoutingSettings | None = None) -> HubConfig:
    """One HubConfig: the parts handed in, every other part read from the environment (and .env) now."""
    by_class: dict[type[BaseSettings], BaseSettings] = {type(settings): settings for settings in given}
    channels = tuple(by_class.pop(kind) if kind in by_class else kind() for kind in settings_classes)
    if by_class:
        raise TypeError(f"no plugin takes {', '.join(sorted(k.__name__ for k in by_class))}")
    return HubConfig(hub or Settings(), routing or RoutingSettings(), channels)
