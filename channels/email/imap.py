"""IMAP polling with the standard library (aioimaplib is GPL): read-only, by UID, never flagging."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import re

from channels.base import ChannelHost, stop_tasks
from channels.email.inbound import Refused, receive
from channels.email.settings import EmailSettings, ImapIn, Mailbox

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30
_UIDVALIDITY = re.compile(rb"\d+")


class ImapSession:
    """Blocking imaplib calls, each run in a worker thread by the poller."""

    def __init__(self, settings: ImapIn) -> None:
        self.settings = settings
        self.client: imaplib.IMAP4 | None = None

    def open(self) -> int:
        """Log in and EXAMINE the folder (read-only: even fetching cannot set \\Seen); its UIDVALIDITY."""
        s = self.settings
        client = (imaplib.IMAP4_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS) if s.ssl
                  else imaplib.IMAP4(s.host, s.port, timeout=TIMEOUT_SECONDS))
        self.client = client
        client.login(s.username, s.password.get_secret_value())
        typ, _ = client.select(_quote(s.folder), readonly=True)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {s.folder!r}")
        _, values = client.response("UIDVALIDITY")
        match = _UIDVALIDITY.search(values[0] if values and isinstance(values[0], bytes) else b"")
        if match is None:
            raise imaplib.IMAP4.error("the server gave no UIDVALIDITY")
        return int(match.group())

    def uids_after(self, last_uid: int) -> list[int]:
        assert self.client is not None
        typ, data = self.client.uid("SEARCH", f"UID {last_uid + 1}:*")
        if typ != "OK":
            raise imaplib.IMAP4.error("UID SEARCH failed")
        found = [int(x) for x in b" ".join(d for d in data if isinstance(d, bytes)).split() if x.isdigit()]
        # "n:*" always matches the newest message, even when its UID is below n.
        return sorted(uid for uid in set(found) if uid > last_uid)

    def fetch(self, uid: int) -> bytes | None:
        assert self.client is not None
        typ, data = self.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        if typ != "OK":
            raise imaplib.IMAP4.error(f"UID FETCH {uid} failed")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None  # expunged meanwhile

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.logout()
            self.client = None


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapPoller:
    def __init__(self, host: ChannelHost, config: EmailSettings, mailbox: Mailbox) -> None:
        assert mailbox.imap is not None
        self.host = host
        self.config = config
        self.mailbox = mailbox
        self.imap = mailbox.imap
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"imap-{self.mailbox.address}")

    async def stop(self) -> None:
        await stop_tasks(self.task)

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server or network; try again next round
                log.warning("imap poll failed mailbox=%s host=%s error=%s", self.mailbox.address, self.imap.host,
                            exc)
            await asyncio.sleep(self.imap.poll_seconds)

    async def poll_once(self) -> int:
        """Fetch what is new since the stored UID; the cursor moves only past mail that was stored."""
        mail, address, folder = self.host.mail, self.mailbox.address, self.imap.folder
        session = ImapSession(self.imap)
        stored = 0
        try:
            uidvalidity = await asyncio.to_thread(session.open)
            place = await mail.imap_place(address, folder)
            last_uid = place.last_uid if place else 0
            if place is None or place.uidvalidity != uidvalidity:
                if place is not None:
                    log.info("imap uidvalidity changed mailbox=%s; reading the folder again (duplicates are "
                             "recognised)", address)
                await mail.imap_restart(address, folder, uidvalidity)
                last_uid = 0
            for uid in await asyncio.to_thread(session.uids_after, last_uid):
                data = await asyncio.to_thread(session.fetch, uid)
                if data is not None:
                    try:
                        await receive(self.host, self.config, data, envelope_from="", recipients=[address],
                                      source="imap")
                    except Refused as exc:  # will never be storable; its original is kept, move on
                        log.info("imap mail refused mailbox=%s uid=%d reason=%s", address, uid, exc)
                    stored += 1
                await mail.imap_advance(address, folder, uidvalidity, uid)
        finally:
            await asyncio.to_thread(session.close)
        return stored
