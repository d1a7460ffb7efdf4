"""SMS and WhatsApp replies through Twilio's Messages API, with pacing, typed errors and WhatsApp's
24-hour window."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from channels.base import (
    PHONE,
    ChannelError,
    ChannelRateLimited,
    ChannelRejected,
    ChannelTimeout,
    OutboundMessage,
    SendResult,
    Sentence,
    UnsettledAttempt,
)
from channels.twilio import phones, reconcile
from channels.twilio.pacing import Pacer
from channels.twilio.settings import TwilioSettings
from channels.twilio.status import error_reason

log = logging.getLogger(__name__)

CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
MAX_RETRY_AFTER = 15 * 60.0
# A send waits this long at most for its sender's pacing slot; a longer wait is handed back to the
# outbox as a retry, so no attempt sits in a lease (or past the send timeout) merely queueing.
MAX_PACING_WAIT = 10.0


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER) if seconds is not None else None


def error_for(status: int, body: str, retry_after: str | None) -> ChannelError:
    """Twilio's error answer as the hub's typed error: 429 and 5xx are worth retrying, other 4xx are not."""
    try:
        payload = json.loads(body)
    except ValueError:
        payload = {}
    payload = payload if isinstance(payload, dict) else {}
    code = payload.get("code")
    message = str(payload.get("message") or payload.get("detail") or payload.get("title") or "").strip()
    if status == 429:
        reason = f"Twilio is rate-limiting us ({error_reason(code, message)})"
        seconds = _retry_after(retry_after)
        return ChannelRateLimited(reason, seconds) if seconds is not None else ChannelError(reason)
    if status >= 500:
        # Twilio may have created the message before failing to answer: the next attempt looks first.
        return ChannelError(f"Twilio had a server error (HTTP {status}); will retry", maybe_sent=True)
    return ChannelRejected(error_reason(code if code is not None else status, message))


class HubTwilioHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """Turns Twilio's error answers into typed channel errors here, where the headers (Retry-After)
    are still at hand; twilio's own exceptions drop them."""

    async def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                      auth: Any = None, timeout: float | None = None, allow_redirects: bool = False) -> Response:
        if auth is not None:
            # aiohttp deprecates its `auth=` argument; the same header, written here.
            headers = {**(headers or {}), "Authorization": aiohttp.encode_basic_auth(auth[0], auth[1])}
        response: Response = await super().request(method, url, params=params, data=data, headers=headers,
                                                   auth=None, timeout=timeout, allow_redirects=allow_redirects)
        if response.status_code >= 400:
            raise error_for(response.status_code, response.text, (response.headers or {}).get("Retry-After"))
        return response


def make_client(settings: TwilioSettings) -> tuple[Client, HubTwilioHttpClient]:
    """Must run inside the event loop: the async HTTP client opens its session on creation."""
    http_client = HubTwilioHttpClient(timeout=30)
    client = Client(settings.account_sid, settings.auth_token, http_client=http_client)
    client.api.base_url = settings.api_root
    return client, http_client


class TwilioChannel:
    """One of Twilio's two channels; both share the client and the pacing of their senders."""

    def __init__(self, name: str, client: Client, settings: TwilioSettings, status_callback: str,
                 pacer: Pacer, media_link: Callable[[str], str] | None = None,
                 is_ours: Callable[[str], Awaitable[bool]] | None = None) -> None:
        self.name = name
        # Whether a SID is already some reply's: a found message is adopted only if no other reply holds it.
        self.is_ours = is_ours or _none_ours
        # Stored file id -> a URL Twilio can fetch (the hub's signed /media/ link): it takes media by URL only.
        self.media_link = media_link
        self.client = client
        self.settings = settings
        self.status_callback = status_callback
        self.pacer = pacer

    def sender(self) -> dict[str, str]:
        if self.name == "whatsapp" and self.settings.whatsapp_from:
            _, number = phones.strip_channel(self.settings.whatsapp_from)
            return {"from_": phones.twilio_address("whatsapp", number)}
        if self.name == "sms" and self.settings.sms_from:
            return {"from_": self.settings.sms_from.strip()}
        if self.settings.messaging_service_sid:
            return {"messaging_service_sid": self.settings.messaging_service_sid.strip()}
        setting = "TWILIO_WHATSAPP_FROM" if self.name == "whatsapp" else "TWILIO_SMS_FROM"
        raise ChannelRejected(f"no {self.name} sender is configured: set {setting} or TWILIO_MESSAGING_SERVICE_SID")

    def create_params(self, message: OutboundMessage) -> dict[str, Any]:
        """The Messages API create parameters for this reply (the same on every attempt)."""
        if message.to.kind != PHONE or not message.to.value:
            raise ChannelRejected(f"the customer has no phone number to send a {self.name} message to")
        params: dict[str, Any] = {"to": phones.twilio_address(self.name, message.to.value),
                                  "status_callback": self.status_callback, **self.sender()}
        content_sid = message.extras.get("content_sid")
        if self.name == "whatsapp" and message.choices and self.settings.survey_content_sid:
            # WhatsApp's quick-reply buttons live in an approved template; pressing one sends its text back.
            params["content_sid"] = self.settings.survey_content_sid.strip()
        elif content_sid:
            params["content_sid"] = content_sid
            variables = message.extras.get("content_variables")
            if variables:
                params["content_variables"] = variables if isinstance(variables, str) else json.dumps(variables)
        elif message.text.strip():
            params["body"] = message.text
        media = [a.file_id for a in message.attachments if a.file_id and not a.refused_reason]
        if media:
            if self.media_link is None:
                raise ChannelRejected(f"{self.name} attachments need the hub's public URL for Twilio to fetch them")
            params["media_url"] = [self.media_link(file_id) for file_id in media]
        return params

    async def send(self, message: OutboundMessage) -> SendResult:
        params = self.create_params(message)
        sender = str(params.get("from_") or params.get("messaging_service_sid"))
        wait = self.pacer.reserve(sender, longest=MAX_PACING_WAIT)
        if wait is None:
            raise ChannelRateLimited(f"the {self.name} sender is busy (pacing); will send shortly",
                                     retry_after=self.pacer.free_in(sender))
        await self.pacer.sleep(wait)
        try:
            created = await self.client.messages.create_async(**params)
        except ChannelRateLimited as exc:
            self.pacer.hold_off(sender, exc.retry_after)
            raise
        except ChannelError:
            raise
        except TimeoutError as exc:
            raise ChannelTimeout("Twilio did not answer in time; will retry") from exc
        except aiohttp.ClientError as exc:
            # A connection never made sent nothing; one that broke after the request may have.
            raise ChannelError(f"could not reach Twilio ({type(exc).__name__}); will retry",
                               maybe_sent=not isinstance(exc, aiohttp.ClientConnectorError)) from exc
        except TwilioException as exc:
            raise ChannelError(f"Twilio's answer could not be read ({exc})", maybe_sent=True) from exc
        log.info("twilio message created channel=%s message=%s sid=%s", self.name, message.message_id, created.sid)
        # "sent" = handed to Twilio; its status callbacks move it on from there.
        return SendResult(provider_id=str(created.sid), status="sent")

    async def reconcile(self, message: OutboundMessage, attempt: UnsettledAttempt) -> SendResult | None:
        """Adopt the message an unsettled attempt created at Twilio, if it did (see reconcile.py)."""
        params = self.create_params(message)
        try:
            sid = await reconcile.find_earlier(self.client, params, attempt.started_at, self.is_ours)
        except ChannelError:
            raise
        except TimeoutError as exc:
            raise ChannelTimeout("Twilio did not answer the message lookup in time") from exc
        except (aiohttp.ClientError, TwilioException) as exc:
            raise ChannelError(f"could not look the message up at Twilio ({type(exc).__name__})") from exc
        if sid is None:
            return None
        log.info("twilio message adopted channel=%s message=%s sid=%s attempt=%s", self.name, message.message_id,
                 sid, attempt.owner)
        return SendResult(provider_id=sid, status="sent")


async def _none_ours(sid: str) -> bool:
    return False


class WhatsAppChannel(TwilioChannel):
    """WhatsApp allows free-form replies only within 24 hours of the customer's last message."""

    def refuse_reply(self, conversation: Mapping[str, Any], extras: Mapping[str, Any], now: datetime) -> str | None:
        content_sid = extras.get("content_sid")
        if content_sid:
            return _template_problem(content_sid, extras.get("content_variables"))
        if extras.get("survey") and self.settings.survey_content_sid:
            return None  # the survey goes as its approved template, which WhatsApp takes at any time
        last = (conversation.get("last_inbound_at_by_channel") or {}).get("whatsapp")
        if isinstance(last, datetime) and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        window = timedelta(hours=self.settings.whatsapp_window_hours)
        if not isinstance(last, datetime):
            return Sentence("The customer has not written on WhatsApp in this conversation, so WhatsApp allows only "
                            "an approved template: pick one below (API: content_sid with content_variables).")
        if now - last > window:
            return Sentence("The customer's last WhatsApp message was {hours} hours ago; WhatsApp allows free-form "
                            "replies only within {window} hours of it. Pick an approved template instead (API: "
                            "content_sid with content_variables).", hours=int((now - last).total_seconds() // 3600),
                            window=format(self.settings.whatsapp_window_hours, "g"))
        return None


def _template_problem(content_sid: object, variables: object) -> str | None:
    if not isinstance(content_sid, str) or not CONTENT_SID.match(content_sid):
        return "content_sid must be an approved template's SID: HX followed by 32 hexadecimal characters."
    if variables is None or isinstance(variables, dict):
        return None
    if isinstance(variables, str):
        try:
            parsed = json.loads(variables)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the stack
            parsed = None
        if isinstance(parsed, dict):
            return None
    return 'content_variables must be a JSON object such as {"1": "Mina", "2": "Tuesday"}.'
