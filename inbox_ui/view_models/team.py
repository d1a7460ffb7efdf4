"""The team lead's overview and the signed-in person's own account page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from inbox_ui.view_models._parts import Fields, items


@dataclass(frozen=True)
class TeamAgent:
    id: ObjectId
    name: str
    role: str
    status: str  # presence: online, away, offline...
    connected: bool  # has the inbox open right now
    open_count: int
    capacity: int
    full: bool
    departments: tuple[str, ...]  # names of the departments that still exist

    @staticmethod
    def of(row: Fields, departments: Mapping[Any, Fields]) -> TeamAgent:
        """From hub.actions.inbox.team_rows (the API shows the same rows as JSON)."""
        known = [departments[d] for d in items(row.get("department_ids")) if departments.get(d)]
        return TeamAgent(
            id=row["id"], name=str(row.get("name") or ""), role=str(row.get("role") or ""),
            status=str(row.get("status") or "offline"), connected=bool(row.get("connected")),
            open_count=int(row.get("open_count") or 0), capacity=int(row.get("capacity") or 0),
            full=bool(row.get("full")), departments=tuple(str(d.get("name") or "") for d in known),
        )


def team_agents(rows: Iterable[Fields], departments: Mapping[Any, Fields]) -> list[TeamAgent]:
    return [TeamAgent.of(r, departments) for r in rows]


@dataclass(frozen=True)
class Account:
    """The signed-in person as their own account page shows them."""

    name: str
    email: str
    role: str
    language: str | None  # the interface language they chose; None: as the browser asks
    signature: str = ""  # under their email replies

    @staticmethod
    def of(user: Fields) -> Account:
        return Account(name=str(user.get("name") or ""), email=str(user.get("email") or ""),
                       role=str(user.get("role") or ""), language=str(user.get("language") or "") or None,
                       signature=str(user.get("signature") or ""))
