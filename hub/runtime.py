"""The one object that holds a running hub's parts; handlers reach it through `keys.HUB`.

Every part is a typed attribute (no dictionary of extras): the services made on first use (routing's
runtime, presence, the live-rights watch, the visitor limits) are None until their module's accessor
(`runtime(hub)`, `tracker(hub)`, `rights_watch(hub)`, `visitor_limits(hub)`) builds them.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pymongo import AsyncMongoClient

from channels.base import Channel
from hub.db.health import DatabaseHealth
from hub.live.events import EventBus
from hub.settings import RoutingSettings, Settings
from hub.store.batched import IngestBatches
from hub.store.db import Db, Doc

if TYPE_CHECKING:  # annotations only: these modules read the Hub themselves
    from channels.email.settings import Mailbox
    from channels.webchat.limits import VisitorLimits
    from hub.access.live_rights import RightsWatch
    from hub.assign.presence import PresenceTracker
    from hub.assign.runtime import RoutingRuntime


@dataclass
class MailboxHooks:
    """What the email plugin tells the rest of the hub about its mailboxes (set through the mail port)."""

    # Called after an admin saves a mailbox, so this process sees it at once (others at their next refresh).
    changed: Callable[[], Awaitable[None]] | None = None
    # The mailboxes EMAIL_MAILBOXES configures: listed read-only by the admin screens.
    from_settings: Sequence[Mailbox] = ()


@dataclass
class Hub:
    settings: Settings
    client: AsyncMongoClient[Doc]
    db: Db
    events: EventBus
    process_id: str
    routing_settings: RoutingSettings
    channels: dict[str, Channel] = field(default_factory=dict)
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    # A hub built without a watcher (the CLI) sees its database as always up.
    health: DatabaseHealth = field(default_factory=lambda: DatabaseHealth(math.inf))
    mailboxes: MailboxHooks = field(default_factory=MailboxHooks)
    routing: RoutingRuntime | None = None
    presence: PresenceTracker | None = None
    rights: RightsWatch | None = None
    visitor_limits: VisitorLimits | None = None
    # A stop that waits on the database too long closes its client (hub/app.py).
    late_close: asyncio.TimerHandle | None = None
    closing_client: asyncio.Future[None] | None = None
    batches: IngestBatches = field(init=False)

    def __post_init__(self) -> None:
        self.batches = IngestBatches(self.db)

    def channel(self, name: str) -> Channel | None:
        return self.channels.get(name)
