"""SMS and WhatsApp through one Twilio account: on with credentials, off (and saying so once) without."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web
from pydantic_settings import BaseSettings
from twilio.request_validator import RequestValidator

from channels.base import Channel, ChannelHost, Command, stop_tasks
from channels.twilio.channel import HubTwilioHttpClient, TwilioChannel, WhatsAppChannel, make_client
from channels.twilio.content import ContentTemplates
from channels.twilio.info import INFO
from channels.twilio.media import MediaFetcher
from channels.twilio.pacing import Pacer
from channels.twilio.settings import TwilioSettings

log = logging.getLogger(__name__)

CHANNELS = [info.name for info in INFO]  # sms, whatsapp


@dataclass
class TwilioRuntime:
    """What the webhooks need while the channel is on."""

    settings: TwilioSettings
    host: ChannelHost
    validator: RequestValidator
    http_client: HubTwilioHttpClient
    fetcher: MediaFetcher
    templates: ContentTemplates
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


class TwilioPlugin:
    name = "twilio"
    info = INFO
    settings_class: ClassVar[type[BaseSettings] | None] = TwilioSettings

    def __init__(self, settings: TwilioSettings) -> None:
        self.settings = settings
        self._runtime: TwilioRuntime | None = None
        self._host: ChannelHost | None = None

    def routes(self) -> web.RouteTableDef:
        from channels.twilio.views import build_routes

        return build_routes(lambda: self._runtime, lambda: self._host)

    def commands(self) -> tuple[Command, ...]:
        return ()

    async def start(self, host: ChannelHost) -> dict[str, Channel]:
        self._host = host
        settings = self.settings
        if not settings.configured:
            log.info("twilio channel off: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to receive and send "
                     "SMS and WhatsApp")
            return {}
        client, http_client = make_client(settings)
        self._runtime = TwilioRuntime(settings, host, RequestValidator(settings.auth_token), http_client,
                                      MediaFetcher(settings, host.limits.max_attachment_bytes),
                                      ContentTemplates(settings))
        status_callback = f"{host.public_url()}/webhooks/twilio/status"
        log.info("twilio channel on sms_from=%s whatsapp_from=%s messaging_service=%s",
                 settings.sms_from or "-", settings.whatsapp_from or "-", settings.messaging_service_sid or "-")

        async def is_ours(sid: str) -> bool:
            return await host.message_by_provider_id(CHANNELS, sid) is not None

        return {
            "sms": TwilioChannel("sms", client, settings, status_callback, Pacer(settings.sms_per_second),
                                 host.file_url, is_ours),
            "whatsapp": WhatsAppChannel("whatsapp", client, settings, status_callback,
                                        Pacer(settings.whatsapp_per_second), host.file_url, is_ours),
        }

    async def stop(self) -> None:
        self._host = None
        found, self._runtime = self._runtime, None
        if found is None:
            return
        await stop_tasks(*found.tasks)
        await found.fetcher.close()
        await found.templates.close()
        await found.http_client.close()
