"""SMS and WhatsApp through one Twilio account: on with credentials, off (and saying so once) without."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from twilio.request_validator import RequestValidator

from channels.base import Channel
from channels.twilio.channel import HubTwilioHttpClient, TwilioChannel, WhatsAppChannel, make_client
from channels.twilio.media import MediaFetcher
from channels.twilio.pacing import Pacer
from channels.twilio.settings import TwilioSettings
from hub.outbound import media_links as media
from hub.runtime import Hub
from hub.store import messages

log = logging.getLogger(__name__)

RUNTIME = "twilio"  # key in Hub.extras
CHANNELS = ["sms", "whatsapp"]


@dataclass
class TwilioRuntime:
    """What the webhooks need while the channel is on."""

    settings: TwilioSettings
    validator: RequestValidator
    http_client: HubTwilioHttpClient
    fetcher: MediaFetcher
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


def runtime(hub: Hub) -> TwilioRuntime | None:
    found = hub.extras.get(RUNTIME)
    return found if isinstance(found, TwilioRuntime) else None


class TwilioPlugin:
    name = "twilio"

    def __init__(self) -> None:
        self._runtime: TwilioRuntime | None = None

    def routes(self) -> web.RouteTableDef:
        from channels.twilio.views import routes

        return routes

    async def start(self, hub: Hub) -> dict[str, Channel]:
        settings = TwilioSettings()
        if not settings.configured:
            log.info("twilio channel off: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to receive and send "
                     "SMS and WhatsApp")
            return {}
        client, http_client = make_client(settings)
        self._runtime = TwilioRuntime(settings, RequestValidator(settings.auth_token), http_client,
                                      MediaFetcher(settings, hub.settings.max_attachment_bytes))
        hub.extras[RUNTIME] = self._runtime
        status_callback = f"{hub.settings.effective_public_url()}/webhooks/twilio/status"
        log.info("twilio channel on sms_from=%s whatsapp_from=%s messaging_service=%s",
                 settings.sms_from or "-", settings.whatsapp_from or "-", settings.messaging_service_sid or "-")
        def media_link(file_id: str) -> str:
            return media.signed_url(hub.settings, file_id)

        async def is_ours(sid: str) -> bool:
            return await messages.find_provider(hub.db, CHANNELS, sid) is not None

        return {
            "sms": TwilioChannel("sms", client, settings, status_callback, Pacer(settings.sms_per_second), media_link,
                                 is_ours),
            "whatsapp": WhatsAppChannel("whatsapp", client, settings, status_callback,
                                        Pacer(settings.whatsapp_per_second), media_link, is_ours),
        }

    async def stop(self) -> None:
        found, self._runtime = self._runtime, None
        if found is None:
            return
        for task in list(found.tasks):
            task.cancel()
        for task in list(found.tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await found.fetcher.close()
        await found.http_client.close()
