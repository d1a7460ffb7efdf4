"""One conversation: its timeline, header, single messages for live updates, catch-up, mail and files."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from channels.base import Identity
from hub import keys
from hub.access.auth import current_user, require_role
from hub.actions import read_state
from hub.actions.access import visible_conversation, visible_message
from hub.actions.composer import email_composer, reply_channels
from hub.actions.contacts import accept_claim as accept_claim_action
from hub.actions.presence import viewer_payload
from hub.clock import utcnow
from hub.http.web import dumps, read_form, render
from hub.store import claims, contacts, conversations, custom_fields, files, messages, read_marks, users, viewers
from hub.store import conversation_meta as meta
from hub.store import departments as department_store
from hub.store.db import Db, Doc, oid
from hub.store.documents import Contact, Conversation, Message
from inbox_ui import lists
from inbox_ui import view_models as views
from inbox_ui.live import since_datetime
from routing.model import PRIORITIES

routes = web.RouteTableDef()


# The newest 50 entries open a conversation (a screen holds about ten); older ones come a page at a time as
# the agent scrolls up (inbox.js) or presses "Load earlier messages". Rendering is most of a page's cost.
TIMELINE_PAGE = 50


async def _no_timeline() -> tuple[list[Message], bool]:
    return [], False


async def _nobody() -> list[Doc]:
    return []


MOVERS = ("admin", "lead")  # who may assign anyone and transfer from the header (hub.actions.conversations)


async def _names(db: Db, docs: list[Message], departments: dict[object, Doc] | None = None) -> views.Names:
    """The department and people names the timeline's event lines print (one read each, none if unneeded)."""
    events = [m for m in docs if m.get("direction") == "event"]
    if not events:
        return views.Names()
    if departments is None:
        departments = {d["_id"]: d for d in await department_store.all_departments(db)}
    ids = views.assignee_ids(list(events))
    return views.Names.of(departments, await users.user_map(db, list(ids)) if ids else {})


@dataclass(frozen=True)
class _Loaded:
    """The documents a conversation page is built from, and the views its templates read."""

    conversation: Conversation
    contact: Contact | None
    timeline: list[Message]
    context: dict[str, object]


async def _load(request: web.Request, *, with_timeline: bool = False) -> _Loaded:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    # Independent reads, in flight together: the page costs about its slowest read, not their sum.
    mover = user.get("role") in MOVERS
    sidebar = asyncio.gather(custom_fields.all_fields(hub.db), users.users(hub.db) if mover else _nobody())
    contact, (timeline, has_earlier), people, department_list, history, (fields, team) = await asyncio.gather(
        contacts.get(hub.db, conversation["contact_id"]),
        messages.timeline_tail(hub.db, conversation["_id"], limit=TIMELINE_PAGE) if with_timeline
        else _no_timeline(),
        users.user_map(hub.db, [conversation.get("assignee_id")]),
        department_store.all_departments(hub.db),
        conversations.for_contact(hub.db, conversation["contact_id"]),
        sidebar,
    )
    departments = {d["_id"]: d for d in department_list}
    claimed, names = await asyncio.gather(_claims(hub.db, contact, user), _names(hub.db, timeline, departments))
    header = views.ConversationHeader.of(conversation, contact, claimed, departments, people)
    earlier = views.earlier([c for c in history if c["_id"] != conversation["_id"]],
                            lambda c: conversations.can_see(user, c))
    return _Loaded(conversation, contact, timeline, {
        "header": header, "conversation_id": conversation["_id"], "timeline": views.timeline(timeline, user, names),
        "has_earlier": has_earlier, "earlier": earlier, "priorities": PRIORITIES,
        "card": views.ContactCard.of(contact, conversation, fields),
        "moves": views.MoveOptions.of(department_list, team, conversation.get("department_id")) if mover else None})


MERGERS = ("admin", "lead")


async def _claims(db: Db, contact: Contact | None, user: Doc) -> list[views.ClaimView]:
    """What the customer said but did not prove; for a lead, also who (if anyone) holds it."""
    if contact is None:
        return []
    shown = []
    for item in claims.claims_of(contact):
        owner = None
        if user.get("role") in MERGERS:
            found = await contacts.find_by_identity(db, Identity(str(item.get("kind")), str(item.get("value"))))
            owner = found if found is not None and found["_id"] != contact["_id"] else None
        shown.append(views.claim_view(item, owner))
    return shown


@routes.post("/inbox/c/{id}/claims")
async def accept_claim(request: web.Request) -> web.Response:
    """A lead vouches for what the customer said (hub.actions.contacts.accept_claim)."""
    user = require_role(request, *MERGERS)
    hub = request.app[keys.HUB]
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    form = await read_form(request)
    await accept_claim_action(hub, user, conversation, Identity(str(form.get("kind", "")), str(form.get("value", ""))))
    raise web.HTTPSeeOther(f"/inbox/c/{conversation['_id']}")


async def _pane_context(request: web.Request) -> dict[str, object]:
    """The conversation pane: header, timeline (opened at its newest), composer, sidebar; opening it reads it."""
    hub, user = request.app[keys.HUB], current_user(request)
    loaded = await _load(request, with_timeline=True)
    conversation = loaded.conversation
    now = utcnow()
    # What the agent saw when the page loaded: a reply is held if something newer comes first.
    seen = [m for m in loaded.timeline if m.get("direction") in ("in", "out")]
    # Where "New messages" goes: read before this opening marks everything seen. The reads are in flight
    # together: each is a round trip to the database.
    marks, present, email_reply = await asyncio.gather(
        read_marks.marks_for(hub.db, user["_id"], [conversation["_id"]]),
        viewers.current(hub.db, conversation["_id"], now),
        email_composer(hub, conversation, loaded.contact or {}, user))
    seen_at = marks.get(conversation["_id"])
    present_now = [viewer_payload(v) for v in present]
    await read_state.opened(hub, user, conversation, loaded.timeline)
    channels = reply_channels(hub, conversation, loaded.contact or {}, now)
    list_query = lists.list_query(request)
    return {
        **loaded.context, "client_key": secrets.token_urlsafe(12), "last_seen_id": seen[-1]["_id"] if seen else "",
        "channels": [views.ReplyChannel.of(c) for c in channels],
        "email_reply": email_reply,
        "viewers_json": dumps(present_now), "loaded_at": int(now.timestamp() * 1000),
        "first_unread": views.first_unread(loaded.timeline, seen_at),
        "list_query": list_query, "back_link": "/inbox" + (f"?{list_query}" if list_query else "")}


@routes.get("/inbox/c/{id}")
async def conversation_page(request: web.Request) -> web.Response:
    """The workspace with this conversation open: a reload (or a new tab) of a URL the list pushed."""
    pane = await _pane_context(request)
    listed = await lists.list_context(request, open_id=oid(request.match_info["id"]))
    return render(request, "conversation.html", {**listed, **pane})


@routes.get("/inbox/c/{id}/pane")
async def conversation_pane(request: web.Request) -> web.Response:
    """The conversation pane alone, swapped in beside the list when a row is clicked (inbox.js)."""
    return render(request, "partials/conversation_pane.html", await _pane_context(request))


@routes.get("/inbox/c/{id}/header")
async def conversation_header(request: web.Request) -> web.Response:
    return render(request, "partials/conversation_header.html", (await _load(request)).context)


@routes.get("/inbox/c/{id}/earlier")
async def conversation_earlier(request: web.Request) -> web.Response:
    """The page of timeline entries before a message ("load earlier messages")."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    first_id = oid(request.query.get("before"))
    first = await messages.get(hub.db, first_id) if first_id else None
    if first is None or first.get("conversation_id") != conversation["_id"]:
        raise web.HTTPBadRequest(text="'before' must be the id of a message in this conversation")
    timeline, has_earlier = await messages.timeline_tail(
        hub.db, conversation["_id"], before=(first["created_at"], first["_id"]), limit=TIMELINE_PAGE)
    return render(request, "partials/timeline_earlier.html",
                  {"conversation_id": conversation["_id"],
                   "timeline": views.timeline(timeline, user, await _names(hub.db, timeline)),
                   "has_earlier": has_earlier})


@routes.get("/inbox/c/{id}/sync")
async def conversation_sync(request: web.Request) -> web.Response:
    """Timeline entries created or changed since `since` (ms): what a page missed while offline."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    since = since_datetime(request.query.get("since"))
    if since is None:
        raise web.HTTPBadRequest(text="'since' must be the SSE id (milliseconds) the page saw last")
    changed = await meta.changed_since(hub.db, conversation["_id"], since)
    return render(request, "partials/timeline_items.html",
                  {"timeline": views.timeline(changed, user, await _names(hub.db, changed))})


@routes.get("/inbox/c/{id}/earlier/{other}")
async def earlier_timeline(request: web.Request) -> web.Response:
    """An earlier conversation of the same customer, shown inline (checked on its own: it may be elsewhere)."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    other = await visible_conversation(hub, user, request.match_info["other"])
    if other["contact_id"] != conversation["contact_id"]:
        raise web.HTTPNotFound(text="conversation not found")
    timeline = await messages.timeline(hub.db, other["_id"])
    return render(request, "partials/timeline_items.html",
                  {"timeline": views.timeline(timeline, user, await _names(hub.db, timeline)), "readonly": True})


@routes.get("/inbox/m/{id}")
async def message_partial(request: web.Request) -> web.Response:
    """One message rendered for the timeline (live updates fetch it)."""
    hub, user = request.app[keys.HUB], current_user(request)
    message = await visible_message(hub, user, request.match_info["id"])
    names = await _names(hub.db, [message])
    return render(request, "partials/timeline_entry.html", {"m": views.MessageView.of(message, user.get("_id"), names)})


MAIL_CSP = ("sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:{remote}; font-src 'none'; form-action 'none'; frame-ancestors 'self'; base-uri 'none'")


@routes.get("/inbox/mail/{id}")
async def mail_html(request: web.Request) -> web.Response:
    """An email's sanitised HTML for a sandboxed iframe: no scripts, no forms, remote images only on request."""
    hub, user = request.app[keys.HUB], current_user(request)
    message = await visible_message(hub, user, request.match_info["id"])
    remote = request.query.get("remote") == "1" and bool((message.get("extras") or {}).get("html_remote_images"))
    html = (message.get("extras") or {}).get("html_remote_images") if remote else message.get("html")
    if not isinstance(html, str) or not html:
        raise web.HTTPNotFound(text="this message has no HTML version")
    page = ('<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">'
            '<base target="_blank"></head><body dir="auto">' + html + "</body></html>")
    return web.Response(text=page, content_type="text/html", headers={
        "Content-Security-Policy": MAIL_CSP.format(remote=" https: http:" if remote else ""),
        "X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store",
    })


INLINE_SAFE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@routes.get("/inbox/files/{message_id}/{index:\\d+}")
async def attachment(request: web.Request) -> web.Response:
    """An attachment, only for agents who may see its conversation; never rendered as a page."""
    hub, user = request.app[keys.HUB], current_user(request)
    message = await visible_message(hub, user, request.match_info["message_id"], "attachment not found")
    items = message.get("attachments") or []
    index = int(request.match_info["index"])
    file_id = oid(items[index].get("file_id")) if index < len(items) else None
    stored = await files.get(hub.db, file_id) if file_id else None
    if stored is None:
        raise web.HTTPNotFound(text="attachment not found")
    data, meta_info = stored
    content_type = str(meta_info["content_type"])
    disposition = "inline" if content_type in INLINE_SAFE else "attachment"
    filename = quote(str(meta_info["filename"] or "attachment"))
    return web.Response(body=data, headers={
        "Content-Type": content_type,
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{filename}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, max-age=3600",
    })
