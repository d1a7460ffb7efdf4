"""Whole hub processes: restarts keep everything, two processes share live events, clear start-up errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import aiohttp

from tests.support.agents import Visitor, next_event, sse_events
from tests.support.servers import VENV_BIN, HubProcess


async def login_demo(session: aiohttp.ClientSession, base: str, email: str) -> str:
    from tests.support.agents import login

    return await login(session, base, email, "demo-password")


async def test_restart_on_the_embedded_database_keeps_everything(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path / "data"), "HUB_MONGO_URL": "", "HUB_SECRET_KEY": ""}
    first = HubProcess(env, ("--demo",)).start()
    try:
        async with aiohttp.ClientSession() as http:
            visitor = Visitor(http, first.base_url)
            welcome = await visitor.connect()
            await visitor.say("Ciao, un problema con la fattura", "r-1")
            await visitor.close()
    finally:
        output = first.stop()
    assert "Demo logins" in output
    assert not (tmp_path / "data" / "db.url").exists(), "the URL of a stopped database must not linger"

    second = HubProcess(env, ("--demo",)).start()  # same data dir; the demo is not seeded twice
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            visitor = Visitor(http, second.base_url)
            again = await visitor.connect(token=welcome["token"])  # same generated secret after restart
            assert [m["text"] for m in again["history"]] == ["Ciao, un problema con la fattura"]
            await visitor.close()
            await login_demo(http, second.base_url, "support1@demo.hub")
            async with http.get(f"{second.base_url}/api/v1/conversations") as r:
                assert [c["last_message_preview"] for c in (await r.json())["conversations"]] == [
                    "Ciao, un problema con la fattura"]
    finally:
        output = second.stop()
    assert "Demo logins" not in output


async def test_a_message_ingested_on_one_process_reaches_an_agent_on_another(
    mongo_url: str, tmp_path: Path
) -> None:
    env = {"HUB_MONGO_URL": mongo_url, "HUB_DB_NAME": f"two_{tmp_path.name[-20:]}".replace("-", "_"),
           "HUB_SECRET_KEY": "shared", "HUB_DATA_DIR": str(tmp_path)}
    a = HubProcess(env, ("--demo",)).start()
    b = HubProcess(env).start()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent_http, \
                aiohttp.ClientSession() as visitor_http:
            csrf = await login_demo(agent_http, b.base_url, "support1@demo.hub")
            async with agent_http.get(f"{b.base_url}/inbox/events") as sse:
                stream = sse_events(sse)
                await next_event(stream, "ready", {})
                visitor = Visitor(visitor_http, a.base_url)  # the visitor is on process A
                await visitor.connect()
                ack = await visitor.say("hello from A", "x-1")
                seen = await next_event(stream, "messages", {"id": ack["id"]}, timeout=15)
                # The agent on B answers; the visitor on A receives it live.
                async with agent_http.post(f"{b.base_url}/api/v1/conversations/{seen['conversation_id']}/messages",
                                           json={"text": "hello from B"}, headers={"X-CSRF-Token": csrf}) as r:
                    assert r.status == 201
                pushed = await visitor.receive("message", timeout=15)
                assert pushed["message"]["text"] == "hello from B"
                await visitor.close()
    finally:
        a.stop()
        b.stop()


def test_a_data_dir_in_use_gives_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path / "data"), "HUB_MONGO_URL": ""}
    running = HubProcess(env).start()
    try:
        (tmp_path / "data" / "db.url").unlink()  # as if the first hub's URL file were gone: a real clash
        second = HubProcess(env)
        proc = subprocess.run([str(VENV_BIN / "hub"), "run"], env=second.env, capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr
        last = proc.stderr.strip().splitlines()[-1]
        assert last.startswith("hub: data dir ") and "is in use by another process" in last
    finally:
        running.stop()


def test_cli_commands_reach_the_running_hubs_embedded_database(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path / "data"), "HUB_MONGO_URL": ""}
    running = HubProcess(env, ("--demo",)).start()
    try:
        proc = subprocess.run([str(VENV_BIN / "hub"), "create-token", "--user", "lead@demo.hub"], env=running.env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        token = proc.stdout.strip()
        assert token.startswith("hub_")
        import urllib.request

        request = urllib.request.Request(running.base_url + "/api/v1/conversations",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as r:
            assert r.status == 200
        bad = subprocess.run([str(VENV_BIN / "hub"), "create-token", "--user", "nobody@demo.hub"], env=running.env,
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode == 1 and "no user with email nobody@demo.hub" in bad.stderr

        def create_user(*extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([str(VENV_BIN / "hub"), "create-user", "--email", "Neda@Example.com", "--name",
                                   "Neda", "--role", "lead", "--departments", "Billing", *extra],
                                  env=running.env, capture_output=True, text=True, timeout=60)

        assert create_user("--password", "short").returncode == 2
        made = create_user("--password", "a long enough password")
        assert made.returncode == 0 and "created lead neda@example.com" in made.stdout
        again = create_user("--password", "a long enough password")
        assert again.returncode == 1 and "already exists" in again.stderr
    finally:
        running.stop()
