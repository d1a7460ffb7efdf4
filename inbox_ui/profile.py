"""The signed-in user's own page: change my password."""

from __future__ import annotations

from aiohttp import web

from hub import keys
from hub.access import accounts
from hub.access.auth import current_user
from hub.errors import HubError
from hub.http.request_models import RequestModel, parse_body
from hub.http.web import json_response, render, wants_json

routes = web.RouteTableDef()


class PasswordChange(RequestModel):
    """The rules for a new password are accounts.change_own's, shared with an admin's reset."""

    current_password: str | None = None
    new_password: str | None = None
    new_password_again: str | None = None


CHANGED = "Password changed. Your other sessions and all your API tokens have been ended."


def _page(request: web.Request, *, error: str | None = None, done: str | None = None,
          status: int = 200) -> web.Response:
    if error:  # the API's sentences start in lower case; on a page a sentence starts with a capital
        error = error[:1].upper() + error[1:]
    return render(request, "profile.html", {"error": error, "done": done}, status=status)


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
