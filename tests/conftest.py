"""Shared fixtures: one embedded database server per test session, a database per test, real hubs."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from hub import keys
from hub.app import create_app
from hub.runtime import Hub
from hub.settings import Settings
from tests.fakes.smtp_relay import FakeRelay
from tests.support.servers import DatabaseProcess


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("HUB_TEST_MONGO_URL")
    if given:
        yield given
        return
    server = DatabaseProcess(tmp_path_factory.mktemp("secantus"))
    yield server.url
    server.stop()


def make_settings(mongo_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "mongo_url": mongo_url, "db_name": f"t_{uuid.uuid4().hex[:12]}", "data_dir": data_dir,
        "secret_key": "test-secret-key", "outbox_poll_seconds": 0.2, "outbox_backoff_seconds": 0.05,
        "outbox_lease_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path)


@pytest.fixture
async def server(aiohttp_server, settings: Settings) -> TestServer:  # type: ignore[no-untyped-def]
    srv: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    return srv


@pytest.fixture
def hub(server: TestServer) -> Hub:
    return server.app[keys.HUB]


@pytest.fixture
def base_url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@pytest.fixture
async def http2() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@pytest.fixture
def relay() -> Iterator[FakeRelay]:
    """A real SMTP server on loopback standing in for the provider's relay; it keeps what it receives."""
    relay = FakeRelay().start()
    yield relay
    relay.stop()


# --- secrets never reach the logs -------------------------------------------------------------------------
# pyproject's log_file writes every record of the run; the driver's per-command DEBUG monitoring would
# make it hundreds of megabytes (it logs documents we store, where secrets are already sealed).
logging.getLogger("pymongo").setLevel(logging.INFO)


def _secrets_the_suite_configured() -> dict[str, str]:
    """Every secret a hub in this run was configured with (what create_app told the redaction), plus the
    fixed test tokens of the fakes, and the secret half of a bot token on its own; each URL-encoded too."""
    from urllib.parse import quote

    from hub import redaction
    from tests.fakes import twilio as fake_twilio
    from tests.integration.telegram import conftest as telegram

    found = {f"configured secret #{i}": value for i, value in enumerate(sorted(redaction.hidden()))}
    found.update({"TWILIO_AUTH_TOKEN (tests/fakes/twilio.py)": fake_twilio.AUTH_TOKEN,
                  "TELEGRAM_BOT_TOKEN (telegram conftest)": telegram.TOKEN,
                  "the secret half of TELEGRAM_BOT_TOKEN": telegram.TOKEN.partition(":")[2],
                  "TELEGRAM_WEBHOOK_SECRET (telegram conftest)": telegram.SECRET})
    found.update({f"{name}, URL-encoded": quote(value, safe="") for name, value in list(found.items())})
    return {name: value for name, value in found.items() if len(value) >= redaction.MIN_SECRET_CHARS}


# With pytest-xdist (`make test` runs two workers) each worker is its own process: it logs to a file of
# its own (one shared file would be truncated by each worker) and checks it against the secrets its own
# hubs were configured with; a worker that finds a leak leaves a report the controller reads at the end.
LEAKS_DIR = Path("var")


def _worker() -> str | None:
    return os.environ.get("PYTEST_XDIST_WORKER")


def pytest_configure(config: pytest.Config) -> None:
    worker = _worker()
    if worker is not None:
        log_file = config.getini("log_file")
        if log_file:
            config.option.log_file = str(Path(log_file).with_suffix(f".{worker}.log"))
        (LEAKS_DIR / f"pytest-leaks.{worker}.txt").unlink(missing_ok=True)
    else:
        for stale in LEAKS_DIR.glob("pytest-leaks.*.txt"):
            stale.unlink()


def _leaks_in_own_log(session: pytest.Session) -> list[str]:
    plugin = session.config.pluginmanager.get_plugin("logging-plugin")
    handler = getattr(plugin, "log_file_handler", None)
    path = Path(getattr(handler, "baseFilename", os.devnull))
    if handler is None or str(path) == os.devnull or not path.is_file():
        return []
    handler.flush()
    secrets = _secrets_the_suite_configured()
    leaks: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as log_file:
        for number, line in enumerate(log_file, 1):
            leaks += [f"{name} at {path}:{number}" for name, value in secrets.items()
                      if value in line]
            if len(leaks) > 20:
                break
    return leaks


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = _leaks_in_own_log(session)
    worker = _worker()
    if worker is not None:
        if leaks:
            LEAKS_DIR.mkdir(exist_ok=True)
            (LEAKS_DIR / f"pytest-leaks.{worker}.txt").write_text("\n".join(leaks), encoding="utf-8")
        return
    for report in sorted(LEAKS_DIR.glob("pytest-leaks.*.txt")):
        leaks += report.read_text(encoding="utf-8").splitlines()
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.section("a configured secret reached the log", red=True)
            for leak in leaks:
                reporter.write_line(leak, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
