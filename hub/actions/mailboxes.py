"""Mailboxes as admin screens and the admin API both show them."""

from __future__ import annotations

from typing import Any

from hub.runtime import Hub
from hub.store import mailboxes as mailbox_store
from hub.store.db import Doc

SECURITIES = ("starttls", "tls", "none")


def settings_rows(hub: Hub) -> list[dict[str, Any]]:
    """The mailboxes EMAIL_MAILBOXES configures: shown, never editable here."""
    return [{"address": mailbox.address, "department": mailbox.department, "display_name": mailbox.display_name,
             "from_name_style": mailbox.from_name_style, "source": "settings", "editable": False,
             "smtp": {"host": mailbox.smtp.host, "port": mailbox.smtp.port} if mailbox.smtp else None,
             "imap": {"host": mailbox.imap.host, "port": mailbox.imap.port} if mailbox.imap else None}
            for mailbox in hub.mailboxes.from_settings]


def present(doc: Doc) -> dict[str, Any]:
    return {"id": str(doc["_id"]), "address": doc.get("address"), "department": doc.get("department", ""),
            "display_name": doc.get("display_name", ""), "from_name_style": doc.get("from_name_style", "agent"),
            "source": "database", "editable": True,
            "smtp": doc.get("smtp"), "imap": doc.get("imap")}


async def mailbox_rows(hub: Hub) -> list[dict[str, Any]]:
    return [*settings_rows(hub), *(present(d) for d in await mailbox_store.listing(hub.db))]
