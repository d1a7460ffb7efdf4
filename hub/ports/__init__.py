"""The hub's side of the ports channels hold: `ChannelHost` (channels/base.py) and email's `MailHost`
(channels/email/port.py). Each method calls the service layer or the store; nothing here knows a channel."""
