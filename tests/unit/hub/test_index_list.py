"""README lists every index the store creates, with the query it serves (issue 15: keep only the indexes a
view or a unique rule needs), so an index added without saying why is noticed."""

from __future__ import annotations

from pathlib import Path

from hub.store.db import _INDEXES

ROOT = Path(__file__).resolve().parents[3]


def test_every_index_is_listed_in_the_readme_with_its_collection() -> None:
    section = (ROOT / "README.md").read_text().split("### Every index and the query that uses it", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    missing = []
    for collection, indexes in _INDEXES.items():
        for index in indexes:
            name = f"`{index.document['name']}`"
            if not any(collection in row.split("|")[1] and name in row.split("|")[2] for row in rows):
                missing.append(f"{collection}.{index.document['name']}")
    assert missing == []
