"""Request models turn every pydantic error into a sentence a person reads, naming the field, never the input."""

from __future__ import annotations

from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, StringConstraints

from hub.errors import BadInput
from hub.http.request_models import (
    Flag,
    Moment,
    OptionalId,
    RequestModel,
    TextList,
    WholeNumber,
    distinct_names,
    one_of,
    parse_mapping,
)
from tests.support.hostile import FUZZ


class Example(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]
    limit: Annotated[WholeNumber, Field(ge=1, le=200)] = 50
    status: Annotated[str, one_of(("open", "resolved"))] = "open"
    owner: OptionalId = None
    when: Moment | None = None
    tags: TextList = []
    urgent: Flag = False
    secret: Annotated[str, StringConstraints(max_length=4)] = ""


def refusal(data: dict[str, object]) -> BadInput:
    with pytest.raises(BadInput) as caught:
        parse_mapping(data, Example)
    return caught.value


@pytest.mark.parametrize(("data", "field", "sentence"), [
    ({}, "name", "'name' is required"),
    ({"name": "  "}, "name", "'name' is required"),
    ({"name": 5}, "name", "'name' must be text"),
    ({"name": "x" * 11}, "name", "'name' may have at most 10 characters"),
    ({"name": "a", "limit": "²"}, "limit", "'limit' must be a whole number from 1 to 200"),
    ({"name": "a", "limit": "9" * 30}, "limit", "'limit' must be a whole number from 1 to 200"),
    ({"name": "a", "limit": True}, "limit", "'limit' must be a whole number from 1 to 200"),
    ({"name": "a", "limit": 0}, "limit", "'limit' must be a whole number from 1 to 200"),
    ({"name": "a", "status": "gone"}, "status", "'status' must be one of open, resolved"),
    ({"name": "a", "owner": "nope"}, "owner", "'owner' must be an id (24 hexadecimal characters)"),
    ({"name": "a", "when": "10000-01-01"}, "when", "'when' must be a date such as 2026-01-31"),
    ({"name": "a", "tags": [1]}, "tags", "item 1 of 'tags' must be text"),
    ({"name": "a", "tags": {"a": 1}}, "tags", "'tags' must be a list"),
])
def test_each_problem_is_a_sentence_naming_the_field(data: dict[str, object], field: str, sentence: str) -> None:
    error = refusal(data)
    assert error.message.startswith(sentence), error.message
    assert error.field == field and error.fields[0] == {"field": field, "reason": error.message}
    assert error.details() == {"field": field, "fields": error.fields}


def test_several_problems_are_listed_field_by_field_in_one_sentence() -> None:
    error = refusal({"name": "", "limit": "many", "status": "x"})
    assert [p["field"] for p in error.fields] == ["name", "limit", "status"]
    assert error.message == "; ".join(p["reason"] for p in error.fields)


def test_a_refused_value_is_never_repeated_in_the_answer() -> None:
    error = refusal({"name": "a", "secret": "hunter2-is-my-password"})
    assert "hunter2" not in error.message and "hunter2" not in str(error.details())


def test_forms_and_json_read_alike() -> None:
    from_form = parse_mapping({"name": " Ana ", "limit": "5", "tags": "a, b,,", "urgent": "on",
                               "when": "2026-01-31", "_csrf": "ignored"}, Example)
    from_json = parse_mapping({"name": "Ana", "limit": 5, "tags": ["a", " b"], "urgent": True,
                               "when": "2026-01-31T00:00:00+00:00"}, Example)
    assert (from_form.name, from_form.limit, from_form.urgent, from_form.when) == (
        from_json.name, from_json.limit, from_json.urgent, from_json.when)
    assert [t.strip() for t in from_form.tags] == [t.strip() for t in from_json.tags] == ["a", "b"]


@FUZZ
@given(st.dictionaries(st.sampled_from(["name", "limit", "status", "owner", "when", "tags", "urgent", "secret"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                        st.text(max_size=5), inner, max_size=3), max_leaves=8)))
def test_any_input_is_the_model_or_a_bad_input_with_a_reason_per_field(data: dict[str, object]) -> None:
    try:
        parse_mapping(data, Example)
    except BadInput as error:
        assert error.message and error.field and all(p["reason"] for p in error.fields)


def test_labels_and_tags_fold_white_space_drop_blanks_and_keep_the_first_spelling_of_a_name() -> None:
    names = distinct_names(["VIP", " vip ", "", "big   deal", "Big Deal", "نقره‌ای"], most=5, longest=10,
                           what="tag", per="per contact")
    assert names == ["VIP", "big deal", "نقره‌ای"]


def test_too_many_or_too_long_names_are_refused_with_the_limit_in_the_sentence() -> None:
    with pytest.raises(ValueError, match="at most 2 labels per conversation"):
        distinct_names(["a", "b", "c"], most=2, longest=10, what="label", per="per conversation")
    with pytest.raises(ValueError, match="a tag may have at most 3 characters"):
        distinct_names(["abcd"], most=2, longest=3, what="tag", per="per contact")
