"""The public username a channel reports for its sender (Telegram's @name), kept on the contact so agents
can search for it (hub/store/identity_search.py).

A channel that knows its sender's username puts it in `InboundMessage.extras["username"]`; the
contact holding the message's identity keeps the newest one per channel. Contacts from before this
existed get theirs from their stored messages once, in the background after a start.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator

from aiohttp import web

from channels.base import TELEGRAM, InboundMessage, stop_tasks
from hub import keys
from hub.store import contacts, identity_search
from hub.store.db import Db
from hub.store.documents import Contact

log = logging.getLogger(__name__)
_USERNAME = re.compile(r"[A-Za-z0-9_]{1,64}")  # Telegram's are 5 to 32 of these
BACKFILL_BATCH = 200
# Which identity kind a channel's usernames belong to (only Telegram reports one today).
USERNAME_CHANNELS = {"telegram": TELEGRAM}


def reported(inbound: InboundMessage) -> str | None:
    """The sender's username, when the channel gave one shaped like a username (anything else is ignored)."""
    value = inbound.extras.get("username")
    if inbound.channel not in USERNAME_CHANNELS or not isinstance(value, str):
        return None
    value = value.strip().lstrip("@")
    return value if _USERNAME.fullmatch(value) else None


async def record(db: Db, contact: Contact, inbound: InboundMessage) -> Contact:
    """The contact, with the message's username kept when it is new or changed (no write otherwise)."""
    username = reported(inbound)
    if username is None or (contact.get("usernames") or {}).get(inbound.channel) == username:
        return contact
    return await contacts.set_username(db, contact["_id"], inbound.channel, username) or contact


async def backfill(db: Db) -> int:
    """Give every contact that never had its username looked for the one its messages carried.

    A contact whose messages carried none gets None, so each is looked at once, ever.
    """
    done = 0
    for channel, kind in USERNAME_CHANNELS.items():
        while ids := await contacts.lacking_username(db, kind, channel, BACKFILL_BATCH):
            for contact_id in ids:
                username = await identity_search.reported_username(db, contact_id, channel)
                await contacts.set_username(db, contact_id, channel, username)
                done += 1
    return done


async def usernames_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the backfill beside the hub's start, not before it: a large contact list must not delay it."""
    async def run() -> None:
        try:
            done = await backfill(app[keys.HUB].db)
        except Exception:  # the next start tries again; search by name and number still works meanwhile
            log.warning("username backfill stopped early", exc_info=True)
        else:
            if done:
                log.info("usernames looked up for %d earlier contacts", done)

    task = asyncio.create_task(run())
    try:
        yield
    finally:
        await stop_tasks(task)
