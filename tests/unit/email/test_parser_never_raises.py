"""Property: whatever bytes arrive, the parser returns a mail and no string in it holds a lone surrogate."""

from __future__ import annotations

import base64
import dataclasses
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from channels.email import auth
from channels.email.charsets import decode
from channels.email.mime import parse

SURROGATE = re.compile("[\ud800-\udfff]")
CHARSETS = st.sampled_from(["utf-8", "gb2312", "gbk", "iso-2022-jp", "shift_jis", "big5", "koi8-r", "utf-16",
                            "x-unknown", "unicode_escape", "us-ascii", "iso-8859-1", "ks_c_5601-1987", ""])
HEADER_NAMES = st.sampled_from(["From", "Reply-To", "Return-Path", "Subject", "To", "Message-ID", "In-Reply-To",
                                "References", "Content-Type", "Authentication-Results", "X-Junk"])


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in strings(getattr(value, f.name))]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*strings(k), *strings(v)]]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


@st.composite
def mails(draw: st.DrawFn) -> bytes:
    lines: list[bytes] = []
    for _ in range(draw(st.integers(0, 8))):
        value = draw(st.binary(max_size=60))
        if draw(st.booleans()):
            charset = draw(CHARSETS).encode()
            value = b"=?" + charset + b"?B?" + base64.b64encode(value) + b"?="
        lines.append(draw(HEADER_NAMES).encode() + b": " + value.replace(b"\r", b"").replace(b"\n", b" "))
    lines.append(b"Content-Type: text/plain; charset=" + draw(CHARSETS).encode())
    return b"\r\n".join([*lines, b"", draw(st.binary(max_size=300))])


@settings(max_examples=300, deadline=None)
@given(mails())
def test_parsing_any_mail_never_raises_and_never_yields_surrogates(raw: bytes) -> None:
    mail = parse(raw, "envelope@example.test")
    leaked = [s for s in strings(mail) if SURROGATE.search(s)]
    assert not leaked


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_parsing_random_bytes_never_raises_and_never_yields_surrogates(raw: bytes) -> None:
    mail = parse(raw)
    assert not [s for s in strings(mail) if SURROGATE.search(s)]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.lists(CHARSETS, max_size=3))
def test_decoding_any_bytes_in_any_declared_charset_gives_text_without_surrogates(data: bytes,
                                                                                   declared: list[str]) -> None:
    assert not SURROGATE.search(decode(data, declared))


def test_a_verdict_counts_only_from_a_trusted_server_and_failure_wins() -> None:
    fail = "mx.hub.test; dmarc=fail header.from=x.test"
    forged_pass = "mx.hub.test; dmarc=pass header.from=x.test"
    assert auth.check([fail], []).failed is False  # nobody trusted: no verdict counts
    assert auth.check([fail], ["other.test"]).failed is False
    assert auth.check([forged_pass, fail], ["mx.hub.test"]).failed is True
    assert auth.check(["mx.hub.test (comment); spf=fail; dkim=pass"], ["mx.hub.test"]).failed is False
    assert auth.check(["mx.hub.test; spf=fail"], ["mx.hub.test"]).reason == "spf=fail, dkim=none (mx.hub.test)"
