"""What a website embeds: the widget's script and style, served to any origin.

Both are minified once (rjsmin for the script; comments and runs of blanks for the style) and kept in
memory with their gzip, so a host page downloads the small form: the hub sends gzip to every browser that
asks for it, with an ETag for revalidation. A changed file on disk is read again (its mtime is the key),
so editing the widget needs no restart. Nothing secret is in them, so compressing them leaks nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import rjsmin
from aiohttp import web

STATIC = Path(__file__).parent / "static"
MAX_AGE = 300
routes = web.RouteTableDef()


@dataclass(frozen=True)
class Asset:
    mtime_ns: int
    plain: bytes
    gzipped: bytes
    etag: str


_cache: dict[str, Asset] = {}


def _minify_css(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def asset(name: str) -> Asset:
    """The file's served form, made again when the file changed."""
    path = STATIC / name
    mtime = path.stat().st_mtime_ns
    known = _cache.get(name)
    if known is not None and known.mtime_ns == mtime:
        return known
    text = path.read_text(encoding="utf-8")
    small = rjsmin.jsmin(text) if name.endswith(".js") else _minify_css(text)
    plain = small.encode("utf-8")
    made = Asset(mtime, plain, gzip.compress(plain, 9, mtime=0), '"' + hashlib.sha256(plain).hexdigest()[:32] + '"')
    _cache[name] = made
    return made


def _serve(request: web.Request, name: str, content_type: str) -> web.Response:
    served = asset(name)
    headers = {"Cache-Control": f"public, max-age={MAX_AGE}", "Access-Control-Allow-Origin": "*",
               "ETag": served.etag, "Vary": "Accept-Encoding"}
    if served.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        body = served.gzipped
    else:
        body = served.plain
    return web.Response(body=body, headers=headers, content_type=content_type, charset="utf-8")


@routes.get("/widget.js")
async def widget_js(request: web.Request) -> web.Response:
    return _serve(request, "widget.js", "text/javascript")


@routes.get("/widget.css")
async def widget_css(request: web.Request) -> web.Response:
    return _serve(request, "widget.css", "text/css")
