"""The email survey's small public page: /csat/<signed token>?score=N opens it with that score chosen and a
comment box, in the customer's language (the link's `lang`, else their browser's); "Send" records them.

Opening a link records nothing: mail scanners (Safe Links and the like) open every link of a message,
and a GET that rated would give the first link's 1 (and alert the lead) before the customer clicked.

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
from hub.store import conversations, csat
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
         "token": None, "commented": False, "scores": range(1, 6), "score_text": score_text, "chosen": None,
         "score_labels": {n: _score_text(n, language.code) for n in range(1, 6)}, **context})
    return web.Response(text=html, status=status, content_type="text/html",
                        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


async def _conversation(request: web.Request) -> ObjectId | None:
    """The conversation the link's token names, when this hub signed it and the conversation exists."""
    hub = request.app[keys.HUB]
    conversation_id = survey_links.conversation_of(hub.settings.ensure_secret_key(), request.match_info["token"])
    if conversation_id is None or await conversations.get(hub.db, conversation_id) is None:
        return None
    return conversation_id


def _not_ours(request: web.Request) -> web.Response:
    return _page(request, {"problem": N_("This survey link is not valid. Copy the whole link from the email.")}, 404)


@routes.get("/csat/{token}")
async def survey(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    conversation_id = await _conversation(request)
    if conversation_id is None:
        return _not_ours(request)
    context: dict[str, Any] = {"token": request.match_info["token"], "scores": range(1, 6)}
    rating = await csat.for_conversation(hub.db, conversation_id)
    if rating is not None:  # rated already: the first score stands; a comment can still be added
        return _page(request, {**context, "rating": rating})
    raw = request.query.get("score")
    chosen = None
    if raw is not None:
        try:
            chosen = check_score(raw)
        except BadInput:
            return _page(request, {**context, "problem": N_("Choose a score from 1 to 5.")}, 400)
    return _page(request, {**context, "chosen": chosen})


@routes.post("/csat/{token}")
async def answer(request: web.Request) -> web.Response:
    """The score (when not rated yet) and an optional comment, from the page's one form."""
    hub = request.app[keys.HUB]
    conversation_id = await _conversation(request)
    if conversation_id is None:
        return _not_ours(request)
    if (request.content_length or 0) > COMMENT_FORM_LIMIT:
        return _page(request, {"problem": N_("The comment is too long.")}, 413)
    form = await request.post()
    text, raw = form.get("comment"), form.get("score")
    comment = text.strip() if isinstance(text, str) else ""
    context: dict[str, Any] = {"token": request.match_info["token"], "scores": range(1, 6)}
    rating = await csat.for_conversation(hub.db, conversation_id)
    if rating is None:
        try:
            score = check_score(raw)
        except BadInput:
            return _page(request, {**context, "problem": N_("Choose a score from 1 to 5.")}, 400)
        await record_rating(hub, conversation_id, score, None, "email")
        rating = await csat.for_conversation(hub.db, conversation_id)
    elif not comment:
        return _page(request, {**context, "rating": rating, "problem": N_("Write a comment first.")}, 400)
    if comment:
        rating = await add_comment(hub, conversation_id, comment, "email")
    return _page(request, {**context, "rating": rating, "commented": bool(comment)})
