"""Twilio's webhooks (messages in, delivery status back) and the SMS segment counter for the composer."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from bson import ObjectId

from channels.twilio import inbound, segments
from channels.twilio.media import MediaRef, download_all
from channels.twilio.plugin import CHANNELS, TwilioRuntime, runtime
from channels.twilio.status import HUB_STATUS, error_reason
from channels.twilio.webhook import read_signed_form
from hub import keys
from hub.access.auth import current_user
from hub.clock import utcnow
from hub.errors import BadInput, NotFound
from hub.http.web import json_response, read_body
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import messages

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio gives up on a webhook after 15 s; media still downloading by then finishes in the background.
MEDIA_WAIT_SECONDS = 8.0


def _on(request: web.Request) -> tuple[Hub, TwilioRuntime]:
    hub = request.app[keys.HUB]
    found = runtime(hub)
    if found is None:
        raise NotFound("the Twilio channel is not configured on this hub: set TWILIO_ACCOUNT_SID and "
                       "TWILIO_AUTH_TOKEN")
    return hub, found


async def _keep_media(hub: Hub, rt: TwilioRuntime, message_id: ObjectId, message_sid: str,
                      refs: list[MediaRef]) -> None:
    try:
        attachments = await download_all(hub, rt.fetcher, message_sid, refs)
        await messages.set_attachments(hub.db, message_id, [a.as_doc() for a in attachments], utcnow())
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("twilio media could not be kept message=%s", message_sid)


@routes.post("/webhooks/twilio")
async def message_webhook(request: web.Request) -> web.Response:
    """A customer's SMS or WhatsApp message: verified, stored, then Twilio gets empty TwiML."""
    hub, rt = _on(request)
    form = await read_signed_form(request, rt.validator, hub.settings.effective_public_url())
    parsed = inbound.parse(form, rt.settings.default_region, utcnow())
    result = await ingest(hub, parsed.message)
    if result.created and parsed.media:
        # Only the copy that created the message downloads, so replays never fetch twice.
        task = rt.spawn(_keep_media(hub, rt, result.message["_id"], parsed.message.external_id or "", parsed.media))
        await asyncio.wait({task}, timeout=MEDIA_WAIT_SECONDS)
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


@routes.post("/webhooks/twilio/status")
async def status_webhook(request: web.Request) -> web.Response:
    """Delivery status of a reply; it only ever moves forward."""
    hub, rt = _on(request)
    form = await read_signed_form(request, rt.validator, hub.settings.effective_public_url())
    sid = form.get("MessageSid") or form.get("SmsSid")
    reported = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not sid:
        raise BadInput("the status callback has no MessageSid")
    if not reported:
        raise BadInput("the status callback has no MessageStatus")
    if reported not in HUB_STATUS:
        log.warning("twilio status not understood sid=%s status=%s", sid, reported[:40])
        return web.Response(status=200)
    status = HUB_STATUS[reported]
    if status is None:
        return web.Response(status=200)
    error = None
    if status in ("failed", "undelivered"):
        error = (error_reason(form.get("ErrorCode"), form.get("ErrorMessage"))
                 if form.get("ErrorCode") or form.get("ErrorMessage") else f"Twilio reported the message {reported}")
    updated = await messages.advance_status(hub.db, {"provider_id": sid, "channel": {"$in": CHANNELS}}, status,
                                            utcnow(), error)
    if updated is None:
        if await messages.find_provider(hub.db, CHANNELS, sid) is None:
            log.warning("twilio status for an unknown message sid=%s status=%s", sid, reported)
        else:
            log.info("twilio status older than the one recorded, ignored sid=%s status=%s", sid, reported)
    return web.Response(status=200)


@routes.post("/api/v1/sms/segments")
async def sms_segments(request: web.Request) -> web.Response:
    """{"text"} -> {"encoding", "segments", "characters", "units", "per_segment"} for the composer."""
    current_user(request)
    body = await read_body(request)
    text = body.get("text")
    if not isinstance(text, str):
        raise BadInput("'text' is required and must be a string")
    return json_response(segments.count(text).as_dict())
