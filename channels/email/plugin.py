"""Email is on when EMAIL_MAILBOXES names at least one mailbox; the SMTP listener when HUB_SMTP_LISTEN is set."""

from __future__ import annotations

import asyncio
import logging

import jinja2
from aiohttp import web

from channels.base import Channel
from channels.email.channel import EmailChannel
from channels.email.imap import ImapPoller
from channels.email.settings import EmailSettings
from channels.email.smtp_server import SmtpListener, describe
from hub.context import Hub

log = logging.getLogger(__name__)


class EmailPlugin:
    name = "email"

    def __init__(self, config: EmailSettings | None = None) -> None:
        self._config = config
        self.listener: SmtpListener | None = None
        self.pollers: list[ImapPoller] = []

    def routes(self) -> web.RouteTableDef:
        return web.RouteTableDef()  # mail arrives over SMTP and IMAP, not webhooks

    async def start(self, hub: Hub) -> dict[str, Channel]:
        config = self._config or EmailSettings()
        if not config.mailboxes:
            log.info("email channel off: set EMAIL_MAILBOXES to turn it on")
            return {}
        log.info("email mailboxes %s", describe(config))
        from hub.app import templates_dir  # the app module imports the registry that imports us

        templates = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir()),
                                       autoescape=jinja2.select_autoescape(["html"]),
                                       undefined=jinja2.StrictUndefined)
        listen = hub.settings.smtp_listen
        if listen:
            self.listener = SmtpListener(hub, config, listen)
            await asyncio.to_thread(self.listener.start)
        else:
            log.info("smtp listener off: set HUB_SMTP_LISTEN (e.g. 127.0.0.1:2525) to receive mail over SMTP")
        for mailbox in config.mailboxes:
            if mailbox.imap is not None:
                poller = ImapPoller(hub, config, mailbox)
                poller.start()
                self.pollers.append(poller)
        return {"email": EmailChannel(hub, config, templates)}

    async def stop(self) -> None:
        for poller in self.pollers:
            await poller.stop()
        self.pollers = []
        if self.listener is not None:
            await asyncio.to_thread(self.listener.stop)
            self.listener = None
