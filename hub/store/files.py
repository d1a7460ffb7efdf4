"""Attachments in GridFS: stored once with their content type, read back for agents."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile

from hub.store.db import Db, Doc


async def put(db: Db, data: bytes, filename: str, content_type: str, metadata: dict[str, Any] | None = None
              ) -> ObjectId:
    bucket = AsyncGridFSBucket(db)
    file_id: ObjectId = await bucket.upload_from_stream(
        filename, data, metadata={"content_type": content_type, **(metadata or {})}
    )
    return file_id


async def get(db: Db, file_id: ObjectId) -> tuple[bytes, Doc] | None:
    """(content, {filename, content_type, length, metadata}) or None when no such file."""
    bucket = AsyncGridFSBucket(db)
    try:
        stream = await bucket.open_download_stream(file_id)
    except NoFile:
        return None
    data = await stream.read()
    meta = stream.metadata or {}
    return data, {"filename": stream.filename, "content_type": meta.get("content_type", "application/octet-stream"),
                  "length": stream.length, "metadata": meta}


async def delete(db: Db, file_id: ObjectId) -> None:
    try:
        await AsyncGridFSBucket(db).delete(file_id)
    except NoFile:
        return
