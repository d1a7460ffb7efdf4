"""Every filter the hub sends to one database, recorded at the driver (pymongo command monitoring), with
the hub function that sent it: for the shard-targeting checker (tests/integration/test_shard_targeting.py)."""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymongo import monitoring

ROOT = Path(__file__).resolve().parents[2]
_FILTERED = {"find": "filter", "count": "query", "distinct": "query", "findAndModify": "query"}


@dataclass(frozen=True)
class Sent:
    command: str
    collection: str
    query: Any  # the filter (or, for an insert, the inserted document)
    where: str  # the innermost hub/ or channels/ frame that sent it


@dataclass
class QueryLog(monitoring.CommandListener):
    database: str | None = None
    recording: bool = False
    sent: list[Sent] = field(default_factory=list)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if not self.recording or event.database_name != self.database:
            return
        where = _caller()
        for collection, query in _filters(event.command_name, event.command):
            self.sent.append(Sent(event.command_name, collection, query, where))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _filters(name: str, command: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    if name in _FILTERED:
        yield str(command[name]), command.get(_FILTERED[name]) or {}
    elif name == "update":
        for update in command.get("updates", []):
            yield str(command[name]), update.get("q") or {}
    elif name == "delete":
        for delete in command.get("deletes", []):
            yield str(command[name]), delete.get("q") or {}
    elif name == "insert":
        for document in command.get("documents", []):
            yield str(command[name]), document
    elif name == "aggregate" and isinstance(command.get("aggregate"), str):
        pipeline = command.get("pipeline") or []
        if pipeline and "$changeStream" in pipeline[0]:
            return  # a change stream reads every shard's oplog by design (docs/scaling.md)
        first = pipeline[0] if pipeline else {}
        yield str(command[name]), first.get("$match", {}) if isinstance(first, dict) else {}


def _caller() -> str:
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if path.is_relative_to(ROOT) and path.relative_to(ROOT).parts[0] in ("hub", "channels", "inbox_ui"):
            return f"{path.relative_to(ROOT)}:{frame.lineno} {frame.name}"
    return "?"
