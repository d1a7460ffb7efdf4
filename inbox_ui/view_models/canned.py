"""Canned responses as the admin page and an agent's own page list and edit them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bson import ObjectId

from inbox_ui.view_models._parts import Fields


@dataclass(frozen=True)
class CannedResponse:
    """One canned response, or the blank one the "new" form starts from (no id)."""

    id: ObjectId | None = None
    shortcut: str = ""
    title: str = ""
    body: str = ""
    department_id: ObjectId | None = None  # None: shared with everyone (or personal, on an agent's page)
    department: str | None = None  # its department's name, "?" for one that is gone; None when shared

    @staticmethod
    def of(doc: Fields, department_names: Mapping[ObjectId, str]) -> CannedResponse:
        department_id = doc.get("department_id") or None
        return CannedResponse(
            id=doc["_id"], shortcut=str(doc.get("shortcut") or ""), title=str(doc.get("title") or ""),
            body=str(doc.get("body") or ""), department_id=department_id,
            department=department_names.get(department_id, "?") if department_id else None,
        )


def canned_responses(docs: Iterable[Fields], department_names: Mapping[ObjectId, str] | None = None,
                     ) -> list[CannedResponse]:
    return [CannedResponse.of(d, department_names or {}) for d in docs]
