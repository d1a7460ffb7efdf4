"""The backlog over time: how many conversations were open, pending and snoozed at the end of each bucket.

Read from the status-carrying report events alone (hub.store.reports.STATUS_KINDS), never from messages:
a conversation's status at a moment is the `status` of its latest such event before it. The statuses at
the start of the range come from one aggregation in the database (each conversation's latest event
before the range, keeping only those not resolved); the range's own events are then replayed in order.
A conversation is counted with the department, agent, labels and priority it had at its latest change.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Final

from bson import ObjectId

from hub import names as model
from hub.metrics.buckets import Bucket, bucket_label, bucket_starts
from hub.store.db import Db, Doc
from hub.store.report_queries import ReportFilter
from hub.store.reports import STATUS_KINDS

COUNTED: Final = ("open", "pending", "snoozed")


def _query(where: ReportFilter) -> Doc:
    query = where.events(STATUS_KINDS)
    query.pop("at")
    query["status"] = {"$exists": True}
    return query


async def statuses_at_start(db: Db, where: ReportFilter) -> dict[ObjectId, str]:
    pipeline: list[Doc] = [
        {"$match": {**_query(where), "at": {"$lt": where.start}}},
        {"$sort": {"at": 1, "_id": 1}},
        {"$group": {"_id": "$conversation_id", "status": {"$last": "$status"}}},
        {"$match": {"status": {"$in": list(COUNTED)}}},
    ]
    return {row["_id"]: row["status"] async for row in await db[model.REPORT_EVENTS].aggregate(pipeline)}


async def backlog_series(db: Db, where: ReportFilter, bucket: Bucket, tz: tzinfo) -> list[Doc]:
    """One point per bucket of the range (empty buckets included): the counts at the bucket's end."""
    status = await statuses_at_start(db, where)
    events = db[model.REPORT_EVENTS].find({**_query(where), "at": {"$gte": where.start, "$lt": where.end}},
                                          {"_id": 0, "conversation_id": 1, "status": 1, "at": 1})
    ordered = await events.sort([("at", 1), ("_id", 1)]).to_list(None)
    starts = bucket_starts(where.start, where.end, bucket, tz)
    tally = dict.fromkeys(COUNTED, 0)
    for value in status.values():
        tally[value] += 1
    points: list[Doc] = []
    i = 0
    for n, begins in enumerate(starts):
        ends = starts[n + 1] if n + 1 < len(starts) else where.end
        while i < len(ordered) and ordered[i]["at"] < ends:
            event = ordered[i]
            was = status.get(event["conversation_id"])
            if was in tally:
                tally[was] -= 1
            status[event["conversation_id"]] = event["status"]
            if event["status"] in tally:
                tally[event["status"]] += 1
            i += 1
        points.append({"bucket": bucket_label(begins, bucket, tz), **tally})
    return points
