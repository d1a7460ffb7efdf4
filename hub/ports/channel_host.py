"""The hub's side of the host port: what `channels.base.ChannelHost` promises, done with the hub's parts.

This module (with hub/ports/mail_host.py, the email channel's own part) is how channels reach the hub; they hold
a `HubChannelHost` and never the `Hub`, so a channel can only do what the port names, and nothing in the
hub is a channel's business."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from channels.base import (
    Attachment,
    Channel,
    ChannelInputError,
    Identity,
    InboundMessage,
    IngestOutcome,
    Limits,
    StoredFile,
)
from hub.access.auth import current_user
from hub.clock import utcnow
from hub.errors import HubError
from hub.http import json_body
from hub.http.web import read_body
from hub.inbound import identities
from hub.inbound.ingest import ingest
from hub.outbound import media_links as media
from hub.ports.mail_host import HubMailHost
from hub.runtime import Hub
from hub.store import contacts, files, messages, raw
from hub.store.db import oid

__all__ = ["HubChannelHost"]

log = logging.getLogger(__name__)


class HubChannelHost:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._mail = HubMailHost(hub)

    @property
    def limits(self) -> Limits:
        settings = self._hub.settings
        return Limits(max_attachment_bytes=settings.max_attachment_bytes, max_text_bytes=settings.max_text_bytes)

    def public_url(self) -> str:
        return self._hub.settings.effective_public_url()

    def now(self) -> datetime:
        return utcnow()

    def templates_dir(self) -> Path:
        from hub.settings import templates_dir  # the app module builds the host

        return templates_dir()

    def add_channels(self, adapters: Mapping[str, Channel]) -> None:
        self._hub.channels.update(adapters)

    async def ingest(self, inbound: InboundMessage) -> IngestOutcome:
        try:
            result = await ingest(self._hub, inbound)
        except HubError as exc:
            raise ChannelInputError(exc.status, exc.message) from None
        return IngestOutcome(message_id=str(result.message["_id"]), conversation_id=str(result.conversation["_id"]),
                             contact_id=str(result.contact["_id"]), created=result.created,
                             created_at=result.message["created_at"])

    async def keep_raw(self, channel: str, payload: Mapping[str, Any], outcome: str | None = None) -> str:
        raw_id = await raw.keep(self._hub.db, channel, payload, utcnow())
        if outcome is not None:
            await raw.mark(self._hub.db, raw_id, outcome)
        return str(raw_id)

    async def store_file(self, data: bytes, filename: str, content_type: str, metadata: Mapping[str, Any]) -> str:
        return str(await files.put(self._hub.db, data, filename, content_type, dict(metadata)))

    async def read_file(self, file_id: str) -> StoredFile | None:
        row_id = oid(file_id)
        stored = await files.get(self._hub.db, row_id) if row_id is not None else None
        if stored is None:
            return None
        data, meta = stored
        return StoredFile(data, str(meta["filename"] or ""), str(meta["content_type"]))

    def file_url(self, file_id: str) -> str:
        return media.signed_url(self._hub.settings, file_id)

    async def message_by_external_id(self, channel: str, external_id: str) -> str | None:
        found = await messages.find_external(self._hub.db, channel, external_id)
        return None if found is None else str(found["_id"])

    async def message_by_provider_id(self, channels: Sequence[str], provider_id: str) -> str | None:
        found = await messages.find_provider(self._hub.db, list(channels), provider_id)
        return None if found is None else str(found["_id"])

    async def record_edit(self, message_id: str, text: str, edited_at: datetime) -> None:
        row_id = oid(message_id)
        if row_id is not None:
            await messages.record_edit(self._hub.db, row_id, text, edited_at)

    async def attach_files(self, message_id: str, attachments: Sequence[Attachment]) -> None:
        row_id = oid(message_id)
        if row_id is not None:
            await messages.set_attachments(self._hub.db, row_id, [a.as_doc() for a in attachments], utcnow())

    async def advance_status(self, channels: Sequence[str], provider_id: str, status: str,
                             error: str | None = None) -> bool:
        updated = await messages.advance_status(self._hub.db, {"provider_id": provider_id,
                                                               "channel": {"$in": list(channels)}},
                                                status, utcnow(), error)
        return updated is not None

    async def join_identity(self, identity: Identity, name: str | None, learnt: Identity) -> None:
        await identities.join_learnt(self._hub, identity, name, learnt)

    async def record_source(self, contact_id: str, channel: str, payload: str, message_id: str,
                            at: datetime) -> None:
        contact, message = oid(contact_id), oid(message_id)
        if contact is not None:
            await contacts.record_source(self._hub.db, contact, {"channel": channel, "payload": payload, "at": at,
                                                                 "message_id": message})

    def parse_json(self, body: bytes) -> Any:
        try:
            return json_body.loads(body)
        except HubError as exc:
            raise ChannelInputError(exc.status, exc.message) from None

    async def read_json_object(self, request: web.Request) -> dict[str, Any]:
        return await read_body(request)

    def require_user(self, request: web.Request) -> None:
        current_user(request)

    @property
    def mail(self) -> HubMailHost:
        return self._mail
