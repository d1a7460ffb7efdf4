"""Website chat: the embeddable widget, its demo page, and the visitor's WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from channels.base import WEBCHAT, Identity, InboundMessage
from channels.webchat import token as visitor_tokens
from hub import keys, media
from hub.clock import utcnow
from hub.context import Hub
from hub.errors import HubError
from hub.events import Event
from hub.identities import identify
from hub.ingest import ingest
from hub.settings import Settings
from hub.store import contacts, messages
from hub.store.db import Doc
from hub.web import dumps, json_response, render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
routes = web.RouteTableDef()
PUSHED_STATUSES = frozenset({"sent", "delivered", "read"})


@routes.get("/widget.js")
async def widget_js(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget.js", headers={"Content-Type": "text/javascript; charset=utf-8",
                                                           "Cache-Control": "public, max-age=300",
                                                           "Access-Control-Allow-Origin": "*"})


@routes.get("/widget.css")
async def widget_css(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget.css", headers={"Content-Type": "text/css; charset=utf-8",
                                                            "Cache-Control": "public, max-age=300",
                                                            "Access-Control-Allow-Origin": "*"})


@routes.get("/chat")
async def demo_page(request: web.Request) -> web.Response:
    return render(request, "chat_demo.html", {})


ATTACHMENT_LINK_SECONDS = 24 * 3600  # a reload makes fresh links


def _history_item(doc: Doc, settings: Settings) -> dict[str, Any]:
    author = doc.get("author") or {}
    # Files an agent attached reach the visitor as signed, expiring links (the visitor has no login).
    files = [{"filename": a.get("filename") or "file",
              "url": media.signed_url(settings, str(a["file_id"]), valid_seconds=ATTACHMENT_LINK_SECONDS)}
             for a in doc.get("attachments") or [] if a.get("file_id")]
    return {"id": str(doc["_id"]), "direction": doc["direction"], "text": doc.get("text", ""),
            "created_at": doc["created_at"].isoformat(), "author": author.get("name") if doc["direction"] == "out"
            else None, "status": doc.get("status"), "attachments": files}


class VisitorSession:
    """One open widget: reads the visitor's frames, pushes agent replies from the change stream."""

    def __init__(self, hub: Hub, ws: web.WebSocketResponse, visitor_id: str, user_agent: str) -> None:
        self.hub = hub
        self.user_agent = user_agent
        self.ws = ws
        self.visitor_id = visitor_id
        self.identity = Identity(WEBCHAT, visitor_id)
        self.pushed: set[str] = set()

    def wants(self, event: Event) -> bool:
        doc = event.doc
        return (event.collection == "messages" and doc.get("direction") == "out"
                and doc.get("to") == {"kind": WEBCHAT, "value": self.visitor_id}
                and doc.get("status") in PUSHED_STATUSES)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_str(dumps(frame))

    async def push_replies(self, subscription: Any) -> None:
        while True:
            event: Event = await subscription.get()
            message_id = str(event.doc["_id"])
            if message_id in self.pushed:
                continue
            self.pushed.add(message_id)
            await self.send({"type": "message", "message": _history_item(event.doc, self.hub.settings)})
            await messages.advance_status(self.hub.db, {"_id": event.doc["_id"]}, "delivered", utcnow())

    async def handle_frame(self, raw: str) -> None:
        try:
            frame = json.loads(raw)
        except json.JSONDecodeError:
            await self.send({"type": "error", "error": "frames must be JSON objects"})
            return
        if not isinstance(frame, dict):
            await self.send({"type": "error", "error": "frames must be JSON objects"})
            return
        kind = frame.get("type")
        try:
            if kind == "message":
                await self._message(frame)
            elif kind == "identify":
                await self._identify(frame)
            elif kind == "ping":
                await self.send({"type": "pong"})
            else:
                await self.send({"type": "error", "error": f"unknown frame type {kind!r}"})
        except HubError as exc:
            await self.send({"type": "error", "error": exc.message, "client_id": frame.get("client_id")})

    async def _message(self, frame: dict[str, Any]) -> None:
        text, client_id = frame.get("text"), frame.get("client_id")
        if not isinstance(text, str) or not text.strip():
            raise HubError("a message needs non-empty 'text'")
        if client_id is not None and (not isinstance(client_id, str) or not 0 < len(client_id) <= 100):
            raise HubError("'client_id' must be a short string")
        inbound = InboundMessage(
            channel="webchat", identity=self.identity, text=text, received_at=utcnow(),
            external_id=f"{self.visitor_id}:{client_id}" if client_id else None,
            raw=frame, extras={"user_agent": self.user_agent},
        )
        result = await ingest(self.hub, inbound)
        await self.send({"type": "ack", "client_id": client_id, "id": str(result.message["_id"]),
                         "duplicate": not result.created})

    async def _identify(self, frame: dict[str, Any]) -> None:
        name, email = frame.get("name"), frame.get("email")
        if (name is not None and not isinstance(name, str)) or (email is not None and not isinstance(email, str)):
            raise HubError("'name' and 'email' must be strings")
        contact = await contacts.resolve(self.hub.db, self.identity, None, utcnow())
        joined = await identify(self.hub, contact, name, email)
        await self.send({"type": "identified", "name": joined.get("name")})


@routes.get("/webchat/ws")
async def visitor_socket(request: web.Request) -> web.StreamResponse:
    hub = request.app[keys.HUB]
    secret = hub.settings.ensure_secret_key()
    token = request.query.get("token")
    if token:
        try:
            visitor_id = visitor_tokens.verify(secret, token, hub.settings.visitor_token_days * 86400)
        except visitor_tokens.BadVisitorToken as exc:
            return json_response({"error": f"{exc}; start a new chat without a token"}, status=403)
    else:
        visitor_id, token = visitor_tokens.issue(secret)
    # JSON may escape each non-ASCII character as six bytes; the text limit itself is checked on ingest.
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=hub.settings.max_text_bytes * 6 + 4096)
    await ws.prepare(request)
    session = VisitorSession(hub, ws, visitor_id, request.headers.get("User-Agent", "")[:300])
    contact = await contacts.find_by_identity(hub.db, session.identity)
    history = await messages.contact_history(hub.db, contact["_id"]) if contact else []
    history = [m for m in history if m["direction"] in ("in", "out")]
    session.pushed.update(str(m["_id"]) for m in history if m["direction"] == "out")
    with hub.events.subscribe(session.wants) as subscription:
        await session.send({"type": "welcome", "token": token, "visitor_id": visitor_id,
                            "name": (contact or {}).get("name"),
                            "history": [_history_item(m, hub.settings) for m in history]})
        pusher = asyncio.create_task(session.push_replies(subscription))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await session.handle_frame(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await session.send({"type": "error", "error": "binary frames are not supported"})
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await pusher
    return ws
