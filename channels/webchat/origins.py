"""Site origins allowed to open the visitor socket: what an admin types, made into the `Origin` a browser sends."""

from __future__ import annotations

from urllib.parse import urlsplit


class BadOrigin(ValueError):
    pass


def normal_origin(text: str) -> str:
    """'https://Shop.example/' -> 'https://shop.example'; BadOrigin (with a reason) for anything else."""
    raw = text.strip()
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadOrigin(f"{raw!r} is not a site address such as https://shop.example")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise BadOrigin(f"{raw!r} must be only the scheme, host and port, such as https://shop.example")
    port = f":{parts.port}" if parts.port and parts.port != {"http": 80, "https": 443}[parts.scheme] else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def parse_origins(text: str) -> list[str]:
    """One origin a line (or comma-separated), deduplicated, in the order given."""
    seen: list[str] = []
    for piece in text.replace(",", "\n").splitlines():
        if piece.strip():
            origin = normal_origin(piece)
            if origin not in seen:
                seen.append(origin)
    return seen


def allowed(origin: str | None, allowed_origins: list[str], own_origins: tuple[str, ...]) -> bool:
    """No list: any site. The hub's own pages (its /chat page, the admin preview) always may. A browser
    always sends Origin; a request without one is not a page's script."""
    if not allowed_origins or origin is None:
        return True
    try:
        given = normal_origin(origin)
    except BadOrigin:
        return False
    own = set()
    for o in own_origins:
        try:
            own.add(normal_origin(o))
        except BadOrigin:
            continue
    return given in allowed_origins or given in own
