"""A controllable clock: every hub module's `utcnow` reads a time the test sets and moves forward."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import pytest

from hub import clock

_REAL = clock.utcnow  # the real one, as modules imported it


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def install(monkeypatch: pytest.MonkeyPatch, start: datetime) -> FakeClock:
    """Patch `utcnow` wherever a hub module imported it (`from hub.clock import utcnow`)."""
    fake = FakeClock(start)
    monkeypatch.setattr(clock, "utcnow", fake)
    for name, module in list(sys.modules.items()):
        if (name.startswith(("hub.", "inbox_ui", "channels.")) and module is not None
                and getattr(module, "utcnow", None) is _REAL):
            monkeypatch.setattr(module, "utcnow", fake)
    return fake

