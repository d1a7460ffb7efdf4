"""The one object that holds a running hub's parts; handlers reach it through `keys.HUB`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient

from channels.base import Channel
from hub.live.events import EventBus
from hub.settings import Settings
from hub.store.batched import IngestBatches
from hub.store.db import Db, Doc


@dataclass
class Hub:
    settings: Settings
    client: AsyncMongoClient[Doc]
    db: Db
    events: EventBus
    process_id: str
    channels: dict[str, Channel] = field(default_factory=dict)
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    extras: dict[str, Any] = field(default_factory=dict)
    batches: IngestBatches = field(init=False)

    def __post_init__(self) -> None:
        self.batches = IngestBatches(self.db)

    def channel(self, name: str) -> Channel | None:
        return self.channels.get(name)
