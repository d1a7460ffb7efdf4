"""create_app builds the hub from one composed configuration: each plugin is built with its own settings
class's values, routing gets its own with the Hub, and nothing reads the environment after that."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from channels.email.settings import EmailSettings
from channels.telegram.plugin import TelegramPlugin
from channels.telegram.settings import TelegramSettings
from channels.twilio.settings import TwilioSettings
from hub import keys
from hub.app import CHANNEL_PLUGINS, PLUGIN_CLASSES, configure, create_app
from hub.assign.runtime import runtime
from hub.settings import RoutingSettings
from tests.conftest import make_settings


def test_every_plugin_names_its_settings_class_and_the_configuration_holds_one_of_each() -> None:
    config = configure(make_settings("mongodb://127.0.0.1:1", Path("/tmp")))
    classes = [cls.settings_class for cls in PLUGIN_CLASSES if cls.settings_class is not None]
    assert classes == [TwilioSettings, TelegramSettings, EmailSettings]
    assert [type(s) for s in config.channels] == classes


def test_settings_no_plugin_takes_are_refused_by_name() -> None:
    class Stray(RoutingSettings):
        pass

    with pytest.raises(TypeError, match="no plugin takes Stray"):
        configure(None, Stray())


async def test_plugins_and_routing_run_on_what_was_composed_not_on_the_environment_later(
    aiohttp_server, mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    telegram = TelegramSettings(_env_file=None, bot_token="123456:composed", webhook_secret="s")  # type: ignore[call-arg]
    routing = RoutingSettings(_env_file=None, tick_seconds=123.0)  # type: ignore[call-arg]
    app = create_app(configure(make_settings(mongo_url, tmp_path), telegram, routing=routing))
    # Set after composing: a plugin reading the environment at start would now turn Twilio on.
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "late")
    monkeypatch.setenv("HUB_ROUTING_TICK_SECONDS", "1")
    server: TestServer = await aiohttp_server(app, host="127.0.0.1")
    hub = server.app[keys.HUB]
    [plugin] = [p for p in server.app[CHANNEL_PLUGINS] if isinstance(p, TelegramPlugin)]
    assert plugin.settings is telegram
    assert "telegram" in hub.channels and "sms" not in hub.channels
    assert runtime(hub).settings is routing and runtime(hub).settings.tick_seconds == 123.0


def test_the_catalogue_the_inbox_reads_lists_exactly_the_plugins_channels_in_their_order() -> None:
    from hub import channel_catalog

    assert [info for cls in PLUGIN_CLASSES for info in cls.info] == list(channel_catalog.catalog())
