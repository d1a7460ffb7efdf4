"""A Twilio messaging webhook's form -> InboundMessage, plus the media still to download."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.base import PHONE, Attachment, ChannelInputError, Identity, InboundMessage
from channels.twilio import phones
from channels.twilio.media import MediaRef, filename_for

MAX_MEDIA = 10  # Twilio's own limit per message


@dataclass(frozen=True)
class ParsedInbound:
    message: InboundMessage
    media: list[MediaRef]


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    if value is None or not value.strip():
        raise ChannelInputError(400, f"the webhook has no {name}")
    return value


def _location(form: Mapping[str, str]) -> dict[str, Any] | None:
    lat, lon = form.get("Latitude"), form.get("Longitude")
    if lat is None and lon is None:
        return None
    try:
        latitude, longitude = float(lat or ""), float(lon or "")
    except ValueError:
        raise ChannelInputError(400, "Latitude and Longitude must both be numbers") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ChannelInputError(400, "Latitude and Longitude are out of range")
    return {"latitude": latitude, "longitude": longitude, "label": form.get("Label") or None,
            "address": form.get("Address") or None,
            "url": f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=17/{latitude}/{longitude}"}


def _location_text(location: dict[str, Any]) -> str:
    named = ", ".join(part for part in (location["label"], location["address"]) if part)
    where = f"{location['latitude']:.6f}, {location['longitude']:.6f}"
    return f"📍 {named} ({where})" if named else f"📍 Location {where}"


def _media(form: Mapping[str, str], message_sid: str) -> list[MediaRef]:
    raw = form.get("NumMedia", "0") or "0"
    try:
        count = int(raw)
    except ValueError:
        raise ChannelInputError(400, f"NumMedia must be a number, not {raw[:20]!r}") from None
    if not 0 <= count <= MAX_MEDIA:
        raise ChannelInputError(400, f"NumMedia must be between 0 and {MAX_MEDIA}")
    refs = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}")
        if not url:
            raise ChannelInputError(400, f"NumMedia is {count} but MediaUrl{index} is missing")
        refs.append(MediaRef(url, (form.get(f"MediaContentType{index}") or "application/octet-stream")[:100]))
    return refs


def parse(form: Mapping[str, str], default_region: str, received_at: datetime) -> ParsedInbound:
    message_sid = _required(form, "MessageSid").strip()
    sender = _required(form, "From")
    to = form.get("To", "")
    try:
        address = phones.parse_address(sender, phones.region_of(to) or default_region)
    except phones.NotAPhoneNumber as exc:
        raise ChannelInputError(400, f"From: {exc}") from None
    media = _media(form, message_sid)
    location = _location(form)
    body = form.get("Body")
    if body is None and not media and location is None:
        raise ChannelInputError(400, "the webhook has no Body")
    # NUL cannot be shown or searched and breaks some drivers; everything else is kept as sent.
    text = (body or "").replace("\x00", "")
    extras: dict[str, Any] = {"to": to, "account_sid": form.get("AccountSid")}
    if location is not None:
        extras["location"] = location
        text = text or _location_text(location)
    if form.get("WaId"):
        extras["wa_id"] = form["WaId"]
    profile_name = (form.get("ProfileName") or "").replace("\x00", "").strip()[:200] or None
    pending = tuple(Attachment(filename_for(message_sid, i, ref.content_type), ref.content_type, 0)
                    for i, ref in enumerate(media))
    message = InboundMessage(
        channel=address.channel, identity=Identity(PHONE, address.e164), text=text, received_at=received_at,
        external_id=message_sid, contact_name=profile_name, attachments=pending, raw=dict(form), extras=extras,
    )
    return ParsedInbound(message, media)
