"""The signed-in user's own page: change my password, pick the interface language, write my email signature."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import StringConstraints

from hub import keys
from hub.access import accounts
from hub.access.auth import current_user
from hub.actions import signature
from hub.clock import utcnow
from hub.errors import HubError, NotFound
from hub.http import languages
from hub.http.request_models import RequestModel, one_of, parse_body
from hub.http.web import json_response, render, wants_json
from hub.outbound.email_reply import SIGNATURE_MAX_CHARS
from hub.store import users
from inbox_ui import view_models
from inbox_ui.terms import N_

routes = web.RouteTableDef()


class PasswordChange(RequestModel):
    """The rules for a new password are accounts.change_own's, shared with an admin's reset."""

    current_password: str | None = None
    new_password: str | None = None
    new_password_again: str | None = None


class LanguageChoice(RequestModel):
    """One of hub.http.languages.CODES, or empty: follow the browser's Accept-Language."""

    language: Annotated[str, one_of(("", *languages.CODES))] = ""
    field_messages = {"language": "language must be one of " + ", ".join(languages.CODES)
                                  + ", or empty to follow the browser"}


class SignatureChange(RequestModel):
    """Plain text under my email replies; empty removes it (the rules are hub.outbound.email_reply's)."""

    signature: Annotated[str, StringConstraints(max_length=SIGNATURE_MAX_CHARS * 2)] = ""
    field_messages = {"signature": f"the signature must be text of at most {SIGNATURE_MAX_CHARS:,} characters"}


CHANGED = N_("Password changed. Your other sessions and all your API tokens have been ended.")
SIGNATURE_SAVED = N_("Signature saved. It goes under your email replies from now on.")
SIGNATURE_REMOVED = N_("Signature removed.")


def _page(request: web.Request, *, error: str | None = None, done: str | None = None,
          status: int = 200) -> web.Response:
    if error:  # the API's sentences start in lower case; on a page a sentence starts with a capital
        error = error[:1].upper() + error[1:]
    me = view_models.Account.of(current_user(request))
    return render(request, "profile.html", {"me": me, "error": error, "done": done}, status=status)


@routes.get("/profile")
async def profile_page(request: web.Request) -> web.Response:
    current_user(request)
    return _page(request)


@routes.post("/profile/password")
async def change_password(request: web.Request) -> web.Response:
    """The form (or JSON: current_password, new_password, new_password_again) behind "change my password"."""
    user = current_user(request)
    hub = request.app[keys.HUB]
    session = request.get(keys.SESSION)
    try:
        body = await parse_body(request, PasswordChange)
        await accounts.change_own(hub, user["_id"], body.current_password, body.new_password,
                                  body.new_password_again, keep_session=session["_id"] if session else None)
    except HubError as exc:
        if wants_json(request):
            raise  # errors_middleware: the JSON shape every endpoint answers with (and Retry-After)
        response = _page(request, error=exc.message, status=exc.status)
        response.headers.update(exc.headers())
        return response
    if wants_json(request):
        return json_response({"changed": True, "message": CHANGED})
    return _page(request, done=CHANGED)


@routes.post("/profile/language")
async def choose_language(request: web.Request) -> web.StreamResponse:
    """The form (or JSON: language) behind the language picker; "" goes back to the browser's choice."""
    user = current_user(request)
    body = await parse_body(request, LanguageChoice)
    if not await users.set_language(request.app[keys.HUB].db, user["_id"], body.language or None, utcnow()):
        raise NotFound("user not found")
    if wants_json(request):
        return json_response({"language": body.language or None})
    raise web.HTTPSeeOther("/profile")  # the next page is drawn in the new language


@routes.post("/profile/signature")
async def save_signature(request: web.Request) -> web.StreamResponse:
    """The form (or JSON: signature) behind "my email signature"; an empty one removes it."""
    user = current_user(request)
    try:
        body = await parse_body(request, SignatureChange)
        saved = await signature.save(request.app[keys.HUB], user["_id"], body.signature)
    except HubError as exc:
        if wants_json(request):
            raise
        response = _page(request, error=exc.message, status=exc.status)
        response.headers.update(exc.headers())
        return response
    done = SIGNATURE_SAVED if saved else SIGNATURE_REMOVED
    if wants_json(request):
        return json_response({"signature": saved, "message": done})
    user["signature"] = saved  # the page below is drawn from this request's copy of the user
    return _page(request, done=done)
