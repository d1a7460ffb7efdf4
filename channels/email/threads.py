"""Our Message-IDs carry the conversation, so a customer's reply finds its way back."""

from __future__ import annotations

import re
import secrets

_OURS = re.compile(r"^conv-([0-9a-f]{24})\.msg-([0-9a-f]{24})(?:\.[0-9a-z]+)?@(.+)$")


def make_message_id(conversation_id: str, message_id: str, domain: str) -> str:
    # The outbox keeps the first one made for a reply, so every retry repeats it (see EmailChannel).
    return f"<conv-{conversation_id}.msg-{message_id}.{secrets.token_hex(4)}@{domain}>"


def ours(message_id: str, domains: set[str]) -> tuple[str, str] | None:
    """(conversation id, message id) when `message_id` (without <>) is one we made."""
    match = _OURS.match(message_id.strip("<>").lower())
    if match is None or match.group(3) not in domains:
        return None
    return match.group(1), match.group(2)


def conversation_hint(in_reply_to: list[str], references: list[str], domains: set[str]) -> str | None:
    """The conversation a reply belongs to: In-Reply-To first, then References newest first."""
    for candidate in [*in_reply_to, *reversed(references)]:
        found = ours(candidate, domains)
        if found:
            return found[0]
    return None
