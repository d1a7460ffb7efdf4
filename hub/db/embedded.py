"""The embedded database: SecantusDB's `secantusd-py` as a child process.

It runs as a separate process (never imported) so its GPL-2.0 licence stays apart from the hub's
and the database gets the second core beside the hub's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import re
import shutil
import signal
import socket
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

_LISTENING = re.compile(r"listening on ([\d.]+):(\d+)")


def _die_with_parent() -> None:
    """Runs in the child before exec: on Linux, the database gets SIGTERM if the hub dies for any
    reason (even SIGKILL), so no orphan keeps the data dir locked."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the hub's own shutdown still stops the database


class EmbeddedDatabaseError(RuntimeError):
    """The embedded database could not start; the message is one line for a person."""


def _server_command() -> list[str]:
    exe = Path(sys.executable).with_name("secantusd-py")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("secantusd-py")
    if found:
        return [found]
    raise EmbeddedDatabaseError(
        "the embedded database is not installed: run `pip install 'hub[embedded]'` or set HUB_MONGO_URL"
    )


EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def port_outside_the_ephemeral_range(tries: int = 50) -> int:
    """A free loopback port below the kernel's ephemeral range, or 0 (the kernel picks) when none is found.

    The port is kept for restarts, and while the database is down any outgoing connection on the machine
    may be given a port of the ephemeral range as its own: a pooled client connection then holds the
    database's port for as long as it lives and every restart fails with "Address already in use"."""
    try:
        low = int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    if low <= 10_000:
        return 0
    for port in random.sample(range(10_000, low), min(tries, low - 10_000)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return 0


STOP_SECONDS = 3.0  # SIGINT, then SIGKILL: journaled writes survive a kill, and a stop must stay bounded


class EmbeddedDatabase:
    """Start with `await start()`, read `.url`, stop with `await stop()`.

    After the first start the port is kept, so a restart (`start()` again after the process exited)
    listens where the hub's client, and the URL left in the data dir, already point.
    """

    def __init__(self, storage_path: Path, port: int = 0) -> None:
        self.storage_path = storage_path
        self.port = port
        self.url = ""
        self.on_exit: Callable[[], None] | None = None  # called on the loop when the process ends by itself
        self.last_output: deque[str] = deque(maxlen=5)  # why it ended, for the log
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode if self._proc else None

    async def start(self, timeout: float = 30.0) -> str:
        if self._proc is not None:
            await self.stop()  # a restart: the old process has exited; collect it and its reader first
        self.storage_path.mkdir(parents=True, exist_ok=True)
        chosen = self.port == 0
        if chosen:  # the first start: a port no outgoing connection can be handed while it is down
            self.port = port_outside_the_ephemeral_range()
        cmd = [
            *_server_command(),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--storage-path", str(self.storage_path),
            "--log-level", "INFO",
        ]
        self._proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the hub, which stops it in order
            preexec_fn=_die_with_parent,
        )
        assert self._proc.stdout is not None
        seen: list[str] = []
        listening = False
        try:
            async with asyncio.timeout(timeout):
                while True:
                    raw = await self._proc.stdout.readline()
                    if not raw:
                        break
                    line = raw.decode(errors="replace").rstrip()
                    seen.append(line)
                    match = _LISTENING.search(line)
                    if match:
                        self.port = int(match.group(2))
                        self.url = f"mongodb://{match.group(1)}:{match.group(2)}/?directConnection=true"
                        listening = True
                        break
        except TimeoutError:
            await self.stop()
            raise EmbeddedDatabaseError(
                f"the embedded database did not start within {timeout:.0f}s (data dir {self.storage_path})"
            ) from None
        if not listening:
            await self._proc.wait()
            self._proc = None
            text = "\n".join(seen)
            if "resource busy" in text or "Resource temporarily unavailable" in text:
                raise EmbeddedDatabaseError(
                    f"data dir {self.storage_path} is in use by another process "
                    "(is another hub running? stop it or set HUB_DATA_DIR elsewhere)"
                )
            if chosen and self.port != 0 and "in use" in text.lower():
                self.port = 0  # taken between the probe and the start: let the kernel pick instead
                return await self.start(timeout)
            last = seen[-1] if seen else "no output"
            raise EmbeddedDatabaseError(f"the embedded database exited at start: {last}")
        self._drain = asyncio.create_task(self._drain_output(self._proc), name="embedded-database-output")
        log.info("embedded database listening url=%s data=%s pid=%d", self.url, self.storage_path, self._proc.pid)
        return self.url

    async def _drain_output(self, proc: asyncio.subprocess.Process) -> None:
        # Keep reading so a chatty server never blocks on a full pipe; the end of its output is
        # the first sign that it died, so whoever supervises it hears at once.
        assert proc.stdout is not None
        self.last_output.clear()
        while raw := await proc.stdout.readline():
            self.last_output.append(raw.decode(errors="replace").rstrip())
        await proc.wait()
        if self._proc is proc and self.on_exit is not None:
            self.on_exit()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    async def stop(self, timeout: float = STOP_SECONDS) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                log.warning("embedded database did not stop in %.0fs; killing it", timeout)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        drain, self._drain = self._drain, None
        if drain:
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain
