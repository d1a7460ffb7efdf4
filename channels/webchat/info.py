"""What the inbox shows of website chat (its `ChannelInfo`), importing nothing but channels.base: the hub's
channel catalogue reads it without loading the plugin."""

from __future__ import annotations

from channels.base import WEBCHAT, ChannelInfo

INFO = (ChannelInfo(name="webchat", label="Web chat", icon="message-square", identity_kind=WEBCHAT,
                    connect="always on: put the widget script on your site", readme_section="Website chat"),)
