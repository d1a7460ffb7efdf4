"""The website chat as a channel: a reply is "sent" once stored; the visitor's socket, on whichever
hub process holds it, hears it from the change stream and marks it delivered."""

from __future__ import annotations

from channels.base import OutboundMessage, SendResult, UnsettledAttempt


class WebchatChannel:
    name = "webchat"

    async def send(self, message: OutboundMessage) -> SendResult:
        return SendResult(provider_id=f"webchat:{message.message_id}", status="sent")

    async def reconcile(self, message: OutboundMessage, attempt: UnsettledAttempt) -> SendResult | None:
        """Nothing leaves the hub for a web chat reply: an unsettled attempt is simply the send."""
        return await self.send(message)
