"""What the reports read: counts grouped in the database, durations summarised from the values computed
once when they happened (hub/store/reports.py), conversation volume from the conversations themselves.

Medians and percentiles are taken in Python over the projected numbers (hub.metrics.stats): the embedded
server has no $percentile, and one projection of a number per event is what the raw aggregation reads too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Final

from bson import ObjectId

from hub import names as model
from hub.metrics.buckets import Bucket, bucket_label, heat_map
from hub.metrics.stats import summarize
from hub.store import presence_log
from hub.store.db import Db, Doc
from routing.errors import DepartmentValidationError
from routing.model import SlaTarget
from routing.policy_io import department_from_dict

COUNTED: Final = ("created", "resolved", "reopened", "first_response", "next_response", "messages_in",
                   "messages_out")
DURATIONS: Final = {"first_response": "first_response", "next_response": "next_response",
                    "resolution": "resolved"}  # metric name -> event kind
MESSAGES: Final = {"messages_in": "message_in", "messages_out": "message_out"}  # metric name -> event kind
METRICS: Final = ("created", "resolved", "reopened", *DURATIONS, *MESSAGES)
COUNT_OF: Final = {MESSAGES.get(name, name): name for name in COUNTED}  # event kind -> count name


def event_kind(metric: str) -> str:
    return DURATIONS.get(metric) or MESSAGES.get(metric) or metric
BREACHES_SHOWN: Final = 200


@dataclass(frozen=True, slots=True)
class ReportFilter:
    start: datetime
    end: datetime  # exclusive
    department_ids: tuple[ObjectId, ...] | None = None  # None: every department
    agent_id: ObjectId | None = None
    channel: str | None = None
    label: str | None = None
    priority: str | None = None

    def events(self, kinds: tuple[str, ...] | str) -> Doc:
        query: Doc = {"kind": kinds if isinstance(kinds, str) else {"$in": list(kinds)},
                      "at": {"$gte": self.start, "$lt": self.end}}
        return {**query, **self._common("agent_id", "channel")}

    def conversations(self) -> Doc:
        query: Doc = {"created_at": {"$gte": self.start, "$lt": self.end}}
        common = self._common("assignee_id", None)
        if self.channel is not None:
            common["channels"] = self.channel
        return {**query, **common}

    def _common(self, agent_field: str, channel_field: str | None) -> Doc:
        query: Doc = {}
        if self.department_ids is not None:
            query["department_id"] = {"$in": list(self.department_ids)}
        if self.agent_id is not None:
            query[agent_field] = self.agent_id
        if self.channel is not None and channel_field:
            query[channel_field] = self.channel
        if self.label is not None:
            query["labels"] = self.label
        if self.priority is not None:
            query["priority"] = self.priority
        return query


async def counts(db: Db, where: ReportFilter) -> dict[str, int]:
    found = {kind: 0 for kind in COUNTED}
    found["created"] = await db[model.CONVERSATIONS].count_documents(where.conversations())
    kinds = tuple(event_kind(name) for name in COUNTED[1:])
    pipeline: list[Doc] = [{"$match": where.events(kinds)}, {"$group": {"_id": "$kind", "n": {"$sum": 1}}}]
    async for row in await db[model.REPORT_EVENTS].aggregate(pipeline):
        found[COUNT_OF[row["_id"]]] = row["n"]
    return found


async def messages_by(db: Db, where: ReportFilter) -> Doc:
    """Messages in and out per channel, department and agent ("out": the agent who replied)."""
    pipeline: list[Doc] = [
        {"$match": where.events(tuple(MESSAGES.values()))},
        {"$group": {"_id": {"kind": "$kind", "channel": "$channel", "department": "$department_id",
                            "agent": "$agent_id"}, "n": {"$sum": 1}}}]
    tallies: dict[str, dict[Any, Doc]] = {"channel": {}, "department": {}, "agent": {}}
    async for row in await db[model.REPORT_EVENTS].aggregate(pipeline):
        direction = "in" if row["_id"]["kind"] == "message_in" else "out"
        for side, table in tallies.items():
            key = row["_id"].get(side)
            entry = table.setdefault(key, {side: key, "in": 0, "out": 0})
            entry[direction] += row["n"]
    names = await _names(db, model.DEPARTMENTS, [k for k in tallies["department"] if k is not None])
    names |= await _names(db, model.USERS, [k for k in tallies["agent"] if k is not None])
    out: Doc = {}
    for side, table in tallies.items():
        rows = [{**entry, "name": names.get(key) if side != "channel" else key} for key, entry in table.items()]
        out[f"by_{side}"] = sorted(rows, key=lambda r: (-(r["in"] + r["out"]), str(r["name"] or "")))
    return out


async def _names(db: Db, collection: str, ids: list[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    return {d["_id"]: str(d.get("name") or d.get("email") or d["_id"])
            async for d in db[collection].find({"_id": {"$in": ids}}, {"name": 1, "email": 1})}


async def _durations(db: Db, where: ReportFilter, kind: str) -> list[Doc]:
    cursor = db[model.REPORT_EVENTS].find(where.events(kind),
                                          {"_id": 0, "at": 1, "wall_seconds": 1, "business_seconds": 1})
    return await cursor.to_list(None)


async def speed(db: Db, where: ReportFilter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    found = await asyncio.gather(*(_durations(db, where, kind) for kind in DURATIONS.values()))
    for metric, rows in zip(DURATIONS, found, strict=True):
        out[metric] = {"wall": summarize(r["wall_seconds"] for r in rows).as_dict(),
                       "business": summarize(r["business_seconds"] for r in rows).as_dict()}
    return out


async def backlog(db: Db, where: ReportFilter) -> dict[str, Any]:
    query = {k: v for k, v in where.conversations().items() if k != "created_at"}
    query["active"] = True
    statuses = {s: 0 for s in ("open", "pending", "snoozed")}
    async for row in await db[model.CONVERSATIONS].aggregate(
            [{"$match": query}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]):
        if row["_id"] in statuses:
            statuses[row["_id"]] = row["n"]
    oldest = await db[model.CONVERSATIONS].find_one({**query, "waiting_since": {"$ne": None}},
                                                   {"waiting_since": 1}, sort=[("waiting_since", 1)])
    return {**statuses, "oldest_waiting_since": oldest.get("waiting_since") if oldest else None,
            "oldest_waiting_id": oldest["_id"] if oldest else None}


async def heat(db: Db, where: ReportFilter, tz: tzinfo) -> list[list[int]]:
    rows = await db[model.CONVERSATIONS].find(where.conversations(), {"_id": 0, "created_at": 1}).to_list(None)
    return heat_map((r["created_at"] for r in rows), tz)


async def timeseries(db: Db, where: ReportFilter, metric: str, bucket: Bucket, tz: tzinfo) -> list[Doc]:
    if metric == "created":
        rows = await db[model.CONVERSATIONS].find(where.conversations(), {"_id": 0, "created_at": 1}).to_list(None)
        moments = [(r["created_at"], None) for r in rows]
    else:
        moments = [(r["at"], r["wall_seconds"] if metric in DURATIONS else None)
                   for r in await _durations(db, where, event_kind(metric))]
    grouped: dict[str, list[float]] = defaultdict(list)
    tally: dict[str, int] = defaultdict(int)
    for at, seconds in moments:
        label = bucket_label(at, bucket, tz)
        tally[label] += 1
        if seconds is not None:
            grouped[label].append(seconds)
    points: list[Doc] = []
    for label in sorted(tally):
        point: Doc = {"bucket": label, "count": tally[label]}
        if metric in DURATIONS:
            point.update(summarize(grouped[label]).as_dict())
        points.append(point)
    return points


async def _time_online(db: Db, where: ReportFilter, now: datetime, per: dict[ObjectId, Doc],
                       row: Callable[[ObjectId], Doc]) -> None:
    """Seconds online in the range: for the agents of the table, and any other agent the viewer's scope
    holds (one agent; a lead's departments' members; everyone for an admin)."""
    wanted = None if where.agent_id is None else [where.agent_id]
    online = await presence_log.online_seconds(db, where.start, where.end, now, wanted)
    extra = [user for user in online if user not in per]
    if extra and where.department_ids is not None:
        members = {u["_id"] async for u in db[model.USERS].find(
            {"_id": {"$in": extra}, "department_ids": {"$in": list(where.department_ids)}}, {"_id": 1})}
        extra = [user for user in extra if user in members]
    for user in [*per, *extra]:
        row(user)["online_seconds"] = online.get(user, 0.0)


async def agents(db: Db, where: ReportFilter, now: datetime) -> list[Doc]:
    pipeline: list[Doc] = [
        {"$match": {**where.events(("first_response", "resolved")), "agent_id": {"$ne": None}}},
        {"$group": {"_id": {"agent": "$agent_id", "kind": "$kind"}, "n": {"$sum": 1},
                    "seconds": {"$push": "$wall_seconds"}}},
    ]
    per: dict[ObjectId, Doc] = {}

    def row(agent_id: ObjectId) -> Doc:
        return per.setdefault(agent_id, {"agent_id": agent_id, "resolved": 0, "first_responses": 0,
                                         "median_first_response": None, "open": 0, "assigned": 0,
                                         "csat_average": None, "csat_responses": 0, "online_seconds": 0.0})

    async for found in await db[model.REPORT_EVENTS].aggregate(pipeline):
        entry = row(found["_id"]["agent"])
        if found["_id"]["kind"] == "resolved":
            entry["resolved"] = found["n"]
        else:
            entry["first_responses"] = found["n"]
            entry["median_first_response"] = summarize(found["seconds"]).median
    assigned = {k: v for k, v in where.conversations().items() if k != "assignee_id"}
    async for found in await db[model.CONVERSATIONS].aggregate([
            {"$match": {**assigned, "assignee_id": where.agent_id or {"$ne": None}}},
            {"$group": {"_id": "$assignee_id", "n": {"$sum": 1}}}]):
        row(found["_id"])["assigned"] = found["n"]
    open_now = {k: v for k, v in assigned.items() if k != "created_at"}
    async for found in await db[model.CONVERSATIONS].aggregate([
            {"$match": {**open_now, "active": True, "assignee_id": where.agent_id or {"$ne": None}}},
            {"$group": {"_id": "$assignee_id", "n": {"$sum": 1}}}]):
        row(found["_id"])["open"] = found["n"]
    async for found in await db[model.CSAT_RESPONSES].aggregate([
            {"$match": {**csat_query(where), "agent_id": where.agent_id or {"$ne": None}}},
            {"$group": {"_id": "$agent_id", "n": {"$sum": 1}, "total": {"$sum": "$score"}}}]):
        entry = row(found["_id"])
        entry["csat_responses"] = found["n"]
        entry["csat_average"] = round(found["total"] / found["n"], 3)
    await _time_online(db, where, now, per, row)
    names = {u["_id"]: u.get("name") or u.get("email")
             async for u in db[model.USERS].find({"_id": {"$in": list(per)}}, {"name": 1, "email": 1})}
    return sorted(({**r, "name": names.get(r["agent_id"], str(r["agent_id"]))} for r in per.values()),
                  key=lambda r: (str(r["name"]).casefold(), str(r["agent_id"])))


def _targets(doc: Mapping[str, Any]) -> Mapping[str, SlaTarget]:
    if not doc.get("sla"):
        return {}
    try:
        return department_from_dict({"id": str(doc["_id"]), "sla": doc["sla"]}).sla
    except DepartmentValidationError:
        return {}


@dataclass(frozen=True, slots=True)
class SlaCheck:
    event: Doc
    department: str
    priority: str
    target: str  # first_response or resolution
    limit: float

    @property
    def met(self) -> bool:
        return bool(self.event["business_seconds"] <= self.limit)


async def sla_checks(db: Db, where: ReportFilter) -> AsyncIterator[SlaCheck]:
    """Each first response and resolution of the range that has a target, oldest first."""
    departments = {d["_id"]: d async for d in db[model.DEPARTMENTS].find({}, {"sla": 1, "name": 1})}
    targets = {key: _targets(doc) for key, doc in departments.items()}
    rows = db[model.REPORT_EVENTS].find(where.events(("first_response", "resolved")),
                                        {"conversation_id": 1, "kind": 1, "department_id": 1, "priority": 1,
                                         "business_seconds": 1, "at": 1, "agent_id": 1})
    async for event in rows.sort([("at", 1), ("_id", 1)]):
        target = targets.get(event.get("department_id"), {}).get(event.get("priority") or "normal")
        limit = None if target is None else (
            target.first_response if event["kind"] == "first_response" else target.resolution)
        if limit is None:
            continue
        department = departments.get(event.get("department_id"), {})
        yield SlaCheck(event, str(department.get("name") or ""), event.get("priority") or "normal",
                       "first_response" if event["kind"] == "first_response" else "resolution", limit)


async def sla(db: Db, where: ReportFilter) -> Doc:
    """% of first responses and resolutions within their department's target for their priority, in
    business-hours seconds (the clock pauses while the department is closed), and the breaches."""
    groups: dict[tuple[str, str, str], Doc] = {}
    breaches: list[Doc] = []
    async for check in sla_checks(db, where):
        event = check.event
        key = (check.department, check.priority, check.target)
        group = groups.setdefault(key, {"department_id": event.get("department_id"), "department": key[0],
                                        "priority": key[1], "target": key[2], "target_seconds": check.limit,
                                        "met": 0, "total": 0})
        group["total"] += 1
        if check.met:
            group["met"] += 1
        else:
            breaches.append({"conversation_id": event["conversation_id"], "target": key[2],
                             "department": key[0], "priority": key[1], "agent_id": event.get("agent_id"),
                             "at": event["at"], "seconds": event["business_seconds"], "target_seconds": check.limit})
    out = []
    for key in sorted(groups):
        group = groups[key]
        group["met_percent"] = round(100 * group["met"] / group["total"], 2)
        out.append(group)
    return {"targets": out, "breaches": breaches[-BREACHES_SHOWN:], "breach_count": len(breaches)}


def csat_query(where: ReportFilter) -> Doc:
    query: Doc = {"created_at": {"$gte": where.start, "$lt": where.end}}
    if where.department_ids is not None:
        query["department_id"] = {"$in": list(where.department_ids)}
    if where.agent_id is not None:
        query["agent_id"] = where.agent_id
    if where.channel is not None:
        query["channel"] = where.channel
    return query


async def csat(db: Db, where: ReportFilter) -> Doc:
    distribution = {str(score): 0 for score in range(1, 6)}
    async for row in await db[model.CSAT_RESPONSES].aggregate(
            [{"$match": csat_query(where)}, {"$group": {"_id": "$score", "n": {"$sum": 1}}}]):
        distribution[str(row["_id"])] = row["n"]
    total = sum(distribution.values())
    points = sum(int(score) * n for score, n in distribution.items())
    satisfied = distribution["4"] + distribution["5"]
    comments = await db[model.CSAT_RESPONSES].find(
        {**csat_query(where), "comment": {"$nin": [None, ""]}},
        {"conversation_id": 1, "score": 1, "comment": 1, "created_at": 1, "agent_id": 1, "department_id": 1},
    ).sort([("created_at", -1), ("_id", -1)]).to_list(50)
    return {"responses": total, "average": round(points / total, 3) if total else None,
            "distribution": distribution, "satisfied_percent": round(100 * satisfied / total, 2) if total else None,
            "comments": comments}
