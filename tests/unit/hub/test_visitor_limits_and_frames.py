"""The visitor's token bucket and the frame reader, on their own."""

from __future__ import annotations

import pytest

from channels.webchat.limits import VisitorLimits
from hub.errors import BadInput
from hub.webchat_visitor import parse_frame


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_message_per_interval_and_visitors_do_not_share_buckets() -> None:
    clock = Clock()
    limits = VisitorLimits(burst=3, per_second=0.5, clock=clock)
    assert [limits.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limits.take("a") == pytest.approx(2.0)
    assert limits.take("b") == 0.0
    clock.now += 2.0
    assert limits.take("a") == 0.0
    assert limits.take("a") == pytest.approx(2.0)
    clock.now += 60.0  # refills up to the burst, never beyond
    assert [limits.take("a") for _ in range(4)][-1] == pytest.approx(2.0)


def test_idle_buckets_are_forgotten_once_there_are_many() -> None:
    clock = Clock()
    limits = VisitorLimits(burst=2, per_second=1.0, clock=clock, keep=10)
    for n in range(10):
        limits.take(f"v{n}")
    clock.now += 10.0
    limits.take("newcomer")
    assert len(limits._buckets) == 1


@pytest.mark.parametrize("raw", ["[" * 100_000, "[" * 100_000 + "]" * 100_000, '{"a":' * 20 + "1" + "}" * 20])
def test_deep_frames_are_refused_as_too_deep(raw: str) -> None:
    with pytest.raises(BadInput, match="nested too deeply"):
        parse_frame(raw)


def test_lone_surrogates_in_keys_and_values_become_replacement_characters_and_pairs_stay() -> None:
    frame = parse_frame('{"type": "message", "text": "a\\ud800b \\ud83d\\ude00", "\\udfff": ["\\udc00"]}')
    assert frame == {"type": "message", "text": "a\ufffdb \U0001f600", "\ufffd": ["\ufffd"]}
