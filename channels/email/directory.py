"""Mailboxes from settings plus those added in the admin UI, kept current without a restart.

The rest of the package reads `EmailSettings.mailboxes` at the moment it needs it, so the directory
replaces that list in place: settings first (they win on a clash of addresses), then the stored ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import ValidationError

from channels.base import stop_tasks
from channels.email.port import MailHost
from channels.email.settings import EmailSettings, Mailbox

log = logging.getLogger(__name__)
REFRESH_SECONDS = 5.0


def stored_mailbox(doc: Mapping[str, Any]) -> Mailbox | None:
    """A stored document as a Mailbox; None (logged by address only, never secrets) when it is unusable."""
    fields = {k: doc.get(k) for k in ("address", "department", "display_name", "from_name_style", "smtp", "imap")
              if doc.get(k)}
    try:
        return Mailbox.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        log.warning("stored mailbox skipped address=%s problems=%s", doc.get("address"), problems)
        return None


class MailboxDirectory:
    def __init__(self, mail: MailHost, config: EmailSettings, on_change: Callable[[], Awaitable[None]]) -> None:
        self.mail = mail
        self.config = config
        self.from_settings = list(config.mailboxes)
        self.on_change = on_change
        self.task: asyncio.Task[None] | None = None
        self._signature: str = ""

    async def load(self) -> bool:
        """Re-read the stored mailboxes; True when the list changed."""
        taken = {m.address for m in self.from_settings}
        documents = await self.mail.stored_mailboxes()
        stored = [m for m in (stored_mailbox(d) for d in documents) if m is not None and m.address not in taken]
        combined = [*self.from_settings, *stored]
        # SecretStr hides values in dumps, so compare with the secrets revealed (never logged).
        signature = repr([(m.model_dump(mode="python"), m.smtp and m.smtp.password.get_secret_value(),
                           m.imap and m.imap.password.get_secret_value()) for m in combined])
        changed = signature != self._signature
        self._signature = signature
        self.config.mailboxes = combined
        return changed

    async def refresh(self) -> None:
        if await self.load():
            await self.on_change()

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name="email-mailboxes")

    async def stop(self) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        await stop_tasks(task)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be briefly away; the next round tries again
                log.warning("reading stored mailboxes failed error=%s", type(exc).__name__)
