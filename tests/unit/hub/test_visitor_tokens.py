from __future__ import annotations

import pytest

from channels.webchat.token import BadVisitorToken, issue, verify


def test_a_token_verifies_to_its_visitor_id() -> None:
    visitor_id, token = issue("s3cret", now=1_000_000)
    assert verify("s3cret", token, max_age_seconds=60, now=1_000_030) == visitor_id


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda t: t.replace("v1.", "v2.", 1), "malformed"),
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "signature does not match"),
        (lambda t: t.split(".")[0] + ".someone-else." + ".".join(t.split(".")[2:]), "signature does not match"),
        (lambda t: "", "malformed"),
    ],
)
def test_a_tampered_token_is_refused_with_a_reason(mutate, reason) -> None:  # type: ignore[no-untyped-def]
    _, token = issue("s3cret", now=1_000_000)
    with pytest.raises(BadVisitorToken, match=reason):
        verify("s3cret", mutate(token), max_age_seconds=60, now=1_000_001)


def test_an_old_token_has_expired() -> None:
    _, token = issue("s3cret", now=1_000_000)
    with pytest.raises(BadVisitorToken, match="expired"):
        verify("s3cret", token, max_age_seconds=60, now=1_000_061)
