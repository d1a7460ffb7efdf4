"""What the inbox shows of SMS and WhatsApp (its `ChannelInfo`), importing nothing but channels.base: the hub's
channel catalogue reads it without loading the plugin."""

from __future__ import annotations

from channels.base import PHONE, ChannelInfo

_SECTION = "SMS and WhatsApp (Twilio)"
INFO = (ChannelInfo(name="sms", label="SMS", icon="smartphone", identity_kind=PHONE, readme_section=_SECTION,
                    connect="set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_SMS_FROM", counts_segments=True),
        ChannelInfo(name="whatsapp", label="WhatsApp", icon="message-circle", identity_kind=PHONE,
                    readme_section=_SECTION,
                    connect="set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM",
                    template_replies=True))
