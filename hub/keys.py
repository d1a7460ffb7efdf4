"""Typed keys for everything stored on the app and on requests."""

from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

from hub.context import Hub
from hub.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
HUB = web.AppKey("hub", Hub)
JINJA = web.AppKey("jinja", jinja2.Environment)

USER = web.RequestKey("user", dict[str, Any])
SESSION = web.RequestKey("session", dict[str, Any])
