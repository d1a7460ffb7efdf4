"""Short system mails that answer no conversation (a website-chat verification code), sent through a
configured mailbox's SMTP with the email channel's own delivery code, so there is one SMTP client."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from channels.base import ChannelError
from channels.email.channel import EmailChannel
from channels.email.settings import Mailbox
from hub.clock import utcnow
from hub.runtime import Hub


class NoMailbox(ChannelError):
    """No mailbox with outgoing mail is configured: nothing can be sent."""

    transient = False


def sending_mailbox(channel: EmailChannel, address: str = "") -> Mailbox:
    """The named mailbox if it can send; else the first one with SMTP configured."""
    usable = [m for m in channel.config.mailboxes if m.smtp is not None]
    named = next((m for m in usable if address and m.address == address.strip().lower()), None)
    if named is not None:
        return named
    if not usable:
        raise NoMailbox("no mailbox has an outgoing mail server (Admin → Mailboxes)")
    return usable[0]


async def send_notice(hub: Hub, to: str, subject: str, text: str, from_address: str = "") -> None:
    """Send one plain-text mail; ChannelError (with a reason for the log) when it cannot go out."""
    channel = hub.channels.get("email")
    if not isinstance(channel, EmailChannel):
        raise NoMailbox("the email channel is off: add a mailbox under Admin → Mailboxes")
    mailbox = sending_mailbox(channel, from_address)
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = Address(mailbox.display_name or "", addr_spec=mailbox.address)
    email["To"] = to
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=channel.config.id_domain())
    # Marked automatic so the customer's auto-responders do not answer it (RFC 3834).
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(text)
    await channel._deliver(email, mailbox, to)
