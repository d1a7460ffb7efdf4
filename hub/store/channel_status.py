"""Per channel: when the last customer message arrived and why the last reply failed (admin status page).

Both read indexes that ingest and the outbox need anyway, so the admin page costs no index entry per
message: the last arrival is the newest raw payload of the channel (raw_inbound's `received`), and the
last failure is found among the newest failed replies (the sparse outbox index, which holds replies only).
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

from hub import names as model
from hub.store.db import Db, Doc

FAILURES_SCANNED = 200  # the newest failed replies of every channel looked through for this channel's last


async def last_inbound(db: Db, channel: str) -> Doc | None:
    found = await db[model.RAW_INBOUND].find_one(
        # The index's exact reverse: one backward step into (channel, received_at).
        {"channel": channel}, {"received_at": 1}, sort=[("channel", DESCENDING), ("received_at", DESCENDING)])
    return None if found is None else {"created_at": found["received_at"]}


async def last_failure(db: Db, channel: str) -> Doc | None:
    cursor = db[model.MESSAGES].find(
        {"status": "failed"}, {"error": 1, "updated_at": 1, "failed_at": 1, "conversation_id": 1, "channel": 1},
        sort=[("status", ASCENDING), ("next_attempt_at", DESCENDING)]).limit(FAILURES_SCANNED)
    failures = [f async for f in cursor if f.get("channel") == channel]
    return max(failures, key=lambda f: f.get("failed_at") or f.get("updated_at") or f["_id"].generation_time,
               default=None)
