"""The inbox tally (hub/store/view_tally.py) from conversation documents alone: a place per conversation not
resolved, a repeat changes nothing, a move leaves the old place, resolving drops it, and a core it cannot
answer (another shape, a status it does not keep, not loaded) is left to the database."""

from __future__ import annotations

from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.store.view_tally import ViewTally

SUPPORT, SALES, ANA, SAM = ObjectId(), ObjectId(), ObjectId(), ObjectId()


def _ready() -> ViewTally:
    tally = ViewTally()
    tally.ready = True
    return tally


def test_moves_repeats_and_resolving_keep_every_place_exact() -> None:
    tally, one, two = _ready(), ObjectId(), ObjectId()
    tally.apply({"_id": one, "department_id": SUPPORT, "assignee_id": None, "status": "open"})
    tally.apply({"_id": one, "department_id": SUPPORT, "assignee_id": None, "status": "open"})
    tally.apply({"_id": two, "department_id": SUPPORT, "assignee_id": ANA, "status": "open"})
    assert tally.count({"department_id": SUPPORT}, "open") == 2
    assert tally.count({"assignee_id": None}, "open") == 1
    assert tally.count({}, "open") == 2
    tally.apply({"_id": one, "department_id": SALES, "assignee_id": SAM, "status": "snoozed"})
    assert tally.count({"department_id": SUPPORT, "assignee_id": None}, "open") == 0
    assert tally.count({"assignee_id": SAM}, "snoozed") == 1
    tally.apply({"_id": one, "department_id": SALES, "assignee_id": SAM, "status": "resolved"})
    assert tally.count({}, "snoozed") == 0 and tally.count({}, "open") == 1


def test_what_the_tally_cannot_answer_is_none() -> None:
    tally = ViewTally()
    assert tally.count({}, "open") is None  # not loaded
    tally.ready = True
    assert tally.count({}, "resolved") is None
    assert tally.count({"_id": {"$in": []}}, "open") is None
    tally.forget()
    assert tally.count({}, "open") is None


_doc = st.fixed_dictionaries({"department_id": st.sampled_from([SUPPORT, SALES, None]),
                              "assignee_id": st.sampled_from([ANA, SAM, None]),
                              "status": st.sampled_from(["open", "pending", "snoozed", "resolved"])})


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 5), _doc), max_size=60))
def test_any_sequence_of_writes_counts_what_the_last_write_of_each_conversation_says(
        writes: list[tuple[int, dict[str, object]]]) -> None:
    ids = [ObjectId() for _ in range(6)]
    tally, last = _ready(), {}
    for n, doc in writes:
        tally.apply({"_id": ids[n], **doc})
        last[n] = doc
    for status in ("open", "pending", "snoozed"):
        for core in ({}, {"department_id": SUPPORT}, {"assignee_id": None},
                     {"department_id": SALES, "assignee_id": ANA}):
            expected = sum(1 for d in last.values()
                           if d["status"] == status and all(d[k] == v for k, v in core.items()))
            assert tally.count(core, status) == expected
