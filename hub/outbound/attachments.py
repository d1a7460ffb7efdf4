"""Files an agent attaches to a reply: read from a multipart form, checked, stored, and dropped again
when the reply is not created."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Annotated, Any

from aiohttp import web
from bson import ObjectId
from pydantic import BeforeValidator

from channels.base import Attachment, without_surrogates
from hub.errors import BadInput, TooLarge
from hub.http.request_models import Flag, RequestModel, parse_mapping
from hub.http.web import read_body, read_form
from hub.outbound import email_reply
from hub.outbound import replies as outbox
from hub.runtime import Hub
from hub.store import files
from hub.store.db import Doc
from hub.store.documents import Message

log = logging.getLogger(__name__)

FILE_FIELD = "file"
MAX_FILES = 10


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


async def read_reply_form(request: web.Request, limit: int) -> tuple[dict[str, Any], list[Upload]]:
    """The reply's fields (JSON, urlencoded or multipart) and its `file` parts, all checked before any is stored.

    aiohttp caches `request.post()`, so the CSRF check may have read the same multipart body already.
    """
    if request.content_type != "multipart/form-data":
        return await read_body(request), []
    form = await read_form(request)
    body = {k: without_surrogates(v) for k, v in form.items() if isinstance(v, str) and k != FILE_FIELD}
    uploads: list[Upload] = []
    for part in form.getall(FILE_FIELD, []):
        if isinstance(part, str):
            if part:
                raise BadInput(f"'{FILE_FIELD}' must be a file upload, not a text field", field=FILE_FIELD)
            continue
        if isinstance(part, bytes | bytearray):
            raise BadInput(f"'{FILE_FIELD}' must be a file upload with a filename", field=FILE_FIELD)
        size = _size(part.file)
        name = without_surrogates(part.filename or "attachment")
        if not part.filename and size == 0:
            continue  # a browser's file input with nothing chosen
        if size > limit:
            raise TooLarge(f"{name} is {size:,} bytes; an attachment may be at most {limit:,} bytes")
        if size == 0:
            raise BadInput(f"{name} is empty", field=FILE_FIELD)
        uploads.append(Upload(name[:255], part.content_type or "application/octet-stream", part.file.read()))
    if len(uploads) > MAX_FILES:
        raise BadInput(f"at most {MAX_FILES} files per reply", field=FILE_FIELD)
    return body, uploads


@dataclass(frozen=True)
class ReplyFields:
    """What both reply endpoints read from a body, checked once."""

    text: str
    channel: str | None
    client_key: str | None
    extras: dict[str, Any] | None
    note: bool = False
    cc: list[str] = field(default_factory=list)  # an email reply's copies (hub.outbound.email_reply)
    bcc: list[str] = field(default_factory=list)


def _none_if_empty(value: object) -> object:
    return value or None


class ReplyBody(RequestModel):
    text: str | None = None
    # An approved template (WhatsApp outside its 24-hour window): the provider renders it from its SID.
    content_sid: Annotated[str | None, BeforeValidator(_none_if_empty)] = None
    content_variables: Any = None
    channel: Annotated[str | None, BeforeValidator(_none_if_empty)] = None
    client_key: Any = None  # an idempotency key when it is non-empty text, ignored otherwise
    note: Flag = False
    cc: Any = None  # checked by email_reply.parse_addresses, which names the address it cannot read
    bcc: Any = None

    field_messages = {"text": "'text' is required and must be a string",
                      "content_sid": "'content_sid' must be a string", "channel": "'channel' must be a string"}


def reply_fields(body: dict[str, Any], has_files: bool) -> ReplyFields:
    reply = parse_mapping(body, ReplyBody)
    text = reply.text
    if reply.content_sid and not text:
        text = f"Template {reply.content_sid}"
    if text is None and has_files:
        text = ""
    if text is None:
        raise BadInput("'text' is required and must be a string", field="text")
    extras = ({"content_sid": reply.content_sid, "content_variables": reply.content_variables or None}
              if reply.content_sid else None)
    client_key = reply.client_key if isinstance(reply.client_key, str) and reply.client_key else None
    cc, bcc = email_reply.parse_addresses(reply.cc, "cc"), email_reply.parse_addresses(reply.bcc, "bcc")
    email_reply.refuse_copies_off_email(cc, bcc, reply.channel or None, reply.note)
    return ReplyFields(text, reply.channel, client_key, extras, reply.note, cc, bcc)


async def post(hub: Hub, user: Doc, conversation: Mapping[str, Any], text: str, uploads: list[Upload], **options: Any
               ) -> tuple[Message, bool]:
    """`outbox.post` with the uploads stored first and recorded on the message as its attachments."""
    attachments = await store(hub, uploads, {"uploaded_by": user["_id"], "conversation_id": conversation["_id"]})
    try:
        message, created = await outbox.post(hub, user, conversation, text, attachments=attachments, **options)
    except BaseException:
        await discard(hub, attachments)
        raise
    if not created:
        await discard(hub, attachments)  # the same client_key again: the first reply keeps its own files
    return message, created


async def store(hub: Hub, uploads: list[Upload], metadata: dict[str, Any]) -> list[Attachment]:
    stored: list[Attachment] = []
    for upload in uploads:
        file_id = await files.put(hub.db, upload.data, upload.filename, upload.content_type, metadata)
        stored.append(Attachment(upload.filename, upload.content_type, len(upload.data), str(file_id)))
    return stored


async def discard(hub: Hub, attachments: list[Attachment]) -> None:
    """Remove files stored for a reply that was refused or already existed (a double click)."""
    for attachment in attachments:
        if attachment.file_id:
            try:
                await files.delete(hub.db, ObjectId(attachment.file_id))
            except Exception:
                log.exception("could not remove an unused upload file=%s", attachment.file_id)
