"""Website chat, the hub's side: the visitor's WebSocket and the demo page.

Website chat has no provider: the socket *is* the hub talking to a visitor (their history, proving who they
are, live replies from the change stream), so it lives with hub/inbound/identities.py and
hub/inbound/verification.py. The channel plugin (channels/webchat/) keeps what a website embeds (the widget)
and the reply adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from channels.base import WEBCHAT, Identity, InboundMessage
from channels.webchat import origins as site_origins
from channels.webchat import token as visitor_tokens
from channels.webchat.limits import VisitorLimits
from hub import keys, webchat_prechat, webchat_rating
from hub.clock import utcnow
from hub.errors import BadInput, HubError, TooLarge
from hub.http import json_body
from hub.http.web import client_address, dumps, json_response, render
from hub.inbound import verification
from hub.inbound.identities import claim, join_proven, signature_matches, signed_identity
from hub.inbound.ingest import ingest
from hub.inbound.verification import VerificationRefused
from hub.live.events import Event
from hub.outbound import media_links as media
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import chat_receipts, contacts, messages, webchat_sites
from hub.webchat_live import LiveState

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
PUSHED_STATUSES = frozenset({"sent", "delivered", "read"})
# Only these fields of a message frame are kept as its raw payload: nothing else in a frame means anything.
RAW_FIELDS = ("type", "text", "client_id")
# A frame is one flat object; anything this deep is refused before it is read.
FRAME_DEPTH = 8
# The close code for a visitor token the hub refused (4000-4999 are the application's own).
BAD_TOKEN_CLOSE = 4403
NOT_AN_OBJECT = "frames must be JSON objects"
# Frames beside the conversation (hub/webchat_live.py): the visitor typing, the visitor having seen replies.
LIVE_FRAMES = frozenset({"typing", "seen"})


@routes.get("/chat")
async def demo_page(request: web.Request) -> web.Response:
    return render(request, "chat_demo.html", {})


ATTACHMENT_LINK_SECONDS = 24 * 3600  # a reload makes fresh links


def history_item(doc: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    author = doc.get("author") or {}
    # Files an agent attached reach the visitor as signed, expiring links (the visitor has no login).
    files = [{"filename": a.get("filename") or "file", "content_type": a.get("content_type") or "",
              "url": media.signed_url(settings, str(a["file_id"]), valid_seconds=ATTACHMENT_LINK_SECONDS)}
             for a in doc.get("attachments") or [] if a.get("file_id")]
    return {"id": str(doc["_id"]), "direction": doc["direction"], "text": doc.get("text", ""),
            "created_at": doc["created_at"].isoformat(), "author": author.get("name") if doc["direction"] == "out"
            else None, "status": doc.get("status"), "attachments": files, "client_id": _sent_as(doc),
            "read": doc.get(chat_receipts.SEEN_FIELD) is not None if doc["direction"] == "in" else None,
            **webchat_rating.survey_fields(doc)}


def widget_external_id(visitor_id: str, client_id: str) -> str:
    """A widget message's external id (its dedupe key): who sent it and the widget's own id for it."""
    return f"{visitor_id}:{client_id}"


def widget_origin(doc: Mapping[str, Any]) -> tuple[str, str] | None:
    """(visitor id, client id) of a visitor's message from the widget (words or files), else None."""
    external = doc.get("external_id")
    if doc.get("direction") != "in" or doc.get("channel") != WEBCHAT or not isinstance(external, str) \
            or ":" not in external:
        return None
    visitor_id, client_id = external.split(":", 1)
    return visitor_id, client_id


def _sent_as(doc: Mapping[str, Any]) -> str | None:
    """The widget's own id for a visitor's message, so a reconnect matches it to the one already shown."""
    origin = widget_origin(doc)
    return origin[1] if origin else None


def visitor_limits(hub: Hub) -> VisitorLimits:
    if hub.visitor_limits is None:
        hub.visitor_limits = VisitorLimits(hub.settings.visitor_burst, hub.settings.visitor_per_second)
    return hub.visitor_limits


def parse_frame(raw: str) -> dict[str, Any]:
    """A visitor's frame by the hub's JSON rules (lone surrogates become U+FFFD); BadInput with the
    sentence the visitor is shown. Whatever does not read as a storable JSON object gets the same one."""
    try:
        frame = json_body.loads(raw, max_depth=FRAME_DEPTH)
    except json_body.TooDeep:
        raise BadInput("the frame is nested too deeply") from None
    except BadInput:
        raise BadInput(NOT_AN_OBJECT) from None
    if not isinstance(frame, dict):
        raise BadInput(NOT_AN_OBJECT)
    return frame


def _client_id(frame: dict[str, Any]) -> str | None:
    value = frame.get("client_id")
    return value if isinstance(value, str) and 0 < len(value) <= 100 else None


def _optional_text(frame: dict[str, Any], *names: str) -> list[str | None]:
    values = [frame.get(name) for name in names]
    if any(v is not None and not isinstance(v, str) for v in values):
        raise HubError(" and ".join(f"'{n}'" for n in names) + " must be strings")
    return [v if isinstance(v, str) else None for v in values]


class VisitorSession:
    """One open widget: reads the visitor's frames, pushes agent replies from the change stream."""

    def __init__(self, hub: Hub, ws: web.WebSocketResponse, visitor_id: str, token: str, user_agent: str,
                 client_address: str = "") -> None:
        self.hub = hub
        self.client_address = client_address
        self.user_agent = user_agent
        self.ws = ws
        self.visitor_id = visitor_id
        self.token = token
        self.pushed: set[str] = set()
        self.sent: set[str] = set()  # client ids of the messages this socket sent
        self.limits = visitor_limits(hub)
        self.live = LiveState(hub, visitor_id)  # typing and read receipts (hub/webchat_live.py)

    @property
    def identity(self) -> Identity:
        return Identity(WEBCHAT, self.visitor_id)

    def wants(self, event: Event) -> bool:
        doc = event.doc
        if self.own_words(event):
            return True
        return (event.collection == "messages" and doc.get("direction") == "out"
                and doc.get("to") == {"kind": WEBCHAT, "value": self.visitor_id}
                and doc.get("status") in PUSHED_STATUSES) or self.live.wants(event)

    def own_words(self, event: Event) -> bool:
        """A new message of the visitor's from this browser (any tab), words or files, so a second tab
        shows it as it is sent."""
        if event.collection != "messages" or event.operation != "insert":
            return False
        origin = widget_origin(event.doc)
        return origin is not None and origin[0] == self.visitor_id

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_str(dumps(frame))

    async def welcome(self) -> None:
        """Who this visitor is and everything their contact may show them (only proven joins add to it)."""
        contact = await contacts.find_by_identity(self.hub.db, self.identity)
        history = await messages.contact_history(self.hub.db, contact["_id"]) if contact else []
        history = [m for m in history if m["direction"] in ("in", "out")]
        self.live.learn(contact and contact["_id"], history[-1]["conversation_id"] if history else None)
        self.pushed.update(str(m["_id"]) for m in history if m["direction"] == "out")
        verified = [{"kind": i["kind"], "value": i["value"]} for i in (contact.get("identities", []) if contact else [])
                    if i.get("kind") != WEBCHAT]
        await self.send({"type": "welcome", "token": self.token, "visitor_id": self.visitor_id,
                         "name": contact.get("name") if contact else None, "verified": verified,
                         "history": [history_item(m, self.hub.settings) for m in history],
                         "max_file_bytes": self.hub.settings.max_attachment_bytes})

    async def push_replies(self, subscription: Any) -> None:
        while True:
            event: Event = await subscription.get()
            if self.own_words(event):
                # To the visitor's other tabs; this socket's own words were acknowledged already (files,
                # sent over HTTP, come here too: the widget matches them to their bubble by client id).
                if _sent_as(event.doc) in self.sent:
                    continue
                with contextlib.suppress(ConnectionError):
                    await self.send({"type": "message", "message": history_item(event.doc, self.hub.settings)})
                continue
            if event.collection != "messages" or event.doc.get("direction") != "out":
                await self._live_frame(event)
                continue
            message_id = str(event.doc["_id"])
            if message_id in self.pushed:
                continue
            self.pushed.add(message_id)
            try:
                self.live.replied(event.doc)
                await self.send({"type": "message", "message": history_item(event.doc, self.hub.settings)})
                await messages.advance_status(self.hub.db, {"_id": event.doc["_id"]}, "delivered", utcnow())
            except ConnectionError:
                return  # the socket closed; the reply stays "sent" and shows in the next welcome
            except Exception:
                log.exception("pushing a reply to a visitor failed message=%s", message_id)

    async def _live_frame(self, event: Event) -> None:
        frame = self.live.frame(event, utcnow())
        if frame is not None:
            with contextlib.suppress(ConnectionError):
                await self.send(frame)

    async def handle_frame(self, raw: str) -> None:
        try:
            frame = parse_frame(raw)
        except BadInput as exc:
            frame, problem = {}, exc.message
        else:
            problem = ""
        kind = frame.get("type")
        if kind == "ping" and not problem:
            await self.send({"type": "pong"})
            return
        if kind in LIVE_FRAMES and not problem:
            await self._live_extra(kind, frame)  # throttled on their own: never counted as messages
            return
        client_id = _client_id(frame)
        wait = self.limits.take(self.visitor_id)
        if wait > 0:
            await self.send({"type": "error", "code": "rate_limited", "retry_after": round(wait, 2),
                             "client_id": client_id, "error": "You are sending messages too fast; this one was "
                             f"not sent. Try again in {max(round(wait), 1)} s."})
            return
        if problem:
            await self.send({"type": "error", "code": "bad_frame", "error": problem})
            return
        try:
            if kind == "message":
                await self._message(frame)
            elif kind == "identify":
                await self._identify(frame)
            elif kind == "verify_start":
                await self._verify_start(frame)
            elif kind == "verify_code":
                await self._joined(await verification.check(self.hub, self.visitor_id, frame.get("code")))
            elif kind == "prechat":
                await self._prechat(frame)
            elif kind == "rating":
                await self.send(await webchat_rating.rate(self.hub, self.identity, frame))
            else:
                shown = kind if isinstance(kind, str) and len(kind) <= 40 else "…"
                await self.send({"type": "error", "code": "bad_frame", "error": f"unknown frame type {shown!r}"})
        except VerificationRefused as exc:
            await self.send(exc.frame())
        except HubError as exc:
            # The code is what the widget shows (in the visitor's language); the sentence is for logs and tools.
            await self.send({"type": "error", "error": exc.message, "client_id": client_id,
                             "code": "too_long" if isinstance(exc, TooLarge) else "refused"})
        except ConnectionError:
            raise
        except Exception:
            log.exception("website chat frame failed visitor=%s type=%s", self.visitor_id,
                          kind if isinstance(kind, str) else type(kind).__name__)
            await self.send({"type": "error", "client_id": client_id, "code": "failed",
                             "error": "Something went wrong on our side; please send that again."})

    async def _live_extra(self, kind: str, frame: dict[str, Any]) -> None:
        try:
            if kind == "typing":
                await self.live.visitor_typing(utcnow())
            else:
                await self.live.visitor_saw(frame.get("id"), utcnow())
        except ConnectionError:
            raise
        except Exception:  # a lost typing ping or receipt is not worth an error in the visitor's chat
            log.exception("website chat %s frame failed visitor=%s", kind, self.visitor_id)

    async def _message(self, frame: dict[str, Any]) -> None:
        text, client_id = frame.get("text"), _client_id(frame)
        if not isinstance(text, str) or not text.strip():
            raise HubError("a message needs non-empty 'text'")
        if client_id is None and frame.get("client_id") is not None:
            raise HubError("'client_id' must be a short string")
        if client_id is not None:
            self.sent.add(client_id)
        look = await webchat_prechat.look_if_complete(self.hub, self.identity, client_id)
        inbound = InboundMessage(
            channel="webchat", identity=self.identity, text=text, received_at=utcnow(),
            external_id=widget_external_id(self.visitor_id, client_id) if client_id else None,
            raw={k: frame[k] for k in RAW_FIELDS if k in frame},
            extras={"user_agent": self.user_agent, **webchat_prechat.routing_extras(look)},
        )
        result = await ingest(self.hub, inbound)
        self.live.learn(result.contact["_id"], result.conversation["_id"])
        await webchat_prechat.record_greeting(self.hub, look, frame, result)
        await self.send({"type": "ack", "client_id": client_id, "id": str(result.message["_id"]),
                         "duplicate": not result.created, "created_at": result.message["created_at"].isoformat()})

    async def _identify(self, frame: dict[str, Any]) -> None:
        name, email, identifier, signature = _optional_text(frame, "name", "email", "identifier",
                                                            "identifier_hash")
        if identifier is not None or signature is not None:
            await self._signed(identifier or "", signature or "", name)
            return
        # Unproven: kept as a claim on the visitor's own contact; the same answer whoever holds the address.
        contact = await claim(self.hub, self.identity, name, email)
        await self.send({"type": "identified", "name": contact.get("name"), "email": email and email.strip(),
                         "verified": False})

    async def _signed(self, identifier: str, signature: str, name: str | None) -> None:
        hub = self.hub
        secret = await webchat_sites.identity_secret(hub.db, hub.settings.ensure_secret_key())
        if secret is None:
            raise VerificationRefused("Signed identities are not set up on this hub (Admin → Website chat).",
                                      "not_configured")
        if not identifier or not signature or not signature_matches(secret, identifier, signature):
            log.warning("website chat identity signature refused visitor=%s", self.visitor_id)
            raise VerificationRefused("The identity's signature does not match; nothing was joined.",
                                      "bad_signature")
        await self._joined(signed_identity(identifier), name)

    async def _verify_start(self, frame: dict[str, Any]) -> None:
        (email,) = _optional_text(frame, "email")
        if not email:
            raise HubError("'email' is needed to send a code")
        await claim(self.hub, self.identity, None, email)
        sent = await verification.start(self.hub, self.visitor_id, email, self.client_address)
        await self.send({"type": "verify_sent", "email": sent.email, "valid_seconds": sent.valid_seconds,
                         "tries": sent.tries})

    async def _prechat(self, frame: dict[str, Any]) -> None:
        """The pre-chat form: checked as the widget checks it, its name and email kept as claims, its
        question (if any) the visitor's first message."""
        _, required, offline = await webchat_prechat.required_now(self.hub)
        name, email, question = webchat_prechat.checked_form(frame, required, offline)
        contact = await claim(self.hub, self.identity, name, email)
        await self.send({"type": "prechat_done", "name": contact.get("name"), "email": email})
        if question:
            await self._message({"type": "message", "text": question, "client_id": _client_id(frame),
                                 "greeted": frame.get("greeted") is True})

    async def _joined(self, proven: Identity, name: str | None = None) -> None:
        """A proven identity: join its contact, then a fresh welcome with the history it may now see."""
        joined = await join_proven(self.hub, self.identity, proven)
        if not joined.same_visitor:
            # This browser's visitor is already someone else (a shared computer): a new visitor for this one.
            self.visitor_id, self.token = visitor_tokens.issue(self.hub.settings.ensure_secret_key())
            joined = await join_proven(self.hub, self.identity, proven)
        if name and name.strip() and not joined.contact.get("name"):
            await contacts.set_name(self.hub.db, joined.contact["_id"], name.strip()[:200])
        await self.send({"type": "verified", "kind": proven.kind, "value": proven.value})
        await self.welcome()


@routes.get("/webchat/ws")
async def visitor_socket(request: web.Request) -> web.StreamResponse:
    hub = request.app[keys.HUB]
    origin = request.headers.get("Origin")
    if not site_origins.allowed(origin, await webchat_sites.allowed_origins(hub.db),
                                (str(request.url.origin()), hub.settings.effective_public_url())):
        return json_response({"error": f"pages on {origin} may not open this chat: add the site under "
                                       "Admin → Website chat → Allowed sites"}, status=403)
    secret = hub.settings.ensure_secret_key()
    token = request.query.get("token")
    if token:
        try:
            visitor_id = visitor_tokens.verify(secret, token, hub.settings.visitor_token_days * 86400)
        except visitor_tokens.BadVisitorToken as exc:
            problem = f"{exc}; start a new chat without a token"
            if request.headers.get("Upgrade", "").lower() != "websocket":
                return json_response({"error": problem}, status=403)
            # A browser cannot read an HTTP status from a refused upgrade: it hears this close code instead,
            # so it drops only a token the hub refused, never one that met a network hiccup.
            refused = web.WebSocketResponse()
            await refused.prepare(request)
            await refused.send_str(dumps({"type": "error", "code": "bad_token", "error": problem}))
            await refused.close(code=BAD_TOKEN_CLOSE, message=b"bad visitor token")
            return refused
    else:
        visitor_id, token = visitor_tokens.issue(secret)
    # JSON may escape each non-ASCII character as six bytes; the text limit itself is checked on ingest.
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=hub.settings.max_text_bytes * 6 + 4096)
    await ws.prepare(request)
    session = VisitorSession(hub, ws, visitor_id, token, request.headers.get("User-Agent", "")[:300],
                             client_address(request))
    # From here on the socket is upgraded: an HTTP error page can no longer be sent, only frames.
    try:
        with hub.events.subscribe(session.wants) as subscription:
            await session.welcome()
            pusher = asyncio.create_task(session.push_replies(subscription))
            try:
                async for msg in ws:
                    if msg.type == WSMsgType.TEXT:
                        await session.handle_frame(msg.data)
                    elif msg.type == WSMsgType.BINARY:
                        await session.send({"type": "error", "code": "bad_frame",
                                            "error": "binary frames are not supported"})
                    elif msg.type == WSMsgType.ERROR:
                        break
            finally:
                pusher.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await pusher
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("website chat socket failed visitor=%s", session.visitor_id)
        with contextlib.suppress(Exception):
            await session.send({"type": "error", "code": "internal",
                                "error": "The chat hit a problem on our side; it will reconnect."})
        with contextlib.suppress(Exception):
            await ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"internal error")
    return ws
