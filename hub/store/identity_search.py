"""Finding a contact by who they are rather than by their words: a phone number however it was typed, a
Telegram username with or without its @.

The phone rule (the README's "Search" section says the same):
- A query is a phone number when, without its spaces, dashes, dots, slashes and parentheses, it is an
  optional '+' followed only by digits (of any script: ۰۹۱۲ and ٠٩١٢ count), 7 to 17 of them.
- International ('+98 912 345 6789', '0098 912…'): '00' is read as '+'; phonenumbers parses it (so
  '+44 (0)20…' loses its trunk 0) and only the contact whose phone identity is exactly that E.164
  number matches.
- National ('0912 345 6789', '(415) 555-0100', '912-345-6789'): leading trunk zeros are dropped and the
  digits left (at least 7 of them) must be the end of a stored E.164 number. Without a country the
  suffix is the most a national number can say, so two countries' numbers ending alike both match.

A username query is '@' and a name, or a bare word that could be one (letters, digits and '_', starting
with a letter, 3 to 32 long); it matches the username the contact's Telegram messages carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from bson import ObjectId

from channels.base import PHONE
from hub import names as model
from hub.store import identities
from hub.store.db import Db
from hub.store.documents import Contact, contacts_in
from routing.text import ascii_digits

MIN_NATIONAL_DIGITS = 7
MAX_DIGITS = 17  # 15 of E.164 plus a written trunk prefix
_SEPARATORS = re.compile(r"[\s\-.()/\u00a0\u2010-\u2015\u2212]")
_PHONE_SHAPE = re.compile(r"\+?[0-9]+")
_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{2,31})")
_INDEXED_TAIL = 9  # search.match_keys keeps "phone:<last 9 digits>" (indexed) for every phone identity
SCAN_LIMIT = 50


@dataclass(frozen=True)
class PhoneQuery:
    digits: str  # international: the E.164 digits; national: the significant digits
    international: bool

    def matches(self, e164: str) -> bool:
        stored = e164.lstrip("+")
        return stored == self.digits if self.international else stored.endswith(self.digits)


def phone_query(raw: str) -> PhoneQuery | None:
    """The number a query names, or None when it is not shaped like one."""
    written = ascii_digits(raw.strip())
    compact = _SEPARATORS.sub("", written)
    if not _PHONE_SHAPE.fullmatch(compact) or len(compact.lstrip("+")) > MAX_DIGITS:
        return None
    if compact.startswith("00"):
        return _international("+" + written[2:], "+" + compact[2:])
    if compact.startswith("+"):
        return _international(written, compact)
    significant = compact.lstrip("0")
    return PhoneQuery(significant, False) if len(significant) >= MIN_NATIONAL_DIGITS else None


def _international(written: str, compact: str) -> PhoneQuery | None:
    try:
        # The text as written: phonenumbers knows "+44 (0)20 …" holds a trunk 0 that E.164 leaves out.
        e164 = str(phonenumbers.format_number(phonenumbers.parse(written, None), phonenumbers.PhoneNumberFormat.E164))
    except phonenumbers.NumberParseException:
        e164 = compact  # an unknown country code: its digits as typed
    digits = e164.lstrip("+")
    return PhoneQuery(digits, True) if len(digits) >= MIN_NATIONAL_DIGITS else None


def username_query(raw: str) -> str | None:
    """The username a query could be (lower-cased: Telegram usernames ignore case), or None."""
    match = _USERNAME.fullmatch(raw.strip())
    return match.group(1).casefold() if match else None


def handle_key(channel: str, username: str) -> str:
    """What contacts keep in `handles` (indexed) for an exact username lookup."""
    return f"{channel}:{username.casefold()}"


def _live(contacts: list[Contact]) -> list[Contact]:
    return [c for c in contacts if c.get("merged_into") is None]


async def contacts_by_phone(db: Db, query: PhoneQuery, limit: int = SCAN_LIMIT) -> list[Contact]:
    """Contacts whose phone identity (SMS and WhatsApp share it) the query names."""
    collection = contacts_in(db)
    if query.international:
        holder = await identities.holder(db, PHONE, f"+{query.digits}")  # the claim: one _id lookup
        found = [] if holder is None else await collection.find({"_id": holder}).to_list(1)
    elif len(query.digits) >= _INDEXED_TAIL:
        found = await collection.find({"match_keys": f"phone:{query.digits[-_INDEXED_TAIL:]}"}).to_list(limit * 4)
    else:  # 7 or 8 digits: fewer than the indexed key holds, so a scan (as the text search is)
        pattern = rf"^\+[0-9]*{query.digits}$"
        found = await collection.find({"identities.value": {"$regex": pattern}}).limit(limit * 4).to_list(limit * 4)
    held = [c for c in found if any(i.get("kind") == PHONE and query.matches(str(i.get("value") or ""))
                                    for i in c.get("identities") or [])]
    return _live(held)[:limit]


async def contacts_by_username(db: Db, username: str, channel: str = "telegram",
                               limit: int = SCAN_LIMIT) -> list[Contact]:
    found = await contacts_in(db).find({"handles": handle_key(channel, username)}).to_list(limit)
    return _live(found)


async def reported_username(db: Db, contact_id: ObjectId, channel: str, scan: int = 20) -> str | None:
    """The username the contact's newest messages on `channel` carried (None when they carried none)."""
    cursor = db[model.MESSAGES].find({"contact_id": contact_id}, {"channel": 1, "extras.username": 1})
    for message in await cursor.sort("created_at", -1).limit(scan).to_list(scan):
        username = (message.get("extras") or {}).get("username")
        if message.get("channel") == channel and isinstance(username, str) and username:
            return username
    return None
