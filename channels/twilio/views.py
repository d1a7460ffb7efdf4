"""Twilio's webhooks (messages in, delivery status back) and the SMS segment counter for the composer."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from aiohttp import web

from channels.base import ChannelHost, ChannelInputError
from channels.twilio import inbound, segments
from channels.twilio.content import TemplatesUnavailable
from channels.twilio.media import MediaRef, download_all
from channels.twilio.plugin import CHANNELS, TwilioRuntime
from channels.twilio.status import HUB_STATUS, error_reason
from channels.twilio.webhook import read_signed_form

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio gives up on a webhook after 15 s; media still downloading by then finishes in the background.
MEDIA_WAIT_SECONDS = 8.0
NOT_CONFIGURED = ("the Twilio channel is not configured on this hub: set TWILIO_ACCOUNT_SID and "
                  "TWILIO_AUTH_TOKEN")


async def _keep_media(rt: TwilioRuntime, message_id: str, message_sid: str, refs: list[MediaRef]) -> None:
    try:
        attachments = await download_all(rt.host, rt.fetcher, message_sid, refs)
        await rt.host.attach_files(message_id, attachments)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("twilio media could not be kept message=%s", message_sid)


def build_routes(running: Callable[[], TwilioRuntime | None],
                 hosted: Callable[[], ChannelHost | None]) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    def on() -> TwilioRuntime:
        found = running()
        if found is None:
            raise ChannelInputError(404, NOT_CONFIGURED)
        return found

    @routes.post("/webhooks/twilio")
    async def message_webhook(request: web.Request) -> web.Response:
        """A customer's SMS or WhatsApp message: verified, stored, then Twilio gets empty TwiML."""
        rt = on()
        form = await read_signed_form(request, rt.validator, rt.host.public_url())
        parsed = inbound.parse(form, rt.settings.default_region, rt.host.now())
        result = await rt.host.ingest(parsed.message)
        if result.created and parsed.media:
            # Only the copy that created the message downloads, so replays never fetch twice.
            task = rt.spawn(_keep_media(rt, result.message_id, parsed.message.external_id or "", parsed.media))
            await asyncio.wait({task}, timeout=MEDIA_WAIT_SECONDS)
        return web.Response(text=EMPTY_TWIML, content_type="text/xml")

    @routes.post("/webhooks/twilio/status")
    async def status_webhook(request: web.Request) -> web.Response:
        """Delivery status of a reply; it only ever moves forward."""
        rt = on()
        form = await read_signed_form(request, rt.validator, rt.host.public_url())
        sid = form.get("MessageSid") or form.get("SmsSid")
        reported = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
        if not sid:
            raise ChannelInputError(400, "the status callback has no MessageSid")
        if not reported:
            raise ChannelInputError(400, "the status callback has no MessageStatus")
        if reported not in HUB_STATUS:
            log.warning("twilio status not understood sid=%s status=%s", sid, reported[:40])
            return web.Response(status=200)
        status = HUB_STATUS[reported]
        if status is None:
            return web.Response(status=200)
        error = None
        if status in ("failed", "undelivered"):
            error = (error_reason(form.get("ErrorCode"), form.get("ErrorMessage"))
                     if form.get("ErrorCode") or form.get("ErrorMessage")
                     else f"Twilio reported the message {reported}")
        if not await rt.host.advance_status(CHANNELS, sid, status, error):
            # Not worth a second lookup to tell the two apart: either way nothing is to be done.
            log.info("twilio status ignored: older than the one recorded, or for an unknown message sid=%s "
                     "status=%s", sid, reported)
        return web.Response(status=200)

    @routes.get("/api/v1/channels/whatsapp/templates")
    async def whatsapp_templates(request: web.Request) -> web.Response:
        """The account's approved WhatsApp templates for the composer's picker; `?refresh=1` asks Twilio
        again instead of answering from the cached list."""
        host = hosted()
        if host is None:
            raise ChannelInputError(503, "the hub is still starting; try again in a moment")
        host.require_user(request)  # before anything else: a stranger learns nothing, not even "not configured"
        rt = on()
        refresh = request.query.get("refresh", "").strip().lower() in ("1", "true", "yes")
        try:
            found = await rt.templates.approved(refresh=refresh)
        except TemplatesUnavailable as exc:
            raise ChannelInputError(502, exc.message) from None
        return web.json_response([t.as_dict() for t in found], dumps=lambda d: json.dumps(d, ensure_ascii=False))

    @routes.post("/api/v1/sms/segments")
    async def sms_segments(request: web.Request) -> web.Response:
        """{"text"} -> {"encoding", "segments", "characters", "units", "per_segment"} for the composer."""
        host = hosted()  # counting needs no Twilio account, so this works while the channel is off
        if host is None:
            raise ChannelInputError(503, "the hub is still starting; try again in a moment")
        host.require_user(request)
        body = await host.read_json_object(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise ChannelInputError(400, "'text' is required and must be a string")
        return web.json_response(segments.count(text).as_dict(), dumps=lambda d: json.dumps(d, ensure_ascii=False))

    return routes
