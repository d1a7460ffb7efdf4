"""What the inbox shows of Telegram (its `ChannelInfo`), importing nothing but channels.base: the hub's
channel catalogue reads it without loading the plugin."""

from __future__ import annotations

from channels.base import TELEGRAM, ChannelInfo

INFO = (ChannelInfo(name="telegram", label="Telegram", icon="send", identity_kind=TELEGRAM,
                    connect="set TELEGRAM_BOT_TOKEN (from @BotFather) and TELEGRAM_WEBHOOK_SECRET",
                    readme_section="Telegram"),)
