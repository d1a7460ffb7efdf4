"""The SMTP listener: mail for our mailboxes only, acknowledged only once it is stored."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.base import ChannelHost
from channels.email.inbound import Refused, receive
from channels.email.settings import EmailSettings

log = logging.getLogger(__name__)
STORE_TIMEOUT_SECONDS = 120
DATABASE_DOWN_REPLY = "451 4.3.0 Our mail store is restarting; nothing was kept, please try again in a few minutes"


class InboundHandler:
    """aiosmtpd calls this on its own thread's loop; the work runs on the hub's loop."""

    def __init__(self, host: ChannelHost, config: EmailSettings, loop: asyncio.AbstractEventLoop) -> None:
        self.host = host
        self.config = config
        self.loop = loop

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if self.config.mailbox(address) is None:
            return "550 5.7.1 Relaying denied: we only accept mail for our own mailboxes"
        if address.lower() not in (a.lower() for a in envelope.rcpt_tos):
            envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.host.mail.database_down():
            return DATABASE_DOWN_REPLY  # at once: the sending server queues the mail and tries again
        data = envelope.original_content or envelope.content
        if not isinstance(data, bytes):
            data = str(data or "").encode("utf-8", "surrogateescape")
        future = asyncio.run_coroutine_threadsafe(
            receive(self.host, self.config, data, envelope_from=str(envelope.mail_from or ""),
                    recipients=list(envelope.rcpt_tos), source="smtp"), self.loop)
        try:
            outcome = await asyncio.wait_for(asyncio.wrap_future(future), STORE_TIMEOUT_SECONDS)
        except Refused as exc:
            return f"550 5.1.7 {exc}"
        except Exception:
            # Not stored: a temporary failure makes the sending server try again later, so nothing is lost.
            log.exception("storing a received mail failed")
            return "451 4.3.0 Could not store the message now; please try again later"
        return f"250 2.0.0 Accepted ({outcome.kind})"


class SmtpListener:
    def __init__(self, host: ChannelHost, config: EmailSettings, listen: str) -> None:
        address, _, port = listen.rpartition(":")
        self.address = address or "127.0.0.1"
        self.port = int(port)
        self.controller = Controller(
            InboundHandler(host, config, asyncio.get_running_loop()), hostname=self.address, port=self.port,
            data_size_limit=config.max_message_bytes, decode_data=False,
            server_hostname=config.id_domain(), ident="hub",
        )

    def start(self) -> None:
        self.controller.start()
        log.info("smtp listening on %s:%d", self.address, self.port)

    def stop(self) -> None:
        self.controller.stop()


def describe(config: EmailSettings) -> dict[str, Any]:
    """What start-up logs about mailboxes: addresses and hosts, never usernames or passwords."""
    return {m.address: {"department": m.department, "smtp": m.smtp.host if m.smtp else None,
                        "imap": m.imap.host if m.imap else None} for m in config.mailboxes}
