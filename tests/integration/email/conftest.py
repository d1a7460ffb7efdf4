"""An email-enabled hub: its own SMTP listener, two mailboxes, and a recording relay for replies."""

from __future__ import annotations

import json
from pathlib import Path

import aiosmtplib
import pytest

from hub.settings import Settings
from tests.conftest import make_settings
from tests.fakes.smtp_relay import FakeRelay
from tests.support.servers import free_port

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "email"
ATTACHMENT_LIMIT = 4096


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


def mailboxes(relay_port: int, imap: dict[str, object] | None = None) -> str:
    smtp = {"host": "127.0.0.1", "port": relay_port, "security": "none", "username": "",
            "password": "relay-secret-never-logged"}
    return json.dumps([
        {"address": "Support@hub.test", "department": "Support", "smtp": smtp, **({"imap": imap} if imap else {})},
        {"address": "sales@hub.test", "department": "Sales", "smtp": smtp},
    ])


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relay: FakeRelay,
             smtp_port: int) -> Settings:
    monkeypatch.setenv("EMAIL_MAILBOXES", mailboxes(relay.port))
    monkeypatch.setenv("EMAIL_REOPEN_PER_SENDER_PER_HOUR", "2")
    return make_settings(mongo_url, tmp_path, smtp_listen=f"127.0.0.1:{smtp_port}",
                         max_attachment_bytes=ATTACHMENT_LIMIT)


async def send_mail(port: int, data: bytes, recipients: tuple[str, ...] = ("support@hub.test",),
                    sender: str = "someone@example.test") -> None:
    await aiosmtplib.send(data, sender=sender, recipients=list(recipients), hostname="127.0.0.1", port=port,
                          start_tls=False, use_tls=False)
