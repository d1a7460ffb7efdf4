"""What the inbox shows of email (its `ChannelInfo`), importing nothing but channels.base: the hub's
channel catalogue reads it without loading the plugin."""

from __future__ import annotations

from channels.base import EMAIL, ChannelInfo

INFO = (ChannelInfo(name="email", label="Email", icon="mail", identity_kind=EMAIL, readme_section="Email",
                    connect="set EMAIL_MAILBOXES or add a mailbox under Admin → Mailboxes", mail_replies=True),)
