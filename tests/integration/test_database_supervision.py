"""The embedded database is supervised: a hub process whose database child is killed says so at once
(503 + Retry-After, SMTP 451), restarts it on the same port with the same data, serves again, turns
/healthz red when it cannot bring it back, and always stops within 10 s.

Every part is real: a `hub run` process with its own data dir and its embedded SecantusDB child, killed
with SIGKILL. To hold the database down for as long as a check needs, the test moves the data dir
aside before the kill (a file stands in its place, so a restart fails as on an unmounted disk) and
puts it back when the hub may recover.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import aiosmtplib
import pytest
from pymongo import AsyncMongoClient, WriteConcern

from hub import keys
from hub.access.auth import new_api_token, token_hash
from hub.app import create_app
from hub.clock import utcnow
from hub.db.health import health_of
from hub.store import users
from tests.conftest import make_settings
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, sign
from tests.support.agents import Visitor, login, make_user, next_event, sse_events
from tests.support.polling import poll_until
from tests.support.servers import VENV_BIN, DatabaseProcess, HubProcess, free_port

STOP_BOUND_SECONDS = 12  # the hub promises 10 s; a stop that needs the watchdog or more fails the test
PROMPT = aiohttp.ClientTimeout(total=5)  # well under the driver's 10 s server selection: "at once", not a hang


class LoggedHub(HubProcess):
    """A hub process whose log goes to a file, so a test can read it while the hub runs."""

    def __init__(self, env: dict[str, str], log_path: Path, args: tuple[str, ...] = ()) -> None:
        super().__init__(env, args)
        self.log_path = log_path

    def start(self, timeout: float = 40) -> LoggedHub:
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen([str(VENV_BIN / "hub"), "run", *self.args], env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited early ({self.proc.returncode}):\n{self.log()}")
            if _status(self.base_url + "/readyz") == 200:
                return self
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"hub did not become ready:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate_within(self, seconds: float) -> int:
        """SIGTERM, then the exit code; a hub still running after `seconds` fails the test."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the hub did not stop within {seconds}s of SIGTERM:\n{self.log()}") from None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def database_pid(self) -> int:
        """The embedded database child, found in the process tree."""
        assert self.proc is not None
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.proc.pid and b"secantusd-py" in cmdline:
                return int(entry.name)
        raise AssertionError("the hub has no embedded database child")


def _status(url: str) -> int | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return None


def hub_env(tmp_path: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    return {
        "HUB_DATA_DIR": str(tmp_path / "data"), "HUB_MONGO_URL": "", "HUB_SECRET_KEY": "",
        "HUB_SMTP_LISTEN": f"127.0.0.1:{smtp_port}",
        "EMAIL_MAILBOXES": json.dumps([{"address": "support@hub.test", "department": "Support"}]),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+14155550100",
        "HUB_PUBLIC_URL": "", "HUB_DB_CHECK_SECONDS": "1", **extra,
    }


def sms(sid: str, text: str) -> dict[str, str]:
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": "+14155550123",
            "To": "+14155550100", "Body": text, "NumMedia": "0"}


async def post_sms(http: aiohttp.ClientSession, hub: HubProcess, params: dict[str, str]) -> aiohttp.ClientResponse:
    signature = sign(hub.base_url + "/webhooks/twilio", params, AUTH_TOKEN)
    async with http.post(hub.base_url + "/webhooks/twilio", data=urlencode(params).encode(), timeout=PROMPT,
                         headers={"X-Twilio-Signature": signature,
                                  "Content-Type": "application/x-www-form-urlencoded"}) as response:
        await response.read()
        return response


async def logged(hub: LoggedHub, text: str) -> bool:
    return text in await asyncio.to_thread(hub.log)


async def journal_everything_so_far(url: str) -> None:
    """One journaled write waits for the journal to hold every earlier write too. (Durable
    acknowledgements are issue 10 part 3; this test is about what a restart keeps, so it waits.)"""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, serverSelectionTimeoutMS=5000)
    try:
        await client["supervision_test"]["marks"].with_options(write_concern=WriteConcern(w=1, j=True)).insert_one(
            {"at": time.time()})
    finally:
        await client.close()


MAIL = (b"From: Ana <ana@example.test>\r\nTo: support@hub.test\r\nSubject: invoice\r\n"
        b"Message-ID: <down-1@example.test>\r\n\r\nWhere is my invoice?\r\n")


class DataDirAside:
    """Moves the embedded database's data dir away and leaves a file in its place: a restart fails."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "db"
        self.aside = data_dir / "db.aside"

    def __enter__(self) -> DataDirAside:
        self.path.rename(self.aside)
        self.path.write_text("not a directory")
        return self

    def restore(self) -> None:
        if self.aside.exists():
            self.path.unlink()
            self.aside.rename(self.path)

    def __exit__(self, *exc: object) -> None:
        self.restore()


async def test_a_killed_database_is_answered_for_at_once_then_restarted_on_the_same_port_with_its_data(
    tmp_path: Path,
) -> None:
    smtp_port = free_port()
    hub = LoggedHub(hub_env(tmp_path, smtp_port), tmp_path / "hub.log", ("--demo",)).start()
    try:
        url_file = tmp_path / "data" / "db.url"
        url_before = url_file.read_text()
        first_pid = hub.database_pid()
        async with aiohttp.ClientSession() as http:
            visitor = Visitor(http, hub.base_url)
            welcome = await visitor.connect()
            await visitor.say("kept before the crash", "before-1")
            await visitor.close()
            await journal_everything_so_far(url_before)

            with DataDirAside(tmp_path / "data") as data_dir:
                os.kill(first_pid, signal.SIGKILL)

                async def noticed() -> aiohttp.ClientResponse | None:
                    async with http.get(hub.base_url + "/readyz", timeout=PROMPT) as r:
                        known_down = r.status == 503 and (await r.json())["status"] == "database down"
                        return r if known_down else None

                ready = await poll_until(noticed, "/readyz answering 503: the database is down", timeout=3)
                assert ready.headers["Retry-After"].isdigit()

                webhook = await post_sms(http, hub, sms("SM" + "d0" * 16, "sent while the database is down"))
                assert webhook.status == 503 and int(webhook.headers["Retry-After"]) > 0

                async with http.get(hub.base_url + "/api/v1/conversations", timeout=PROMPT) as r:
                    body = await r.json()
                    assert r.status == 503 and "Retry-After" in r.headers
                    assert "restarting" in body["error"] and "try again" in body["error"]

                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(f"{hub.base_url.replace('http', 'ws')}/webchat/ws")
                assert refused.value.status == 503

                with pytest.raises(aiosmtplib.SMTPDataError) as deferred:
                    await aiosmtplib.send(MAIL, sender="ana@example.test", recipients=["support@hub.test"],
                                          hostname="127.0.0.1", port=smtp_port, timeout=5)
                assert deferred.value.code == 451 and "try again" in deferred.value.message

                async with http.get(hub.base_url + "/healthz", timeout=PROMPT) as r:
                    assert r.status == 200  # down, but not yet past HUB_DB_DOWN_LIMIT_SECONDS (60 s)
                    assert (await r.json())["database"] == "down"

                await poll_until(lambda: logged(hub, "restart attempt 2 failed"), "restart retried with backoff",
                                 timeout=15)
                # Now the data is back but something else briefly holds the port: retried until it is free.
                with socket.socket() as squatter:
                    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the old TIME_WAITs
                    squatter.bind(("127.0.0.1", urlsplit(url_before).port or 0))
                    squatter.listen()
                    data_dir.restore()
                    await poll_until(lambda: logged(hub, "Address already in use"), "a held port retried", timeout=20)

            async def ready_again() -> bool:
                async with http.get(hub.base_url + "/readyz", timeout=PROMPT) as r:
                    return r.status == 200

            await poll_until(ready_again, "/readyz answering 200 after the restart", timeout=30)
            assert hub.database_pid() != first_pid
            assert url_file.read_text() == url_before  # same port: the client and the URL file stay right

            again = await visitor.connect(token=welcome["token"])
            assert [m["text"] for m in again["history"]] == ["kept before the crash"]
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent:
                await login(agent, hub.base_url, "support1@demo.hub", "demo-password")
                async with agent.get(f"{hub.base_url}/inbox/events") as sse:  # live events flow again
                    stream = sse_events(sse)
                    await next_event(stream, "ready", {})
                    ack = await visitor.say("said after the restart", "after-1")
                    await next_event(stream, "messages", {"id": ack["id"]}, timeout=15)
            await visitor.close()
            webhook = await post_sms(http, hub, sms("SM" + "a1" * 16, "sent after the restart"))
            assert webhook.status == 200
            await aiosmtplib.send(MAIL, sender="ana@example.test", recipients=["support@hub.test"],
                                  hostname="127.0.0.1", port=smtp_port, timeout=10)

        assert hub.terminate_within(STOP_BOUND_SECONDS) == 0
    finally:
        hub.kill()
    log = hub.log()
    for step in ("database down: the embedded database process exited (code -9",
                 "restarting the embedded database on port", "embedded database restart attempt 1 failed",
                 "embedded database restarted pid=", "database reconnected after"):
        assert step in log, f"the log does not show {step!r}:\n{log}"
    assert "Traceback" not in log.split("database reconnected after", 1)[1], log
    assert "shutdown did not finish" not in log


async def test_a_database_that_does_not_come_back_turns_healthz_red_and_a_stop_still_ends(tmp_path: Path) -> None:
    hub = LoggedHub(hub_env(tmp_path, free_port(), HUB_DB_DOWN_LIMIT_SECONDS="2"), tmp_path / "hub.log").start()
    try:
        async with aiohttp.ClientSession() as http:
            with DataDirAside(tmp_path / "data"):
                os.kill(hub.database_pid(), signal.SIGKILL)

                async def healthz_red() -> dict[str, Any] | None:
                    async with http.get(hub.base_url + "/healthz", timeout=PROMPT) as r:
                        return dict(await r.json()) if r.status == 503 else None

                red = await poll_until(healthz_red, "/healthz answering 503", timeout=20)
                assert red["database"] == "down" and red["down_seconds"] >= 2
                assert "does not restart" in red["reason"]
                # A stop while the database is down (and its restart keeps failing) still ends, cleanly.
                assert hub.terminate_within(STOP_BOUND_SECONDS) == 0
    finally:
        hub.kill()
    log = hub.log()
    assert "past HUB_DB_DOWN_LIMIT_SECONDS=2" in log
    assert "stopping while the database is down" in log
    assert "shutdown did not finish" not in log


async def test_with_a_database_url_an_outage_is_reported_and_answered_but_nothing_is_restarted(
    aiohttp_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    database = DatabaseProcess(tmp_path / "db")
    try:
        settings = make_settings(database.url, tmp_path, db_check_seconds=0.5, db_down_limit_seconds=1.5)
        server = await aiohttp_server(create_app(settings), host="127.0.0.1")
        base = str(server.make_url("")).rstrip("/")
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/healthz") as r:
                assert r.status == 200 and await r.json() == {"status": "ok"}
            database.proc.kill()
            database.proc.wait()

            async def noticed() -> bool:
                async with http.get(base + "/readyz", timeout=PROMPT) as r:
                    return r.status == 503 and (await r.json())["status"] == "database down"

            await poll_until(noticed, "/readyz answering 503: the database is down", timeout=5)
            async with http.post(base + "/api/v1/conversations/000000000000000000000000/messages", json={"text": "x"},
                                 timeout=PROMPT) as r:
                assert r.status == 503 and int(r.headers["Retry-After"]) > 0
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(base.replace("http", "ws") + "/webchat/ws")
            assert refused.value.status == 503

            async def healthz_red() -> bool:
                async with http.get(base + "/healthz", timeout=PROMPT) as r:
                    return r.status == 503

            await poll_until(healthz_red, "/healthz answering 503 past the limit", timeout=10)
        assert "database down: it does not answer" in caplog.text
        assert "restarting the embedded database" not in caplog.text
    finally:
        database.stop()


async def test_a_request_caught_inside_the_outage_gets_503_not_500_and_wakes_the_watcher(
    aiohttp_server: Any, tmp_path: Path,
) -> None:
    database = DatabaseProcess(tmp_path / "db")
    try:
        # The watcher would not look again for a minute: only the failing request can tell it.
        settings = make_settings(database.url, tmp_path, db_check_seconds=60)
        server = await aiohttp_server(create_app(settings), host="127.0.0.1")
        base = str(server.make_url("")).rstrip("/")
        hub = server.app[keys.HUB]
        user = await make_user(hub.db, "lena@hub.test")
        token = new_api_token()
        await users.create_api_token(hub.db, token_hash(token), user["_id"], "test", utcnow())
        database.proc.kill()
        database.proc.wait()
        async with aiohttp.ClientSession() as http:
            # Waits out the driver's server selection (it started before anyone knew), then a clear 503.
            async with http.get(base + "/api/v1/conversations", headers={"Authorization": f"Bearer {token}"},
                                timeout=aiohttp.ClientTimeout(total=30)) as r:
                body = await r.json()
                assert r.status == 503, body
                assert int(r.headers["Retry-After"]) > 0 and "try again" in body["error"]

            async def known_down() -> bool:
                return health_of(hub).down

            await poll_until(known_down, "the watcher, woken by the failed request, marking the database down",
                             timeout=5)
            async with http.get(base + "/api/v1/conversations", headers={"Authorization": f"Bearer {token}"},
                                timeout=PROMPT) as r:
                assert r.status == 503 and "Retry-After" in r.headers  # now at once
    finally:
        database.stop()
