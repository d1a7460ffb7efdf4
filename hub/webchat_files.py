"""Files a website visitor attaches: one multipart POST to /webchat/files, authorised by the visitor's token.

Over HTTP rather than base64 in a socket frame: the browser streams the file as it is (no third larger
copy in a JSON string held in both memories), the size is known from Content-Length before a byte is
read, and the socket stays free for the conversation while a large file goes up.

The page that posts is another site's, so the answer carries CORS headers for that Origin only, after the
same Origin check as the socket (channels/webchat/origins.py). The files go through the same checks and
store as an agent's (hub/outbound/attachments.py), then the message through the one ingest. Every refusal
has a `code` the widget turns into a sentence in the visitor's language, and an English `error` for logs.
"""

from __future__ import annotations

import logging

from aiohttp import web

from channels.base import WEBCHAT, Identity, InboundMessage
from channels.webchat import origins as site_origins
from channels.webchat import token as visitor_tokens
from hub import keys
from hub.clock import utcnow
from hub.errors import HubError, TooLarge
from hub.http.web import dumps
from hub.inbound.ingest import ingest
from hub.outbound import attachments as uploads
from hub.runtime import Hub
from hub.store import webchat_sites
from hub.webchat_visitor import history_item, visitor_limits, widget_external_id

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

FILES_PATH = "/webchat/files"
# The multipart envelope around one file (boundaries, part headers, the text and client_id fields).
ENVELOPE_BYTES = 64 * 1024
MAX_FILES = 5


class VisitorUploadRefused(HubError):
    """A refusal with a code the widget knows (WORDS in widget.js) beside the sentence for a person."""

    def __init__(self, message: str, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _answer(data: dict[str, object], status: int, origin: str | None) -> web.Response:
    headers = {"Vary": "Origin", "Cache-Control": "no-store"}
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return web.Response(text=dumps(data), status=status, content_type="application/json", headers=headers)


async def _check_origin(hub: Hub, request: web.Request, origin: str | None) -> None:
    if not site_origins.allowed(origin, await webchat_sites.allowed_origins(hub.db),
                                (str(request.url.origin()), hub.settings.effective_public_url())):
        raise VisitorUploadRefused(f"pages on {origin} may not use this chat: add the site under "
                                   "Admin → Website chat → Allowed sites", "origin", 403)


def _visitor_id(hub: Hub, request: web.Request) -> str:
    token = request.query.get("token", "")
    try:
        return visitor_tokens.verify(hub.settings.ensure_secret_key(), token, hub.settings.visitor_token_days * 86400)
    except visitor_tokens.BadVisitorToken as exc:
        raise VisitorUploadRefused(f"{exc}; reconnect the chat and try again", "bad_token", 403) from None


def _too_large(limit: int, size: int | None = None) -> VisitorUploadRefused:
    shown = f"{size:,} bytes; " if size is not None else ""
    return VisitorUploadRefused(f"the file is {shown}a file may be at most {limit:,} bytes", "too_large", 413)


@routes.post(FILES_PATH)
async def visitor_files(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    origin = request.headers.get("Origin")
    try:
        await _check_origin(hub, request, origin)
        visitor_id = _visitor_id(hub, request)
        answer = await _receive(hub, request, visitor_id)
    except VisitorUploadRefused as exc:
        return _answer({"code": exc.code, "error": exc.message, "limit": hub.settings.max_attachment_bytes},
                       exc.status, origin)
    except TooLarge as exc:
        return _answer({"code": "too_large", "error": exc.message, "limit": hub.settings.max_attachment_bytes},
                       413, origin)
    except web.HTTPRequestEntityTooLarge:
        return _answer({"code": "too_large", "error": _too_large(hub.settings.max_attachment_bytes).message,
                        "limit": hub.settings.max_attachment_bytes}, 413, origin)
    except web.HTTPBadRequest as exc:
        return _answer({"code": "bad_upload", "error": exc.text or "the upload is malformed"}, 400, origin)
    except HubError as exc:
        return _answer({"code": "bad_upload", "error": exc.message}, exc.status, origin)
    return _answer(answer, 201, origin)


async def _receive(hub: Hub, request: web.Request, visitor_id: str) -> dict[str, object]:
    limit = hub.settings.max_attachment_bytes
    declared = request.content_length
    if declared is not None and declared > MAX_FILES * limit + ENVELOPE_BYTES:
        raise _too_large(limit, declared)  # refused before a byte of the body is read
    if request.content_type != "multipart/form-data":
        raise VisitorUploadRefused("send the file as multipart/form-data in a 'file' field", "bad_upload")
    wait = visitor_limits(hub).take(visitor_id)
    if wait > 0:
        raise VisitorUploadRefused(f"too many messages; try again in {max(round(wait), 1)} s", "rate_limited", 429)
    body, files = await uploads.read_reply_form(request, limit)
    if not files:
        raise VisitorUploadRefused("no file was attached", "no_file")
    if len(files) > MAX_FILES:
        raise VisitorUploadRefused(f"at most {MAX_FILES} files at once", "too_many")
    text = body.get("text") if isinstance(body.get("text"), str) else ""
    client_id = body.get("client_id")
    if not isinstance(client_id, str) or not 0 < len(client_id) <= 100:
        raise VisitorUploadRefused("'client_id' must be a short string", "bad_upload")
    identity = Identity(WEBCHAT, visitor_id)
    stored = await uploads.store(hub, files, {"uploaded_by_visitor": visitor_id})
    inbound = InboundMessage(
        channel=WEBCHAT, identity=identity, text=str(text), received_at=utcnow(),
        external_id=widget_external_id(visitor_id, client_id), attachments=tuple(stored),
        raw={"type": "files", "text": text, "client_id": client_id,
             "files": [{"filename": f.filename, "content_type": f.content_type, "size": len(f.data)} for f in files]},
        extras={"user_agent": request.headers.get("User-Agent", "")[:300]},
    )
    try:
        result = await ingest(hub, inbound)
    except BaseException:
        await uploads.discard(hub, stored)
        raise
    if not result.created:
        await uploads.discard(hub, stored)  # sent twice (a retry after a lost answer): the first keeps its files
    log.info("website chat files visitor=%s message=%s files=%d", visitor_id, result.message["_id"], len(stored))
    return {"client_id": client_id, "id": str(result.message["_id"]), "duplicate": not result.created,
            "message": history_item(result.message, hub.settings)}
