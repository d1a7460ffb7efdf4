"""What a customer's Telegram message says, as plain data (no I/O): text, files to fetch, extras.

Kept apart from the webhook so every kind of message can be checked against real payloads.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from telegram import Message, User

# t.me/<bot>?start=PAYLOAD arrives as "/start PAYLOAD"; Telegram allows these characters, up to 64.
_START = re.compile(r"^/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})\s*$")
# Kinds of message a person can send that the inbox cannot show; said so rather than dropped.
_UNSHOWABLE = ("poll", "dice", "game", "story", "invoice", "giveaway", "paid_media", "checklist")


@dataclass(frozen=True)
class Media:
    """A file Telegram holds for us; fetched with getFile only if the hub will keep it."""

    file_id: str
    size: int | None
    filename: str
    content_type: str


@dataclass(frozen=True)
class Content:
    text: str
    media: tuple[Media, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)
    # The sender's own phone in E.164, when they shared it (the "share my phone number" button).
    own_phone: str | None = None
    start_payload: str | None = None


def sender_name(user: User) -> str | None:
    full = " ".join(part for part in (user.first_name, user.last_name) if part).strip()
    if full:
        return full
    return f"@{user.username}" if user.username else None


def normalise_phone(raw: str) -> str | None:
    """Telegram sends numbers with or without '+' ("989121234567"); E.164 or None when not a number."""
    cleaned = raw.strip()
    if not cleaned.startswith("+"):
        cleaned = "+" + cleaned
    try:
        number = phonenumbers.parse(cleaned, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _guess_type(filename: str, given: str | None, fallback: str) -> str:
    return given or mimetypes.guess_type(filename)[0] or fallback


def _media(message: Message) -> tuple[Media, ...]:
    if message.photo:
        # Sizes come smallest first; agents want the full picture.
        photo = message.photo[-1]
        return (Media(photo.file_id, photo.file_size, f"photo_{photo.file_unique_id}.jpg", "image/jpeg"),)
    if message.animation:  # Telegram sends an animation as a document too; keep it once.
        a = message.animation
        name = a.file_name or f"animation_{a.file_unique_id}.mp4"
        return (Media(a.file_id, a.file_size, name, _guess_type(name, a.mime_type, "video/mp4")),)
    if message.document:
        d = message.document
        name = d.file_name or f"document_{d.file_unique_id}"
        return (Media(d.file_id, d.file_size, name, _guess_type(name, d.mime_type, "application/octet-stream")),)
    if message.voice:
        v = message.voice
        return (Media(v.file_id, v.file_size, f"voice_{v.file_unique_id}.ogg", v.mime_type or "audio/ogg"),)
    if message.video_note:
        n = message.video_note
        return (Media(n.file_id, n.file_size, f"video_note_{n.file_unique_id}.mp4", "video/mp4"),)
    if message.audio:
        au = message.audio
        name = au.file_name or f"audio_{au.file_unique_id}.mp3"
        return (Media(au.file_id, au.file_size, name, _guess_type(name, au.mime_type, "audio/mpeg")),)
    if message.video:
        vi = message.video
        name = vi.file_name or f"video_{vi.file_unique_id}.mp4"
        return (Media(vi.file_id, vi.file_size, name, _guess_type(name, vi.mime_type, "video/mp4")),)
    return ()


def _map_url(latitude: float, longitude: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=17/{latitude:.6f}/{longitude:.6f}"


def read(message: Message) -> Content | None:
    """The message's content, or None for service messages nobody wrote (pins, joins...)."""
    sender = message.from_user
    text = message.text if message.text is not None else (message.caption or "")
    extras: dict[str, Any] = {}
    media = _media(message)
    own_phone: str | None = None
    start_payload: str | None = None
    if message.text is not None:
        match = _START.match(message.text)
        start_payload = match.group(1) if match else None
    if message.venue:
        venue, loc = message.venue, message.venue.location
        extras["location"] = {"latitude": loc.latitude, "longitude": loc.longitude,
                              "title": venue.title, "address": venue.address,
                              "map_url": _map_url(loc.latitude, loc.longitude)}
        text = f"Place: {venue.title}, {venue.address} ({loc.latitude:.6f}, {loc.longitude:.6f})"
    elif message.location:
        loc = message.location
        extras["location"] = {"latitude": loc.latitude, "longitude": loc.longitude,
                              "live": bool(loc.live_period), "map_url": _map_url(loc.latitude, loc.longitude)}
        label = "Live location" if loc.live_period else "Location"
        text = f"{label}: {loc.latitude:.6f}, {loc.longitude:.6f} {extras['location']['map_url']}"
    if message.contact:
        c = message.contact
        name = " ".join(p for p in (c.first_name, c.last_name) if p)
        phone = normalise_phone(c.phone_number)
        # A card is the sender's own number only when Telegram itself says so: it fills `user_id` from
        # the number, and a card they typed, picked from their address book for someone else, or
        # forwarded from another chat is a claim anyone can make. Such a card is shown, never joined.
        own = (sender is not None and c.user_id is not None and c.user_id == sender.id and phone is not None
               and message.forward_origin is None)
        extras["contact"] = {"name": name, "phone": phone or c.phone_number, "user_id": c.user_id,
                             "own": own}
        card = " ".join(part for part in (name, phone or c.phone_number) if part)
        if own:
            own_phone = phone
            text = f"Shared contact: {card}"
        else:
            text = f"Shared a contact card: {card} (not the customer's own number)"
    if message.sticker:
        text = f"[sticker {message.sticker.emoji or ''}]".replace(" ]", "]")
    if not text and not media:
        kind = next((k for k in _UNSHOWABLE if getattr(message, k, None)), None)
        if kind is None:
            return None
        text = f"(the customer sent a Telegram {kind.replace('_', ' ')}, which the inbox cannot show)"
    return Content(text=text, media=media, extras=extras, own_phone=own_phone, start_payload=start_payload)
