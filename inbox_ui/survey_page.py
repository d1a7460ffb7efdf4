"""The email survey's small public page: /csat/<signed token>?score=N records the score in one click
and offers a comment box, in the customer's language (the link's `lang`, else their browser's).

No sign-in and no CSRF token (the customer has no session; auth.py exempts /csat/): the token, an HMAC
under the hub's secret key (hub/outbound/survey_links.py), is what says which conversation may be rated.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from bson import ObjectId

from hub import keys
from hub.errors import BadInput
from hub.http import languages
from hub.inbound.rating_comments import add_comment
from hub.inbound.ratings import check_score, record_rating
from hub.outbound import survey_links
from hub.store import csat
from inbox_ui.terms import N_

routes = web.RouteTableDef()
COMMENT_FORM_LIMIT = 16 * 1024


def _language(request: web.Request) -> languages.Language:
    asked = request.query.get("lang", "")
    if asked in languages.LANGUAGES:
        return languages.LANGUAGES[asked]
    return languages.negotiate(request.headers.get("Accept-Language")) or languages.ENGLISH


# The score as the customer's language writes its digits.
_DIGITS = {"fa": "۰۱۲۳۴۵۶۷۸۹", "ar": "٠١٢٣٤٥٦٧٨٩"}


def _score_text(score: object, code: str) -> str:
    digits = _DIGITS.get(code)
    return "".join(digits[int(d)] for d in str(score)) if digits and str(score).isdigit() else str(score)


def _page(request: web.Request, context: dict[str, Any], status: int = 200) -> web.Response:
    language = _language(request)
    rating = context.get("rating")
    score_text = _score_text(rating.get("score"), language.code) if isinstance(rating, dict) else ""
    catalogues = request.app.get(keys.CATALOGUES) or languages.Catalogues({})
    html = request.app[keys.JINJA].get_template("csat.html").render(
        {"_": catalogues.translator(language.code), "language": language,
         "request_lang": language.code if "lang" in request.query else "", "problem": None, "rating": None,
         "token": None, "commented": False, "scores": range(1, 6), "score_text": score_text, **context})
    return web.Response(text=html, status=status, content_type="text/html",
                        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


def _conversation(request: web.Request) -> ObjectId | None:
    secret = request.app[keys.HUB].settings.ensure_secret_key()
    return survey_links.conversation_of(secret, request.match_info["token"])


def _not_ours(request: web.Request) -> web.Response:
    return _page(request, {"problem": N_("This survey link is not valid. Copy the whole link from the email.")}, 404)


@routes.get("/csat/{token}")
async def survey(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    conversation_id = _conversation(request)
    if conversation_id is None:
        return _not_ours(request)
    raw = request.query.get("score")
    if raw is not None:
        try:
            await record_rating(hub, conversation_id, check_score(raw), None, "email")
        except BadInput:
            return _page(request, {"problem": N_("Choose a score from 1 to 5."), "token": request.match_info["token"],
                                   "scores": range(1, 6)}, 400)
    rating = await csat.for_conversation(hub.db, conversation_id)
    return _page(request, {"rating": rating, "token": request.match_info["token"], "scores": range(1, 6)})


@routes.post("/csat/{token}")
async def comment(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    conversation_id = _conversation(request)
    if conversation_id is None:
        return _not_ours(request)
    if (request.content_length or 0) > COMMENT_FORM_LIMIT:
        return _page(request, {"problem": N_("The comment is too long.")}, 413)
    form = await request.post()
    text = form.get("comment")
    rating = await csat.for_conversation(hub.db, conversation_id)
    context: dict[str, Any] = {"token": request.match_info["token"], "scores": range(1, 6)}
    if rating is None:
        return _page(request, {**context, "problem": N_("Choose a score from 1 to 5.")}, 400)
    if not isinstance(text, str) or not text.strip():
        return _page(request, {**context, "rating": rating, "problem": N_("Write a comment first.")}, 400)
    updated = await add_comment(hub, conversation_id, text, "email")
    return _page(request, {**context, "rating": updated, "commented": True})
