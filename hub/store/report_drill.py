"""The conversations behind a report's number (issue 14's drill-down), newest first.

Each metric names the same set the number counts, with the same filter: conversations created (or created
and assigned), the events of a kind in the range, the backlog now, the ratings, and the first responses
and resolutions measured against an SLA target (all of them, or only the breaches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from bson import ObjectId

from hub import names as model
from hub.store import report_queries
from hub.store.db import Db, Doc
from hub.store.report_queries import ReportFilter

BACKLOG: Final = ("open", "pending", "snoozed", "active")
SLA: Final = ("sla_first_response", "sla_resolution", "breaches_first_response", "breaches_resolution")
DRILLS: Final = (*report_queries.METRICS, "assigned", *BACKLOG, "csat", *SLA)
SHOWN: Final = 500
_FIELDS: Final = {"contact_name": 1, "status": 1, "created_at": 1, "last_channel": 1, "department_id": 1,
                  "assignee_id": 1, "priority": 1}


@dataclass(frozen=True, slots=True)
class Behind:
    total: int  # distinct conversations the number counts
    conversations: list[Doc]  # the newest SHOWN of them


def _now_query(where: ReportFilter) -> Doc:
    return {k: v for k, v in where.conversations().items() if k != "created_at"}


async def _ids(db: Db, where: ReportFilter, metric: str, score: int | None) -> list[ObjectId]:
    if metric in ("created", "assigned"):
        query = where.conversations()
        if metric == "assigned" and where.agent_id is None:
            query["assignee_id"] = {"$ne": None}
        cursor = db[model.CONVERSATIONS].find(query, {"_id": 1}).sort([("created_at", -1), ("_id", -1)])
        return [d["_id"] async for d in cursor]
    if metric in BACKLOG:
        query = {**_now_query(where), "active": True}
        if metric != "active":
            query["status"] = metric
        elif where.agent_id is None:
            query["assignee_id"] = {"$ne": None}  # an agent's open load: what agents hold
        cursor = db[model.CONVERSATIONS].find(query, {"_id": 1}).sort([("last_message_at", -1), ("_id", -1)])
        return [d["_id"] async for d in cursor]
    if metric == "csat":
        query = report_queries.csat_query(where)
        if score is not None:
            query["score"] = score
        cursor = db[model.CSAT_RESPONSES].find(query, {"conversation_id": 1}).sort([("created_at", -1), ("_id", -1)])
        return [d["conversation_id"] async for d in cursor]
    if metric in SLA:
        target = metric.split("_", 1)[1]
        checks = [c async for c in report_queries.sla_checks(db, where)
                  if c.target == target and (metric.startswith("sla_") or not c.met)]
        return [c.event["conversation_id"] for c in reversed(checks)]
    cursor = db[model.REPORT_EVENTS].find(where.events(report_queries.event_kind(metric)),
                                          {"conversation_id": 1}).sort([("at", -1), ("_id", -1)])
    return [d["conversation_id"] async for d in cursor]


async def conversations_behind(db: Db, where: ReportFilter, metric: str, score: int | None = None) -> Behind:
    ordered = list(dict.fromkeys(await _ids(db, where, metric, score)))  # distinct, newest first
    shown = ordered[:SHOWN]
    found: dict[Any, Doc] = {d["_id"]: d async for d in db[model.CONVERSATIONS].find({"_id": {"$in": shown}}, _FIELDS)}
    return Behind(len(ordered), [found[i] for i in shown if i in found])
