"""The embedded database's port is taken below the kernel's ephemeral range, so while the database is down
(a crash, before its restart on the same port) no outgoing connection on the machine can be handed it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from hub.db import embedded


def test_the_first_port_is_free_and_below_the_range_outgoing_connections_are_given() -> None:
    low = int(embedded.EPHEMERAL_RANGE_FILE.read_text().split()[0])
    port = embedded.port_outside_the_ephemeral_range()
    assert 10_000 <= port < low
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # still free: nothing holds it after the probe


def test_without_the_kernel_setting_the_kernel_picks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "EPHEMERAL_RANGE_FILE", tmp_path / "missing")
    assert embedded.port_outside_the_ephemeral_range() == 0
    (tmp_path / "low").write_text("1024\t60999\n")
    monkeypatch.setattr(embedded, "EPHEMERAL_RANGE_FILE", tmp_path / "low")
    assert embedded.port_outside_the_ephemeral_range() == 0, "no room below the range: leave it to the kernel"
