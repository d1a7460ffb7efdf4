"""Auto-replies: a department's in-hours / out-of-hours template, rendered safely and queued in the outbox.

Templates live in templates/autoreplies/NAME.txt (NAME.LANG.txt is preferred for a customer whose
language is known) and are rendered in a Jinja2 sandbox: an admin-written template can read the
contact's name and attributes but cannot reach into Python.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from hub.errors import HubError
from hub.runtime import Hub
from hub.store import routing_state
from hub.store.db import Doc

log = logging.getLogger(__name__)

TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
AUTHOR: Doc = {"_id": None, "name": "Auto-reply"}


class AutoReplyError(ValueError):
    pass


def autoreplies_dir() -> Path:
    from hub.settings import templates_dir

    return templates_dir() / "autoreplies"


@functools.lru_cache(maxsize=4)
def _environment(path: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=jinja2.FileSystemLoader(path), autoescape=False,
                                keep_trailing_newline=False)


def template_names() -> list[str]:
    folder = autoreplies_dir()
    return sorted({p.name.split(".")[0] for p in folder.glob("*.txt")}) if folder.is_dir() else []


def render(name: str, context: dict[str, Any], language: str | None = None) -> str:
    """The reply text; AutoReplyError with a readable reason when the template is missing or broken."""
    if not TEMPLATE_NAME.match(name):
        raise AutoReplyError(f"'{name}' is not a template name (lower-case letters, digits, - and _)")
    folder = autoreplies_dir()
    env = _environment(str(folder))
    candidates = ([f"{name}.{language}.txt"] if language and language.isalpha() else []) + [f"{name}.txt"]
    chosen = next((c for c in candidates if (folder / c).is_file()), None)
    if chosen is None:
        raise AutoReplyError(f"auto-reply template '{name}' does not exist in templates/autoreplies/")
    try:
        return env.get_template(chosen).render(context).strip()
    except jinja2.TemplateError as exc:
        raise AutoReplyError(f"auto-reply template '{name}' failed: {exc}") from exc


async def send(hub: Hub, conversation: Mapping[str, Any], name: str, context: dict[str, Any], language: str | None,
               window_seconds: float, now: datetime) -> str:
    """Queue the auto-reply unless one went out within the window. Returns what happened, for the log."""
    try:
        text = render(name, context, language)
    except AutoReplyError as exc:
        return str(exc)
    if not text:
        return f"auto-reply template '{name}' rendered empty; nothing sent"
    if not await routing_state.claim_autoreply(hub.db, conversation["_id"], now,
                                               now - timedelta(seconds=window_seconds)):
        return "an auto-reply already went out in this window"
    from hub.outbound import (
        replies as outbox,  # outbox imports ingest, which imports routing: import it only when sending
    )

    try:
        await outbox.post(hub, AUTHOR, conversation, text, extras={"automatic": True, "autoreply": name})
    except HubError as exc:  # no address on that channel, a closed WhatsApp window...
        log.info("auto-reply not queued conversation=%s reason=%s", conversation["_id"], exc.message)
        return f"auto-reply not sent: {exc.message}"
    return f"auto-reply '{name}' queued"
