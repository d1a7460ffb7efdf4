"""Typed keys for everything stored on the app and on requests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2
from aiohttp import web

from hub.settings import Settings

if TYPE_CHECKING:  # the running hub imports nearly everything; the key only needs its type
    from hub.http.languages import Catalogues
    from hub.runtime import Hub

SETTINGS = web.AppKey("settings", Settings)
HUB: web.AppKey[Hub] = web.AppKey("hub")
JINJA = web.AppKey("jinja", jinja2.Environment)
CATALOGUES: web.AppKey[Catalogues] = web.AppKey("catalogues")

USER = web.RequestKey("user", dict[str, Any])
SESSION = web.RequestKey("session", dict[str, Any])
