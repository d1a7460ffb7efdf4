"""Email is on when EMAIL_MAILBOXES or the admin UI names at least one mailbox; the SMTP listener when
HUB_SMTP_LISTEN is set."""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

import jinja2
from aiohttp import web
from pydantic_settings import BaseSettings

from channels.base import Channel, ChannelHost, Command
from channels.email.channel import EmailChannel
from channels.email.directory import MailboxDirectory
from channels.email.imap import ImapPoller
from channels.email.info import INFO
from channels.email.settings import EmailSettings, ImapIn
from channels.email.smtp_server import SmtpListener, describe

log = logging.getLogger(__name__)


class EmailPlugin:
    name = "email"
    info = INFO

    settings_class: ClassVar[type[BaseSettings] | None] = EmailSettings

    def __init__(self, config: EmailSettings) -> None:
        self._config = config
        self.listener: SmtpListener | None = None
        self.pollers: dict[str, tuple[str, ImapPoller]] = {}
        self.directory: MailboxDirectory | None = None
        self.host: ChannelHost | None = None
        self.config: EmailSettings | None = None
        self.channel: EmailChannel | None = None

    def routes(self) -> web.RouteTableDef:
        return web.RouteTableDef()  # mail arrives over SMTP and IMAP, not webhooks

    def commands(self) -> tuple[Command, ...]:
        return ()

    async def start(self, host: ChannelHost) -> dict[str, Channel]:
        config = self._config
        self.host, self.config = host, config
        self.directory = MailboxDirectory(host.mail, config, self._mailboxes_changed)
        await self.directory.load()
        host.mail.watch_mailboxes(self.directory.refresh, self.directory.from_settings)
        self.directory.start()
        if not config.mailboxes:
            log.info("email channel off: set EMAIL_MAILBOXES or add a mailbox at /admin/mailboxes to turn it on")
            return {}
        return await self._turn_on()

    async def _turn_on(self) -> dict[str, Channel]:
        host, config = self.host, self.config
        assert host is not None and config is not None
        log.info("email mailboxes %s", describe(config))
        templates = jinja2.Environment(loader=jinja2.FileSystemLoader(host.templates_dir()),
                                       autoescape=jinja2.select_autoescape(["html"]),
                                       undefined=jinja2.StrictUndefined)
        listen = host.mail.smtp_listen()
        if listen:
            self.listener = SmtpListener(host, config, listen)
            await asyncio.to_thread(self.listener.start)
        else:
            log.info("smtp listener off: set HUB_SMTP_LISTEN (e.g. 127.0.0.1:2525) to receive mail over SMTP")
        await self._sync_pollers()
        self.channel = EmailChannel(host, config, templates)
        return {"email": self.channel}

    async def _mailboxes_changed(self) -> None:
        """A mailbox was added, edited or removed: turn the channel on if it was off; follow IMAP changes."""
        if self.host is None or self.config is None or not self.config.mailboxes:
            return
        if self.channel is None:
            self.host.add_channels(await self._turn_on())
            return
        log.info("email mailboxes changed %s", describe(self.config))
        await self._sync_pollers()

    async def _sync_pollers(self) -> None:
        """One IMAP poller per mailbox with IMAP; restarted when its IMAP settings change."""
        assert self.host is not None and self.config is not None
        wanted = {m.address: m for m in self.config.mailboxes if m.imap is not None}
        for address, (signature, poller) in list(self.pollers.items()):
            mailbox = wanted.get(address)
            if mailbox is None or _imap_signature(mailbox.imap) != signature:
                await poller.stop()
                del self.pollers[address]
        for address, mailbox in wanted.items():
            if address not in self.pollers:
                poller = ImapPoller(self.host, self.config, mailbox)
                poller.start()
                self.pollers[address] = (_imap_signature(mailbox.imap), poller)

    async def stop(self) -> None:
        if self.directory is not None:
            await self.directory.stop()
            self.directory = None
        for _signature, poller in self.pollers.values():
            await poller.stop()
        self.pollers = {}
        if self.listener is not None:
            await asyncio.to_thread(self.listener.stop)
            self.listener = None
        self.channel = None
        self.host = None


def _imap_signature(imap: ImapIn | None) -> str:
    if imap is None:
        return ""
    return repr((imap.model_dump(), imap.password.get_secret_value()))
