"""The website chat's appearance, greeting, pre-chat form and department (channels/webchat/look.py), kept
under `look` in the same `webchat_sites` document as the identity secret and the allowed origins."""

from __future__ import annotations

from datetime import datetime

from channels.webchat.look import WidgetLook, of_doc
from hub.store.db import Db
from hub.store.webchat_sites import DEFAULT_SITE, WEBCHAT_SITES


async def look(db: Db, site: str = DEFAULT_SITE) -> WidgetLook:
    doc = await db[WEBCHAT_SITES].find_one({"_id": site}, {"look": 1})
    return of_doc((doc or {}).get("look"))


async def save_look(db: Db, chosen: WidgetLook, now: datetime, site: str = DEFAULT_SITE) -> None:
    await db[WEBCHAT_SITES].update_one({"_id": site}, {"$set": {"look": chosen.as_doc(), "look_saved_at": now}},
                                       upsert=True)
