"""The database watcher's ping: a single slow answer on a busy host is asked again before the hub
answers 503 to everyone; a database that keeps not answering is down."""

from __future__ import annotations

from typing import Any

from pymongo.errors import ExecutionTimeout, NetworkTimeout, ServerSelectionTimeoutError, WaitQueueTimeoutError

from hub.db.health import DatabaseHealth, DatabaseWatcher


class _Db:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.pings = 0

    async def command(self, name: str) -> dict[str, Any]:
        assert name == "ping"
        self.pings += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": 1}


def _watcher(db: _Db) -> DatabaseWatcher:
    return DatabaseWatcher(DatabaseHealth(30.0), db, 1.0)  # type: ignore[arg-type]


async def test_one_ping_that_ran_out_of_time_before_it_was_sent_is_asked_again() -> None:
    db = _Db(ExecutionTimeout("operation would exceed time limit, remaining timeout:0.9 <= RTT:1.1"))
    assert await _watcher(db)._ping() is None
    assert db.pings == 2


async def test_one_ping_that_timed_out_on_the_wire_is_asked_again() -> None:
    db = _Db(NetworkTimeout("timed out"))
    assert await _watcher(db)._ping() is None


async def test_one_ping_that_waited_too_long_for_a_pooled_connection_is_asked_again() -> None:
    db = _Db(WaitQueueTimeoutError("Timed out while checking out a connection from connection pool"))
    assert await _watcher(db)._ping() is None


async def test_two_timeouts_in_a_row_are_a_database_that_does_not_answer() -> None:
    db = _Db(ExecutionTimeout("operation would exceed time limit"), NetworkTimeout("timed out"))
    reason = await _watcher(db)._ping()
    assert reason is not None and "does not answer" in reason
    assert db.pings == 2


async def test_a_database_that_cannot_be_reached_is_down_at_the_first_ping() -> None:
    db = _Db(ServerSelectionTimeoutError("connection refused"))
    assert await _watcher(db)._ping() is not None
    assert db.pings == 1
