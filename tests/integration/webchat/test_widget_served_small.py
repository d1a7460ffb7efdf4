"""A host page downloads the widget small: minified, gzipped for a browser that asks, revalidated by ETag,
and still the whole widget (its words in five languages)."""

from __future__ import annotations

import gzip
from collections.abc import Mapping

import aiohttp

from channels.webchat.widget import STATIC


async def _get(base_url: str, path: str, **headers: str) -> tuple[int, Mapping[str, str], bytes]:
    async with aiohttp.ClientSession(auto_decompress=False) as raw, raw.get(f"{base_url}{path}", headers=headers) as r:
        return r.status, r.headers.copy(), await r.read()  # case-insensitive keys


async def test_the_widget_script_is_minified_and_gzipped_for_a_browser_that_asks(base_url: str) -> None:
    source = (STATIC / "widget.js").read_bytes()
    status, headers, body = await _get(base_url, "/widget.js", **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert headers["Access-Control-Allow-Origin"] == "*"
    script = gzip.decompress(body)
    assert len(script) < len(source) * 0.85  # comments and indentation are gone
    assert len(body) < len(script) / 2
    for word in ("customElements.define", "hub-chat", "پیام", "الرسالة", "消息", "Tin nhắn"):
        assert word.encode() in script, word


async def test_without_gzip_the_minified_script_is_sent_plain_and_an_etag_revalidates_it(base_url: str) -> None:
    status, headers, body = await _get(base_url, "/widget.js", **{"Accept-Encoding": "identity"})
    assert status == 200 and "Content-Encoding" not in headers
    assert body[:2] != b"\x1f\x8b" and b"hub-chat" in body
    assert headers["Content-Type"].startswith("text/javascript")
    again, _, empty = await _get(base_url, "/widget.js", **{"If-None-Match": headers["ETag"]})
    assert again == 304 and empty == b""
    changed, _, _ = await _get(base_url, "/widget.js", **{"If-None-Match": '"something-else"'})
    assert changed == 200


async def test_the_widget_style_is_served_small_too(base_url: str) -> None:
    status, headers, body = await _get(base_url, "/widget.css", **{"Accept-Encoding": "gzip"})
    css = gzip.decompress(body).decode()
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert "/*" not in css and ":host" in css
