"""The agent inbox pages: login, conversation lists, a conversation with its timeline."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from aiohttp import web

from hub import keys
from hub.api import visible_conversation
from hub.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, current_user, login, set_session_cookie
from hub.store import contacts, conversations, files, messages, users
from hub.store.db import Doc, oid
from hub.web import read_body, render

routes = web.RouteTableDef()

VIEWS = {"mine": "Mine", "unassigned": "Unassigned", "departments": "My departments", "all": "All"}


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/inbox"


@routes.get("/")
async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/inbox" if request.get(keys.USER) else "/login")


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:


    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "next": _safe_next(request.query.get("next")),
                                              "error": None})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/login")
    return response


@routes.post("/login")
async def login_submit(request: web.Request) -> web.StreamResponse:


    hub = request.app[keys.HUB]
    form = await read_body(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, form.get("_csrf", "")):
        raise web.HTTPForbidden(text="the login form's security token is missing or stale; reload the page")
    result = await login(hub, str(form.get("email", "")), str(form.get("password", "")))
    if result is None:
        return render(request, "login.html", {"login_csrf": cookie, "next": _safe_next(form.get("next")),
                                              "error": "Wrong email or password."}, status=401)
    _user, session_id, _csrf = result
    response = web.HTTPFound(_safe_next(form.get("next")))
    set_session_cookie(response, session_id, hub.settings.effective_public_url().startswith("https"),
                       hub.settings.session_days)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    hub = request.app[keys.HUB]
    session = request.get(keys.SESSION)
    if session:
        await users.delete_session(hub.db, session["_id"])
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def _list_context(request: web.Request) -> dict[str, object]:
    hub, user = request.app[keys.HUB], current_user(request)
    view = request.query.get("view", "all")
    if view not in VIEWS:
        view = "all"
    status = request.query.get("status", "open")
    if status not in ("open", "pending", "snoozed", "resolved"):
        status = "open"
    page = await conversations.list_for(hub.db, user, view=view, status=status, limit=100)
    people = await users.user_map(hub.db, [c.get("assignee_id") for c in page])
    departments = {d["_id"]: d for d in await users.departments(hub.db)}
    return {"view": view, "views": VIEWS, "status": status, "conversations": page, "people": people,
            "departments": departments}


@routes.get("/inbox")
async def inbox(request: web.Request) -> web.Response:
    return render(request, "inbox.html", await _list_context(request))


@routes.get("/inbox/list")
async def inbox_list(request: web.Request) -> web.Response:
    return render(request, "partials/conversation_list.html", await _list_context(request))


async def _conversation_context(request: web.Request) -> dict[str, object]:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    contact = await contacts.get(hub.db, conversation["contact_id"])
    timeline = await messages.timeline(hub.db, conversation["_id"])
    people = await users.user_map(hub.db, [conversation.get("assignee_id")])
    departments = {d["_id"]: d for d in await users.departments(hub.db)}
    earlier = [c for c in await conversations.for_contact(hub.db, conversation["contact_id"])
               if c["_id"] != conversation["_id"]]
    return {"conversation": conversation, "contact": contact or {}, "timeline": timeline, "people": people,
            "departments": departments, "earlier": earlier}


@routes.get("/inbox/c/{id}")
async def conversation_page(request: web.Request) -> web.Response:


    context = await _conversation_context(request)
    return render(request, "conversation.html", {**context, "client_key": secrets.token_urlsafe(12)})


@routes.get("/inbox/c/{id}/header")
async def conversation_header(request: web.Request) -> web.Response:
    return render(request, "partials/conversation_header.html", await _conversation_context(request))


@routes.get("/inbox/m/{id}")
async def message_partial(request: web.Request) -> web.Response:
    """One message rendered for the timeline (live updates fetch it)."""
    hub, user = request.app[keys.HUB], current_user(request)
    message_id = oid(request.match_info["id"])
    message: Doc | None = await messages.get(hub.db, message_id) if message_id else None
    if message is None:
        raise web.HTTPNotFound(text="message not found")
    await visible_conversation(hub, user, str(message["conversation_id"]))
    return render(request, "partials/message.html", {"m": message})


INLINE_SAFE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@routes.get("/inbox/files/{message_id}/{index:\\d+}")
async def attachment(request: web.Request) -> web.Response:
    """An attachment, only for agents who may see its conversation; never rendered as a page."""
    hub, user = request.app[keys.HUB], current_user(request)
    message_id = oid(request.match_info["message_id"])
    message = await messages.get(hub.db, message_id) if message_id else None
    if message is None:
        raise web.HTTPNotFound(text="attachment not found")
    await visible_conversation(hub, user, str(message["conversation_id"]))
    items = message.get("attachments") or []
    index = int(request.match_info["index"])
    file_id = oid(items[index].get("file_id")) if index < len(items) else None
    stored = await files.get(hub.db, file_id) if file_id else None
    if stored is None:
        raise web.HTTPNotFound(text="attachment not found")
    data, meta = stored
    content_type = str(meta["content_type"])
    disposition = "inline" if content_type in INLINE_SAFE else "attachment"
    filename = quote(str(meta["filename"] or "attachment"))
    return web.Response(body=data, headers={
        "Content-Type": content_type,
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{filename}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, max-age=3600",
    })
