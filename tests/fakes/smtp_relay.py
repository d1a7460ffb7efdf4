"""A real aiosmtpd server on loopback acting as the hub's outgoing relay: records what it receives,
and can be told to refuse a recipient or answer a 4xx/5xx to the message."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.polling import poll_until
from tests.support.servers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)


@dataclass
class FakeRelay:
    received: list[Received] = field(default_factory=list)
    turned_away: list[Received] = field(default_factory=list)  # mails answered with one of data_replies
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> SMTP reply, e.g. "550 5.1.1 no such user"
    data_replies: list[str] = field(default_factory=list)  # replies to DATA, used one per message, then 250
    # The next `slow` mails are kept at once but answered only after `delay_seconds` (a relay that
    # takes the mail and then stalls, so the sender cannot know it arrived).
    slow: int = 0
    delay_seconds: float = 0.0
    port: int = 0
    controller: Any = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_replies:
            self.turned_away.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            return self.data_replies.pop(0)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if self.slow > 0:
            self.slow -= 1
            await asyncio.sleep(self.delay_seconds)
        return "250 2.0.0 queued"

    def start(self) -> FakeRelay:
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, decode_data=False)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    async def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """Poll: the relay's handler runs on aiosmtpd's own thread, where an asyncio.Event cannot be set."""
        async def arrived() -> bool:
            return len(self.received) >= count

        await poll_until(arrived, f"{count} mails at the relay", timeout=timeout, every=0.02)
        return self.received
