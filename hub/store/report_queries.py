"""What the reports read: counts grouped in the database, durations summarised from the values computed
once when they happened (hub/store/reports.py), conversation volume from the conversations themselves.

Medians and percentiles are taken in Python over the projected numbers (hub.metrics.stats): the embedded
server has no $percentile, and one projection of a number per event is what the raw aggregation reads too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any, Final

from bson import ObjectId

from hub import names as model
from hub.metrics.buckets import Bucket, bucket_label, heat_map
from hub.metrics.stats import summarize
from hub.store import presence_log
from hub.store.db import Db, Doc
from hub.store.report_rollups import ROLLED, aligned
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
BACKLOG_STATUSES: Final = ("open", "pending", "snoozed")


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

    def split(self) -> list[ReportFilter]:
        """One filter per department of the scope (a conversation or event has one department, so their
        answers add up): the embedded server plans no index for a `$in` and scanned every conversation for
        a lead of three departments (profile of the overview: its backlog alone 450 ms for none found)."""
        if self.department_ids is None or len(self.department_ids) < 2:
            return [self]
        return [replace(self, department_ids=(d,)) for d in self.department_ids]

    def _common(self, agent_field: str, channel_field: str | None) -> Doc:
        query: Doc = {}
        if self.department_ids is not None:
            # One department (a lead's usual scope) as an equality: the embedded server answers `$in` slowly.
            query["department_id"] = (self.department_ids[0] if len(self.department_ids) == 1
                                      else {"$in": list(self.department_ids)})
        if self.agent_id is not None:
            query[agent_field] = self.agent_id
        if self.channel is not None and channel_field:
            query[channel_field] = self.channel
        if self.label is not None:
            query["labels"] = self.label
        if self.priority is not None:
            query["priority"] = self.priority
        return query


async def find_each(db: Db, collection: str, queries: list[Doc], projection: Doc) -> list[Doc]:
    """The documents of several disjoint queries (one per department, ReportFilter.split), read together."""
    found = await asyncio.gather(*(db[collection].find(q, projection).to_list(None) for q in queries))
    return [doc for docs in found for doc in docs]


async def overview(db: Db, where: ReportFilter, tz: tzinfo) -> Doc:
    """Counts, speed and the heat map in as few reads as the embedded server answers fastest (measured in
    bench/reports.py): a find per duration kind gives its count and its values at once, one find of the
    range's conversations gives their count and the heat map, and the remaining kinds are counted by an
    index range each (equality on kind; an `$in` or a `$group` over the events cost several times more)."""
    created, durations, tallies = await asyncio.gather(
        find_each(db, model.CONVERSATIONS, [w.conversations() for w in where.split()], {"_id": 0, "created_at": 1}),
        asyncio.gather(*(_values(db, where, kind) for kind in DURATIONS.values())),
        asyncio.gather(*(_count(db, where, event_kind(name)) for name in ("reopened", *MESSAGES))))
    found = {kind: 0 for kind in COUNTED}
    found["created"] = len(created)
    speed: dict[str, Any] = {}
    for metric, (wall, business) in zip(DURATIONS, durations, strict=True):
        found[COUNT_OF[DURATIONS[metric]]] = len(wall)
        speed[metric] = {"wall": summarize(wall).as_dict(), "business": summarize(business).as_dict()}
    for name, n in zip(("reopened", *MESSAGES), tallies, strict=True):
        found[name] = n
    return {"counts": found, "speed": speed, "heat_map": heat_map((r["created_at"] for r in created), tz)}


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


async def _values(db: Db, where: ReportFilter, kind: str) -> tuple[list[float], list[float]]:
    """The wall and business seconds of a duration kind's events in the range."""
    rows = await _durations(db, where, kind)
    return [r["wall_seconds"] for r in rows], [r["business_seconds"] for r in rows]


async def _count(db: Db, where: ReportFilter, kind: str) -> int:
    """Messages and reopenings in the range, from the rollups (hub/store/report_rollups.py)."""
    if kind in ROLLED and aligned(where.start, where.end):
        docs = await find_each(db, model.REPORT_ROLLUPS, [w.events(kind) for w in where.split()], {"_id": 0, "n": 1})
        return sum(int(d.get("n") or 0) for d in docs)
    counts = await asyncio.gather(*(db[model.REPORT_EVENTS].count_documents(w.events(kind)) for w in where.split()))
    return sum(counts)


async def _durations(db: Db, where: ReportFilter, kind: str) -> list[Doc]:
    return await find_each(db, model.REPORT_EVENTS, [w.events(kind) for w in where.split()],
                           {"_id": 0, "at": 1, "wall_seconds": 1, "business_seconds": 1})


async def backlog(db: Db, where: ReportFilter) -> dict[str, Any]:
    """Open, pending and snoozed now, and who has waited longest: a find per status, whose equality the
    inbox's (department, status) and (status) indexes answer (an aggregation over `active` scanned)."""
    queries = [{k: v for k, v in w.conversations().items() if k != "created_at"} for w in where.split()]
    found = await asyncio.gather(*(find_each(db, model.CONVERSATIONS, [{**q, "status": status} for q in queries],
                                             {"waiting_since": 1}) for status in BACKLOG_STATUSES))
    waiting = [d for docs in found for d in docs if d.get("waiting_since") is not None]
    oldest = min(waiting, key=lambda d: (d["waiting_since"], d["_id"])) if waiting else None
    return {**{status: len(docs) for status, docs in zip(BACKLOG_STATUSES, found, strict=True)},
            "oldest_waiting_since": oldest["waiting_since"] if oldest else None,
            "oldest_waiting_id": oldest["_id"] if oldest else None}


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
    """Per agent: assigned, resolved, first responses and their median, open now, CSAT, time online.

    Plain finds of the few fields needed, grouped here: on the embedded server a `$group` costs several
    times the find of the same documents (bench/reports.py)."""
    # Only equalities beside the kind and time: the embedded server plans an index only when its leading
    # fields cover the whole query (events without an agent are left out here, not in the query).
    by_agent: Doc = {} if where.agent_id is None else {"agent_id": where.agent_id}
    # No `assignee_id: {$ne: None}` nor `active: True` in the queries (conversations without an assignee are
    # skipped below, inactive ones dropped here): either left the (department, created_at) and (department,
    # status) indexes uncovered and scanned every conversation, 3 times for a lead of three departments.
    parts = where.split()
    assigned = [w.conversations() for w in parts]
    now_queries = [{**{k: v for k, v in q.items() if k != "created_at"}, "status": status}
                   for q in assigned for status in BACKLOG_STATUSES]
    firsts, resolved, created, active, ratings = await asyncio.gather(
        find_each(db, model.REPORT_EVENTS, [{**w.events("first_response"), **by_agent} for w in parts],
                  {"_id": 0, "agent_id": 1, "wall_seconds": 1}),
        find_each(db, model.REPORT_EVENTS, [{**w.events("resolved"), **by_agent} for w in parts],
                  {"_id": 0, "agent_id": 1}),
        find_each(db, model.CONVERSATIONS, assigned, {"_id": 0, "assignee_id": 1}),
        find_each(db, model.CONVERSATIONS, now_queries, {"_id": 0, "assignee_id": 1, "active": 1}),
        db[model.CSAT_RESPONSES].find({**csat_query(where), **by_agent}, {"_id": 0, "agent_id": 1, "score": 1}
                                      ).to_list(None))
    per: dict[ObjectId, Doc] = {}

    def row(agent_id: ObjectId) -> Doc:
        return per.setdefault(agent_id, {"agent_id": agent_id, "resolved": 0, "first_responses": 0,
                                         "median_first_response": None, "open": 0, "assigned": 0,
                                         "csat_average": None, "csat_responses": 0, "online_seconds": 0.0})

    seconds: dict[ObjectId, list[float]] = defaultdict(list)
    for event in firsts:
        if event.get("agent_id") is not None:
            seconds[event["agent_id"]].append(event["wall_seconds"])
    for agent_id, values in seconds.items():
        row(agent_id).update(first_responses=len(values), median_first_response=summarize(values).median)
    active = [doc for doc in active if doc.get("active") is True]  # active: one of the backlog's statuses
    for field, docs, key in (("resolved", resolved, "agent_id"), ("assigned", created, "assignee_id"),
                             ("open", active, "assignee_id")):
        for doc in docs:
            if doc.get(key) is not None:
                row(doc[key])[field] += 1
    scores: dict[ObjectId, list[int]] = defaultdict(list)
    for rating in ratings:
        scores[rating["agent_id"]].append(rating["score"])
    for agent_id, given in scores.items():
        row(agent_id).update(csat_responses=len(given), csat_average=round(sum(given) / len(given), 3))
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
