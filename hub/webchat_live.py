"""The website chat's live extras, both ways, beside the messages: typing and read receipts.

- The visitor types: a `typing` frame (the widget sends one at most every few seconds, the hub keeps at
  most one write per TYPING_WRITE_SECONDS) becomes the conversation's visitor record in
  conversation_viewers, which the agents' stream already carries; it expires on its own after
  TYPING_SECONDS. Nothing of it is a message.
- An agent types: that agent's viewer record (written by the inbox's typing pings) reaches the visitor's
  socket from the change stream as `{"type": "typing", "name", "seconds"}`; `seconds: 0` when they stop.
- An agent saw the visitor's messages (hub/store/chat_receipts.py): `{"type": "read", "id"}`, meaning that
  message and every earlier one of the visitor's.
- The visitor saw replies: a `seen` frame naming the newest reply shown marks replies up to it read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from channels.base import WEBCHAT, Identity
from hub import names as model
from hub.live.events import Event
from hub.runtime import Hub
from hub.store import chat_receipts, contacts, conversations, viewers
from hub.store.db import oid

TYPING_SECONDS = 6.0
TYPING_WRITE_SECONDS = 2.5


class LiveState:
    """What one visitor socket knows to pick its live extras from the stream (kept by VisitorSession)."""

    def __init__(self, hub: Hub, visitor_id: str) -> None:
        self.hub = hub
        self.visitor_id = visitor_id
        self.contact_id: ObjectId | None = None
        self.conversation_id: ObjectId | None = None
        self.typing_written: datetime | None = None
        self.agent_typing: dict[str, Any] = {}  # user id -> the typing_until last told to the visitor
        self.saw: ObjectId | None = None  # the reply the visitor last said they saw

    def learn(self, contact_id: object, conversation_id: object = None) -> None:
        if isinstance(contact_id, ObjectId):
            self.contact_id = contact_id
        if isinstance(conversation_id, ObjectId):
            self.conversation_id = conversation_id

    def wants(self, event: Event) -> bool:
        """Agent typing and agents' read marks for this visitor's conversations."""
        if self.contact_id is None or event.conversation is None \
                or event.conversation.get("contact_id") != self.contact_id:
            return False
        doc = event.doc
        if event.collection == model.VIEWERS:
            return not doc.get("visitor")
        return (event.collection == model.MESSAGES and doc.get("direction") == model.IN
                and doc.get("channel") == WEBCHAT and doc.get(chat_receipts.SEEN_FIELD) is not None)

    def frame(self, event: Event, now: datetime) -> dict[str, Any] | None:
        """The frame this event is for the visitor, or None when it tells them nothing new."""
        doc = event.doc
        if event.collection == model.MESSAGES:
            # `at`: the widget ticks every message stored up to then (its list may be in another order when
            # two files went up together).
            created = doc.get("created_at")
            return {"type": "read", "id": str(doc["_id"]),
                    "at": created.isoformat() if isinstance(created, datetime) else None}
        until = doc.get("typing_until")
        typing = _later(until, now) and _later(doc.get("expires_at"), now)
        user = str(doc.get("user_id"))
        told = self.agent_typing.get(user)
        if typing and isinstance(until, datetime):
            if told == until:
                return None  # a viewing heartbeat: the same typing as already told
            self.agent_typing[user] = until
            seconds = min((until - now).total_seconds(), TYPING_SECONDS)
            return {"type": "typing", "name": doc.get("name") or "", "seconds": round(seconds, 1)}
        if told is None:
            return None
        del self.agent_typing[user]
        return {"type": "typing", "name": doc.get("name") or "", "seconds": 0}

    def replied(self, doc: Mapping[str, Any]) -> None:
        """A reply reached the visitor: its author's typing is over without another frame."""
        self.agent_typing.pop(str((doc.get("author") or {}).get("id")), None)

    async def visitor_typing(self, now: datetime) -> None:
        if self.typing_written is not None and (now - self.typing_written).total_seconds() < TYPING_WRITE_SECONDS:
            return
        conversation = await self._conversation()
        if conversation is None:
            return  # nothing written yet: no conversation for an agent to watch
        self.typing_written = now
        contact = await contacts.get(self.hub.db, conversation["contact_id"])
        name = str(contact.get("name") or "") if contact is not None else ""
        await viewers.visitor_typing(self.hub.db, conversation["_id"], name, now,
                                     now + timedelta(seconds=TYPING_SECONDS))

    async def visitor_saw(self, raw_id: object, now: datetime) -> None:
        message_id = oid(raw_id) if isinstance(raw_id, str) else None
        if message_id is not None and message_id != self.saw:  # the same receipt again costs nothing
            self.saw = message_id
            await chat_receipts.visitor_read(self.hub.db, self.visitor_id, message_id, now)

    async def _look_up(self) -> None:
        contact = await contacts.find_by_identity(self.hub.db, Identity(WEBCHAT, self.visitor_id))
        if contact is not None:
            found = await conversations.for_contact(self.hub.db, contact["_id"])
            self.learn(contact["_id"], found[0]["_id"] if found else None)

    async def _conversation(self) -> Mapping[str, Any] | None:
        if self.conversation_id is None:
            await self._look_up()  # the first message came another way (a file, another tab)
        if self.conversation_id is None:
            return None
        found = await conversations.get(self.hub.db, self.conversation_id)
        return found if found is not None and found.get("contact_id") == self.contact_id else None


def _later(value: object, now: datetime) -> bool:
    return isinstance(value, datetime) and value > now
