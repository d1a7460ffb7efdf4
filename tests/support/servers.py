"""Real servers for tests: the embedded database and whole hub processes, on loopback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DatabaseProcess:
    """secantusd-py as a child process (never imported: it stays a separate program)."""

    def __init__(self, storage: Path) -> None:
        self.storage = storage
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "secantusd-py"), "--host", "127.0.0.1", "--port", "0", "--storage-path", str(storage),
             "--log-level", "INFO"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        self.url = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on ([\d.]+):(\d+)", line)
            if match:
                self.url = f"mongodb://{match.group(1)}:{match.group(2)}/?directConnection=true"
                break
        if not self.url:
            self.stop()
            raise RuntimeError("the test database did not start")
        # Drain output in the background so the server never blocks on a full pipe.
        import threading

        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for _ in self.proc.stdout:
            pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class HubProcess:
    """`hub run` as its own process, for restart and multi-process tests."""

    def __init__(self, env: dict[str, str], args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.env = {**os.environ, **env, "HUB_PORT": str(self.port), "HUB_HOST": "127.0.0.1"}
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.output = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 40) -> HubProcess:
        self.proc = subprocess.Popen([str(VENV_BIN / "hub"), "run", *self.args], env=self.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.output = self.proc.stdout.read() if self.proc.stdout else ""
                raise RuntimeError(f"hub exited early ({self.proc.returncode}):\n{self.output}")
            try:
                with urllib.request.urlopen(self.base_url + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"hub did not become ready:\n{self.output}")

    def stop(self) -> str:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.output = self.proc.stdout.read() if self.proc.stdout else ""
            self.proc = None
        return self.output
