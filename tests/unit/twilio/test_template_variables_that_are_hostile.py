"""Template variables an agent types are checked without ever crashing the reply endpoint."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.hostile import FUZZ
from tests.unit.twilio.test_rules_and_errors import NOW, TEMPLATE, _conversation, _whatsapp


@pytest.mark.parametrize("variables", ["[" * 100_000, '{"1": ' * 50_000, "9" * 5000, "NaN", '"\\ud800"'])
def test_variables_nested_past_the_stack_or_not_an_object_are_refused_with_the_reason(variables: str) -> None:
    refusal = _whatsapp().refuse_reply(_conversation(100), {"content_sid": TEMPLATE, "content_variables": variables},
                                       NOW)
    assert refusal is not None and "content_variables must be a JSON object" in refusal


@FUZZ
@given(variables=st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_any_variables_text_gets_a_decision_not_an_exception(variables: str) -> None:
    refusal = _whatsapp().refuse_reply(_conversation(100), {"content_sid": TEMPLATE, "content_variables": variables},
                                       NOW)
    assert refusal is None or "content_variables" in refusal
