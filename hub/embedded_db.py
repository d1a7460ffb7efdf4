"""The embedded database: SecantusDB's `secantusd-py` as a child process.

It runs as a separate process (never imported) so its GPL-2.0 licence stays apart from the hub's
and the database gets the second core beside the hub's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import signal
import sys
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


class EmbeddedDatabase:
    """Start with `await start()`, read `.url`, stop with `await stop()`."""

    def __init__(self, storage_path: Path, port: int = 0) -> None:
        self.storage_path = storage_path
        self.port = port
        self.url = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 30.0) -> str:
        self.storage_path.mkdir(parents=True, exist_ok=True)
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
                        self.url = f"mongodb://{match.group(1)}:{match.group(2)}/?directConnection=true"
                        break
        except TimeoutError:
            await self.stop()
            raise EmbeddedDatabaseError(
                f"the embedded database did not start within {timeout:.0f}s (data dir {self.storage_path})"
            ) from None
        if not self.url:
            await self._proc.wait()
            self._proc = None
            text = "\n".join(seen)
            if "resource busy" in text or "Resource temporarily unavailable" in text:
                raise EmbeddedDatabaseError(
                    f"data dir {self.storage_path} is in use by another process "
                    "(is another hub running? stop it or set HUB_DATA_DIR elsewhere)"
                )
            last = seen[-1] if seen else "no output"
            raise EmbeddedDatabaseError(f"the embedded database exited at start: {last}")
        self._drain = asyncio.create_task(self._drain_output())
        log.info("embedded database listening url=%s data=%s", self.url, self.storage_path)
        return self.url

    async def _drain_output(self) -> None:
        # Keep reading so a chatty server never blocks on a full pipe.
        assert self._proc is not None and self._proc.stdout is not None
        while await self._proc.stdout.readline():
            pass

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    async def stop(self, timeout: float = 15.0) -> None:
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
        if self._drain:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain
