"""Whatever `next` a sign-in carries, the redirect after it stays on this site (property-based)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st
from yarl import URL

from inbox_ui.signin import safe_next

HOST = "hub.example"
_C0_AND_SPACE = "".join(chr(i) for i in range(0x21))

# The pieces open redirects are made of, so the search spends its time near the edge.
PIECES = st.sampled_from(["/", "//", "\\", "%2F", "%2f", "%5C", "%09", "%0A", "%00", "%25", "%252F", "\t", "\n",
                          "\r", " ", "\x00", "\x0b", "\u3000", "\u200b", "\ufeff", "evil.example", "https:", "http:",
                          "javascript:", "@", ".", "..", "inbox", "?", "#", "%", "a"])
NEXT_VALUES = st.one_of(st.text(), st.lists(PIECES, max_size=12).map("".join))


def as_a_browser_reads(location: str) -> tuple[str, str]:
    """Resolve a Location header the way the WHATWG URL parser does for an https page: C0 controls and
    spaces trimmed, tabs and newlines removed anywhere, backslash read as slash."""
    text = re.sub(r"[\t\n\r]", "", location.strip(_C0_AND_SPACE)).replace("\\", "/")
    parts = urlsplit(urljoin(f"https://{HOST}/login", text))
    return parts.scheme, parts.netloc


@settings(max_examples=800, deadline=None)
@given(NEXT_VALUES)
@example("/%09/evil.example/")
@example("/\t/evil.example/")
@example("//evil.example")
@example("/\\evil.example")
@example("https://evil.example")
@example(" /\\/evil.example")
@example("/%5C%5Cevil.example")
@example("/%252F%252Fevil.example")
def test_any_next_value_sends_the_browser_to_a_path_on_this_site(value: str) -> None:
    target = safe_next(value)
    assert target.startswith("/")
    assert not any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in target)
    location = str(URL(target))  # what aiohttp writes into the Location header
    for seen in (target, location, unquote(target), unquote(unquote(location))):
        assert as_a_browser_reads(seen) == ("https", HOST), (value, target, seen)


def test_ordinary_paths_are_kept_and_everything_else_goes_home() -> None:
    assert safe_next("/inbox/c/6b0f3a?view=mine&q=a%20b") == "/inbox/c/6b0f3a?view=mine&q=a%20b"
    assert safe_next("/") == "/"
    for bad in ("/%09/evil.example/", "//evil", "/\\evil", "https://evil", "", "evil", "/%2F%2Fevil", None, 7):
        assert safe_next(bad) == "/", bad
