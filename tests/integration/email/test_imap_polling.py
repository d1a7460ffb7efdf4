"""IMAP polling against a small loopback IMAP server: by UID and UIDVALIDITY, read-only, never twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from channels.email import imap as imap_module
from channels.email.imap import ImapPoller
from channels.email.settings import EmailSettings, ImapIn, Mailbox
from hub.ports.channel_host import HubChannelHost
from hub.runtime import Hub
from hub.store import mail
from tests.fakes.imap import FakeImapServer, FakeMailbox
from tests.integration.email.conftest import fixture


@pytest.fixture
def box() -> Iterator[FakeMailbox]:
    yield FakeMailbox(uidvalidity=7)


@pytest.fixture
def poller(hub: Hub, box: FakeMailbox) -> Iterator[ImapPoller]:
    server = FakeImapServer(box).start()
    imap = ImapIn(host="127.0.0.1", port=server.port, ssl=False, username="support", password=box.password)  # type: ignore[arg-type]
    mailbox = Mailbox(address="support@hub.test", department="Support", imap=imap)
    yield ImapPoller(HubChannelHost(hub), EmailSettings(_env_file=None, mailboxes=[mailbox]), mailbox)  # type: ignore[call-arg]
    server.stop()


async def count_in(hub: Hub) -> int:
    return await hub.db["messages"].count_documents({"direction": "in"})


async def test_new_mail_is_fetched_once_by_uid_and_never_flagged_or_deleted(
    hub: Hub, box: FakeMailbox, poller: ImapPoller
) -> None:
    box.add(3, fixture("persian_subject_rfc2047.eml"))
    box.add(5, fixture("japanese_iso2022jp.eml"))
    assert await poller.poll_once() == 2
    assert await poller.poll_once() == 0  # the server still answers "5:*"... with UID 5; it is not refetched
    box.add(9, fixture("chinese_gb2312.eml"))
    assert await poller.poll_once() == 1
    assert await count_in(hub) == 3
    cursor = await mail.imap_cursor(hub.db, "support@hub.test", "INBOX")
    assert cursor is not None and (cursor["uidvalidity"], cursor["last_uid"]) == (7, 9)
    assert box.commands.count("UID FETCH") == 3
    assert "EXAMINE" in box.commands
    assert not {"STORE", "UID STORE", "EXPUNGE", "UID EXPUNGE", "SELECT", "COPY", "UID MOVE"} & set(box.commands)


async def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(
    hub: Hub, box: FakeMailbox, poller: ImapPoller
) -> None:
    box.add(1, fixture("persian_subject_rfc2047.eml"))
    await poller.poll_once()
    box.uidvalidity = 8
    box.messages = {1: fixture("japanese_iso2022jp.eml"), 2: fixture("persian_subject_rfc2047.eml")}
    assert await poller.poll_once() == 2
    assert await count_in(hub) == 2  # the Persian mail was recognised, the Japanese one is new
    cursor = await mail.imap_cursor(hub.db, "support@hub.test", "INBOX")
    assert cursor is not None and (cursor["uidvalidity"], cursor["last_uid"]) == (8, 2)


async def test_mail_that_failed_to_store_is_fetched_again_next_poll(
    hub: Hub, box: FakeMailbox, poller: ImapPoller, monkeypatch: pytest.MonkeyPatch
) -> None:
    box.add(1, fixture("persian_subject_rfc2047.eml"))
    box.add(2, fixture("japanese_iso2022jp.eml"))
    real = imap_module.receive  # type: ignore[attr-defined]
    calls: list[int] = []

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(imap_module, "receive", flaky)
    with pytest.raises(ConnectionError):
        await poller.poll_once()
    cursor = await mail.imap_cursor(hub.db, "support@hub.test", "INBOX")
    assert cursor is not None and cursor["last_uid"] == 1
    assert await poller.poll_once() == 1
    assert await count_in(hub) == 2


async def test_a_wrong_password_stores_nothing_and_does_not_show_the_password(
    hub: Hub, box: FakeMailbox, poller: ImapPoller
) -> None:
    box.add(1, fixture("persian_subject_rfc2047.eml"))
    box.password = "the-real-one"
    with pytest.raises(Exception) as failure:
        await poller.poll_once()
    assert "imap-secret" not in str(failure.value)
    assert await count_in(hub) == 0
    assert await mail.imap_cursor(hub.db, "support@hub.test", "INBOX") is None
