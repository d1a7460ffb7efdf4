"""What the composer needs besides sending: canned responses rendered in a sandbox, and reply channels."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from channels.base import EMAIL, ReplyRules
from channels.email.settings import EmailSettings
from hub import channel_catalog
from hub.errors import BadInput
from hub.outbound.email_reply import default_cc
from hub.runtime import Hub
from hub.store import mail
from hub.store.db import Doc


class _Undefined(jinja2.ChainableUndefined):
    """A missing contact field renders empty; a blocked attribute (`__class__` and friends) is an error."""

    __slots__ = ()

    def __str__(self) -> str:
        if isinstance(self._undefined_exception, type) and issubclass(self._undefined_exception, SecurityError):
            self._fail_with_undefined_error()
        return super().__str__()


def canned_environment() -> SandboxedEnvironment:
    # Plain text goes into a textarea, and the browser escapes it there; HTML escaping would show &amp;.
    return SandboxedEnvironment(undefined=_Undefined, autoescape=False, keep_trailing_newline=False)


def check_template(env: SandboxedEnvironment, body: str) -> None:
    try:
        env.from_string(body)  # compiled, not only parsed: an unknown filter or test is refused here too
    except jinja2.TemplateSyntaxError as exc:
        raise BadInput(f"the template does not parse (line {exc.lineno}): {exc.message}") from None


def template_values(contact: Mapping[str, Any], agent: Doc, conversation: Mapping[str, Any]) -> dict[str, Any]:
    """Only plain strings, lists and dicts: nothing in a canned response reaches a live object."""
    identities: dict[str, str] = {}
    for identity in contact.get("identities") or []:
        identities.setdefault(str(identity.get("kind")), str(identity.get("value")))
    name = str(contact.get("name") or "")
    return {
        "contact": {"name": name, "first_name": name.split()[0] if name.split() else "",
                    "email": identities.get("email", ""), "phone": identities.get("phone", ""),
                    "identities": identities,
                    "attributes": {str(k): v if isinstance(v, (str, int, float)) else str(v)
                                   for k, v in (contact.get("attributes") or {}).items()},
                    "tags": [str(t) for t in contact.get("tags") or []]},
        "agent": {"name": str(agent.get("name") or ""), "first_name": str(agent.get("name") or "").split(" ")[0]},
        "conversation": {"channel": (channel_catalog.label(last) if (last := conversation.get("last_channel")) else ""),
                         "status": str(conversation.get("status") or "")},
    }


def render_canned(env: SandboxedEnvironment, body: str, values: dict[str, Any], limit: int) -> str:
    """Render; stop once the text passes `limit` (a loop in a template must not build megabytes)."""
    try:
        template = env.from_string(body)
        out: list[str] = []
        size = 0
        for piece in template.generate(values):
            out.append(piece)
            size += len(piece)
            if size > limit:
                raise BadInput(f"the canned response renders to more than {limit} characters")
    except SecurityError as exc:
        raise BadInput(f"the canned response tried to reach something templates may not use: {exc}") from None
    except jinja2.TemplateError as exc:
        raise BadInput(f"the canned response could not be rendered: {exc.message}") from None
    except (OverflowError, ArithmeticError, TypeError, ValueError) as exc:
        raise BadInput(f"the canned response could not be rendered: {exc}") from None
    return "".join(out).strip()


def reply_channels(hub: Hub, conversation: Mapping[str, Any], contact: Mapping[str, Any], now: datetime
                   ) -> list[dict[str, Any]]:
    """The channels this customer can be answered on, the last one they used first, with any refusal."""
    kinds = {str(i.get("kind")) for i in contact.get("identities") or []}
    last = conversation.get("last_channel")
    options: list[dict[str, Any]] = []
    for info in channel_catalog.catalog():
        channel = info.name
        if info.identity_kind not in kinds:
            continue
        adapter = hub.channel(channel)
        refusal = None
        if adapter is None:
            refusal = f"{info.label} is not connected on this hub"
        elif isinstance(adapter, ReplyRules):
            refusal = adapter.refuse_reply(conversation, {}, now)
        options.append({"channel": channel, "label": info.label, "refusal": refusal,
                        "templates": info.template_replies, "segments": info.counts_segments,
                        "mail": info.mail_replies, "connected": adapter is not None,
                        "default": channel == last})
    options.sort(key=lambda o: (not o["default"], o["label"]))
    return options


async def email_composer(hub: Hub, conversation: Mapping[str, Any], contact: Mapping[str, Any], user: Doc
                         ) -> dict[str, Any]:
    """An email reply's defaults: the CC of "reply all" (whom the customer's last mail also went to, not
    our mailboxes nor the customer) and the agent's signature, which the composer previews."""
    config = getattr(hub.channel(EMAIL), "config", None)
    ours = [m.address for m in config.mailboxes] if isinstance(config, EmailSettings) else []
    customer = [str(i.get("value")) for i in contact.get("identities") or [] if i.get("kind") == EMAIL]
    if not customer:  # no email reply possible: nothing to look up
        return {"cc": [], "signature": str(user.get("signature") or "")}
    last = await mail.last_inbound_email(hub.db, conversation["_id"])
    return {"cc": default_cc(last, [*ours, *customer]), "signature": str(user.get("signature") or "")}
