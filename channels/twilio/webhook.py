"""Reading and verifying what Twilio posts: a strict form parser and X-Twilio-Signature.

The signed URL is rebuilt from HUB_PUBLIC_URL and the request's own path and query, never from
Host or X-Forwarded-* headers, which whoever sends the request controls.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from channels.base import ChannelInputError

FORM_TYPE = "application/x-www-form-urlencoded"
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def parse_form(body: bytes) -> MultiDict[str]:
    """Form fields exactly as sent; a clear 400 for anything a form encoder would not write."""
    if _BAD_PERCENT.search(body):
        raise ChannelInputError(400, "the form body has a broken percent-escape")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), encoding="utf-8",
                          errors="strict")
    except UnicodeDecodeError:
        raise ChannelInputError(400, "the form body is not valid URL-encoded UTF-8") from None
    except ValueError as exc:
        raise ChannelInputError(400, f"the form body is malformed: {exc}") from None
    return MultiDict(pairs)


async def read_signed_form(request: web.Request, validator: RequestValidator, public_url: str) -> MultiDict[str]:
    """The form of a request Twilio signed for this hub's public URL; 403 for anything else."""
    if request.content_type != FORM_TYPE:
        raise ChannelInputError(415, f"Twilio webhooks are {FORM_TYPE}, not {request.content_type or 'empty'}")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        raise ChannelInputError(403, "the X-Twilio-Signature header is missing")
    form = parse_form(await request.read())
    # raw_path_qs: Twilio signs the URL as configured, percent-escapes included.
    url = public_url + request.rel_url.raw_path_qs
    if not validator.validate(url, form, signature):
        raise ChannelInputError(403, f"the X-Twilio-Signature does not match this request for {url}; check that "
                        "HUB_PUBLIC_URL is the URL configured in Twilio and TWILIO_AUTH_TOKEN is current")
    return form
