"""Search without `$text` (the embedded server has no text indexes): a normalised `search_text` field is
written beside every customer message and contact, and queries are an escaped regex over it.

Normalising at write time and query time with the same function is what makes Arabic and Persian
keyboards (ي/ی, ك/ک), harakat, tatweel, full-width forms, digits of any script and case agree.
Vietnamese is stored twice, with and without its tone marks, so "nguyen" finds "Nguyễn" and "Nguyễn"
still finds only itself.

Two kinds of query also look at who a contact is (hub/store/identity_search.py): a phone number in any
format finds the contact whose phone identity (E.164) it is, and "@name" finds a Telegram username.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from channels.base import EMAIL, PHONE
from hub import names as model
from hub.store import identity_search
from hub.store.db import Db, Doc
from hub.store.documents import Contact, contacts_in
from routing.text import normalize_text

MAX_STORED = 4000  # characters of a message kept searchable: a pasted log should not bloat every document
MAX_QUERY = 200
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def _strip_latin_marks(text: str) -> str:
    """Tone and accent marks off Latin letters only (NFD on Hangul or Arabic would break those apart)."""
    out: list[str] = []
    for ch in text:
        if _LATIN.match(ch):
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            out.append(base.replace("đ", "d").replace("Đ", "d"))
        else:
            out.append(ch)
    return "".join(out)


def search_key(text: str) -> str:
    """The form both stored text and queries take."""
    return normalize_text(text)  # routing.text.fold: NFKC, ascii_digits, letter variants


def search_text(*parts: Any) -> str:
    """What to store: every part normalised, plus an unaccented copy when accents were present."""
    joined = search_key(" ".join(str(p) for p in parts if p))[:MAX_STORED]
    bare = _strip_latin_marks(joined)
    return joined if bare == joined else f"{joined} \u2063 {bare}"


def query_pattern(raw: str) -> str | None:
    """An escaped regex for a user's query; None when nothing searchable is left."""
    key = search_key(raw[:MAX_QUERY])
    return re.escape(key) if key else None


def match_keys(contact: Mapping[str, Any]) -> list[str]:
    """Keys two records of one person are likely to share, for duplicate suggestions (indexed)."""
    keys: set[str] = set()
    name = search_key(str(contact.get("name") or ""))
    if len(name) >= 3:
        keys.add(f"name:{_strip_latin_marks(name)}")
    for identity in contact.get("identities") or []:
        value = str(identity.get("value") or "")
        if identity.get("kind") == PHONE:
            digits = "".join(c for c in value if c.isdigit())
            if len(digits) >= 8:
                keys.add(f"phone:{digits[-9:]}")  # the same subscriber written with another country prefix
        elif identity.get("kind") == EMAIL and "@" in value:
            local = value.lower().split("@", 1)[0].split("+", 1)[0].replace(".", "")
            if len(local) >= 4:
                keys.add(f"email:{local}")  # ana.silva@work and anasilva+shop@home
    return sorted(keys)


def usernames(contact: Mapping[str, Any]) -> dict[str, str]:
    """The public usernames a contact's channels told us (Telegram's), by channel."""
    found = contact.get("usernames")
    return {k: v for k, v in found.items() if isinstance(v, str) and v} if isinstance(found, dict) else {}


def contact_fields(contact: Mapping[str, Any]) -> Doc:
    """The derived fields a contact carries; recomputed whenever its name, identities or usernames change."""
    values = [i.get("value") for i in contact.get("identities") or []]
    names = usernames(contact)
    fields: Doc = {"search_text": search_text(contact.get("name"), *values, *(f"@{u}" for u in names.values())),
                   "match_keys": match_keys(contact)}
    if "usernames" in contact:  # only then: the index on it is sparse; [] replaces a name cleared since
        fields["handles"] = sorted(identity_search.handle_key(k, v) for k, v in names.items())
    return fields


async def conversations_matching(db: Db, raw: str, visible: Doc, limit: int = 50) -> list[Doc]:
    """Conversations whose contact or message text matches, that this user may see; newest first.

    The regex cannot use an index, so each scan is capped by a limit rather than a sort (which would
    read every match first).
    """
    pattern = query_pattern(raw)
    if pattern is None:
        return []
    ids: list[ObjectId] = []
    seen: set[ObjectId] = set()
    for person in await contacts_matching(db, raw, limit):
        seen.add(person["_id"])
    cursor = db[model.MESSAGES].find({"search_text": {"$regex": pattern}}, {"conversation_id": 1})
    hits = await cursor.limit(limit * 4).to_list(limit * 4)
    for hit in hits:
        if hit.get("conversation_id") not in ids:
            ids.append(hit["conversation_id"])
    clauses: list[Doc] = [{"$or": [{"_id": {"$in": ids}}, {"contact_id": {"$in": list(seen)}}]}]
    if visible:
        clauses.append(visible)
    found: list[Doc] = await db[model.CONVERSATIONS].find({"$and": clauses}).to_list(limit * 4)
    found.sort(key=lambda c: c.get("last_message_at") or _EPOCH, reverse=True)
    return found[:limit]


async def contacts_matching(db: Db, raw: str, limit: int = 50) -> list[Contact]:
    """Who the query names first (a phone number in any format, a Telegram username), then text matches."""
    pattern = query_pattern(raw)
    if pattern is None:
        return []
    exact: list[Contact] = []
    phone = identity_search.phone_query(raw[:MAX_QUERY])
    if phone is not None:
        exact += await identity_search.contacts_by_phone(db, phone, limit)
    username = identity_search.username_query(raw[:MAX_QUERY])
    if username is not None:
        exact += await identity_search.contacts_by_username(db, username, limit=limit)
    cursor = contacts_in(db).find({"search_text": {"$regex": pattern}, "merged_into": {"$exists": False}})
    found = {c["_id"]: c for c in exact}
    for contact in await cursor.limit(limit).to_list(limit):
        found.setdefault(contact["_id"], contact)
    return list(found.values())[:limit]
