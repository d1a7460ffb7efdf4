"""Per-sender pacing, on a clock the test controls."""

from __future__ import annotations

import pytest

from channels.twilio.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_each_sender_gets_its_own_slots_at_the_configured_rate() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock)
    assert [pacer.reserve("+14155550100") for _ in range(3)] == [0.0, 1.0, 2.0]
    assert pacer.reserve("+14155550101") == 0.0  # another number is not held up
    clock.now += 10
    assert pacer.reserve("+14155550100") == 0.0  # an idle sender does not bank slots


def test_whatsapp_rate_of_ten_per_second_spaces_sends_a_tenth_apart() -> None:
    pacer = Pacer(10.0, clock=Clock())
    delays = [pacer.reserve("whatsapp:+14155550199") for _ in range(3)]
    assert delays == pytest.approx([0.0, 0.1, 0.2])


def test_rate_limit_from_twilio_holds_the_sender_back() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock)
    pacer.hold_off("+14155550100", 30.0)
    assert pacer.reserve("+14155550100") == 30.0


def test_a_slot_further_off_than_a_send_may_wait_is_not_booked() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock)
    pacer.hold_off("+14155550100", 30.0)
    assert pacer.reserve("+14155550100", longest=10.0) is None  # handed back to the outbox as a retry
    assert pacer.free_in("+14155550100") == 30.0  # and nothing was booked by asking
    assert pacer.reserve("+14155550101", longest=10.0) == 0.0
