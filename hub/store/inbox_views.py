"""The inbox's views (Mine, Unassigned, each department, All, Mentions), their filters, counts and pages.

The embedded server uses an index only when the index's leading fields cover every field of the query
(as its explain reports: {department_id, status} uses department_inbox; adding `labels`, an `$in` beside
another field, or an `$or` reports a scan — timing confirms it for `$or`; explain can also report a scan
for queries served quickly, so shapes here stay conservative). So each view is planned as a few index-exact
queries ("cores"), and filters no index covers are checked here on bounded, sorted batches. Pages are
keyset (cursor = the last row's sort key and _id), never skip: a deep page costs what the first one does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from hub import names as model
from hub.clock import utcnow
from hub.store import read_marks
from hub.store.conversations import can_see
from hub.store.db import Db, Doc
from hub.store.view_tally import ViewTally

STATUSES = ("open", "pending", "snoozed", "resolved")
PRIORITIES = ("low", "normal", "high", "urgent")
SORTS = ("recent", "waiting")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MENTION_SCAN = 500  # the newest notes naming a user that the Mentions view looks through


class ViewError(ValueError):
    """A view or cursor that does not exist; the message says why."""


class NotYourDepartment(ViewError):
    """An agent asked for the view of a department they are not in."""


@dataclass(frozen=True)
class Filters:
    status: str | None = "open"  # None: any status
    channel: str | None = None
    label: str | None = None
    assignee: ObjectId | str | None = None  # an id, "none" (unassigned) or None (anyone)
    priority: str | None = None
    sort: str = "recent"


def is_lead(user: Doc) -> bool:
    return user.get("role") in ("admin", "lead")


def view_names(user: Doc, departments: list[Doc]) -> list[tuple[str, str]]:
    """(key, label) of every view this user has, in tab order."""
    mine = set(user.get("department_ids") or [])
    names = [("mine", "Mine"), ("unassigned", "Unassigned")]
    names += [(f"dept:{d['_id']}", str(d.get("name"))) for d in departments if d["_id"] in mine]
    if is_lead(user):
        names.append(("all", "All"))
    names.append(("mentions", "Mentions"))
    return names


async def mentioned_conversation_ids(db: Db, user_id: ObjectId) -> list[ObjectId]:
    """Conversations where a private note @mentioned the user (newest notes first, bounded)."""
    cursor = db[model.MESSAGES].find({"mentions": user_id}, {"conversation_id": 1}).sort("_id", DESCENDING)
    notes = await cursor.limit(MENTION_SCAN).to_list(MENTION_SCAN)
    return list(dict.fromkeys(n["conversation_id"] for n in notes if n.get("conversation_id")))


@dataclass(frozen=True)
class Plan:
    """A view as index-exact `cores` plus what only Python can check (`visible_to`)."""

    cores: list[Doc]
    visible_to: Doc | None = None
    by_id: bool = False  # Mentions: a bounded id list, no keyset range needed


async def plan(db: Db, user: Doc, view: str) -> Plan:
    """What a view holds for this user, with the department rule already applied."""
    departments = list(user.get("department_ids") or [])
    lead = is_lead(user)
    if view == "mine":
        return Plan([{"assignee_id": user["_id"]}])
    if view == "unassigned":
        if lead:
            return Plan([{"assignee_id": None}])
        return Plan([{"department_id": d, "assignee_id": None} for d in departments])
    if view == "all":
        if lead:
            return Plan([{}])
        return Plan([{"department_id": d} for d in departments] + [{"assignee_id": user["_id"]}])
    if view == "departments":  # every department of mine at once (the API's earlier name)
        return Plan([{"department_id": d} for d in departments])
    if view == "mentions":
        ids = await mentioned_conversation_ids(db, user["_id"])
        return Plan([{"_id": {"$in": ids}}], None if lead else user, by_id=True)
    if view.startswith("dept:"):
        try:
            department_id = ObjectId(view[5:])
        except Exception:
            raise ViewError("that department view names no department") from None
        if not lead and department_id not in departments:
            raise NotYourDepartment("you are not in that department")
        return Plan([{"department_id": department_id}])
    raise ViewError(f"unknown view {view!r}; use mine, unassigned, all, mentions or dept:<department id>")


def _matches(doc: Doc, filters: Filters, visible_to: Doc | None) -> bool:
    if filters.status and doc.get("status") != filters.status:
        return False
    if filters.channel and filters.channel not in (doc.get("channels") or []):
        return False
    if filters.label and filters.label not in (doc.get("labels") or []):
        return False
    if filters.priority and (doc.get("priority") or "normal") != filters.priority:
        return False
    if filters.assignee == "none" and doc.get("assignee_id") is not None:
        return False
    if isinstance(filters.assignee, ObjectId) and doc.get("assignee_id") != filters.assignee:
        return False
    if filters.sort == "waiting" and not isinstance(doc.get("waiting_since"), datetime):
        return False
    return visible_to is None or can_see(visible_to, doc)


def _sort_key(filters: Filters) -> tuple[str, int]:
    return ("waiting_since", ASCENDING) if filters.sort == "waiting" else ("last_message_at", DESCENDING)


def format_cursor(key: tuple[datetime, ObjectId]) -> str:
    """URL-safe (no '+' from a time zone): microseconds since the epoch, then the id."""
    return f"{(key[0] - _EPOCH) // timedelta(microseconds=1)}_{key[1]}"


def parse_cursor(raw: str) -> tuple[datetime, ObjectId]:
    at, _, last = raw.rpartition("_")
    try:
        return _EPOCH + timedelta(microseconds=int(at)), ObjectId(last)
    except Exception:
        raise ViewError("the 'before' cursor is not one this inbox gave out") from None


def _key(doc: Doc, filters: Filters) -> tuple[datetime, ObjectId]:
    field, _ = _sort_key(filters)
    value = doc.get(field)
    if not isinstance(value, datetime):
        value = _EPOCH
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value, doc["_id"]


async def page(db: Db, user: Doc, view: str, filters: Filters, before: tuple[datetime, ObjectId] | None = None,
               limit: int = 50) -> tuple[list[Doc], tuple[datetime, ObjectId] | None]:
    """A page of matching conversations and the key to continue after (None: nothing further).

    Each core reads one sorted batch starting at the cursor; rows are trusted only up to the
    `frontier` (the earliest last row among batches that may have more), so a page can be short
    when filters reject much, but it never skips or repeats a conversation.
    """
    view_plan = await plan(db, user, view)
    field, direction = _sort_key(filters)
    newer_first = direction == DESCENDING
    statuses: list[str | None] = [filters.status] if filters.status else list(STATUSES)
    batch = max(limit * 2, 100)
    rows: dict[ObjectId, Doc] = {}
    frontier: tuple[datetime, ObjectId] | None = None
    queries: list[Doc] = []
    for core in view_plan.cores:
        for status in [None] if view_plan.by_id else statuses:
            query: Doc = dict(core)
            if status is not None:
                query["status"] = status
                if before is not None:
                    query[field] = {"$lte" if newer_first else "$gte": before[0]}
                elif not newer_first:
                    query[field] = {"$gte": _EPOCH}  # those not waiting (no waiting_since) are left out
            queries.append(query)
    # Every (core, status) batch is independent: all are in flight together, not one after another.
    batches = await asyncio.gather(*(_top(db, query, field, direction, batch, windowed=newer_first,
                                          upper=before[0] if before is not None else None)
                                     for query in queries))
    for found in batches:
        rows.update((doc["_id"], doc) for doc in found)
        if len(found) == batch and not view_plan.by_id:
            last = _key(found[-1], filters)
            if frontier is None or (last > frontier if newer_first else last < frontier):
                frontier = last
    ordered = sorted(rows.values(), key=lambda d: _key(d, filters), reverse=newer_first)
    out: list[Doc] = []
    for doc in ordered:
        key = _key(doc, filters)
        if before is not None and (key >= before if newer_first else key <= before):
            continue
        if frontier is not None and (key < frontier if newer_first else key > frontier):
            break
        if _matches(doc, filters, view_plan.visible_to):
            out.append(doc)
            if len(out) == limit:
                return out, key
    return out, frontier


_WINDOWS = (timedelta(hours=1), timedelta(days=1), timedelta(days=30))


async def _top(db: Db, query: Doc, field: str, direction: int, batch: int, *, windowed: bool,
               upper: datetime | None = None) -> list[Doc]:
    """The first `batch` conversations of `query` in sort order.

    The embedded server sorts every match in memory, so a page over 100,000 open conversations would
    sort them all (measured: 5.6 s for a page 20,000 deep). Newest first, the top rows of a window just
    below the cursor (or now) are the top rows of the whole set whenever the window holds a full
    batch: try an hour, a day, a month, then everything.
    """
    order = [(field, direction), ("_id", direction)]
    if windowed:
        top = upper or utcnow()
        for window in _WINDOWS:
            bounded = {**query, field: {**(query.get(field) or {}), "$gte": top - window}}
            found = await db[model.CONVERSATIONS].find(bounded).sort(order).limit(batch).to_list(batch)
            if len(found) == batch:
                return found
    return await db[model.CONVERSATIONS].find(query).sort(order).limit(batch).to_list(batch)


async def counts(db: Db, user: Doc, views: list[str], status: str | None,
                 plans: dict[str, Plan] | None = None, tally: ViewTally | None = None) -> dict[str, int]:
    """How many conversations each view holds at this status: from the process's tally where it can say
    (hub/store/view_tally.py), else indexed counts, one per core, all in flight together."""

    async def one(view: str) -> int:
        view_plan = plans[view] if plans is not None else await plan(db, user, view)
        if view_plan.by_id:
            found, _ = await page(db, user, view, Filters(status=status), limit=MENTION_SCAN)
            return len(found)
        if tally is not None and status is not None:
            tallied = [tally.count(core, status) for core in view_plan.cores]
            if all(n is not None for n in tallied):
                return sum(n or 0 for n in tallied)
        numbers = await asyncio.gather(*(db[model.CONVERSATIONS].count_documents(
            {**core, **({"status": status} if status else {})}) for core in view_plan.cores))
        return sum(numbers)

    return dict(zip(views, await asyncio.gather(*(one(view) for view in views)), strict=True))


def _in_core(doc: Doc, core: Doc) -> bool:
    """Whether a conversation is in one of a plan's cores (equalities, or the Mentions view's id list)."""
    for field, wanted in core.items():
        if isinstance(wanted, dict):
            if doc.get(field) not in wanted.get("$in", ()):
                return False
        elif doc.get(field) != wanted:
            return False
    return True


async def counts_with_unread(db: Db, user: Doc, views: list[str], status: str | None,
                             tally: ViewTally | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """Each view's count and how many of those the user has not seen since the customer last wrote.

    Unread is the count minus what the user has seen: the seen ones come from the user's newest marks
    (read_marks.MARK_SCAN of them) and one read of those conversations, not from reading every
    conversation of every view. An agent who saw more conversations than that since the oldest of
    them was answered may see that one counted as unread again; its row still shows it as read.
    """
    plans = dict(zip(views, await asyncio.gather(*(plan(db, user, view) for view in views)), strict=True))
    totals = await counts(db, user, views, status, plans, tally)
    marks = await read_marks.recent_marks(db, user["_id"])
    seen: list[Doc] = []
    if marks:
        cursor = db[model.CONVERSATIONS].find({"_id": {"$in": list(marks)}}, {
            "status": 1, "last_inbound_at": 1, "assignee_id": 1, "department_id": 1})
        seen = [doc for doc in await cursor.to_list(len(marks))
                if not read_marks.is_unread(doc, marks[doc["_id"]]) and (status is None or doc.get("status") == status)]
    unread: dict[str, int] = {}
    for view, view_plan in plans.items():
        seen_here = sum(1 for doc in seen for core in view_plan.cores if _in_core(doc, core)
                        and (view_plan.visible_to is None or can_see(view_plan.visible_to, doc)))
        unread[view] = max(0, totals.get(view, 0) - seen_here)
    return totals, unread
