"""What an email reply carries besides its text: CC and BCC, the agent's signature, the name it goes out under.

All of it is written into the reply's own document (its `extras`) in the one insert that queues it, so every
attempt the outbox makes (after a retry or a restart) sends the same recipients and the same signature,
whatever the agent changes later, and a crash can never leave a reply queued without them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from channels.email.headers import normalise_address
from hub import channel_catalog
from hub.errors import BadInput

MAX_COPIES = 50  # CC and BCC together
SIGNATURE_MAX_CHARS = 2000
# Typed by a person: a plain address (name@example.com), or one in angle brackets after a name.
_TYPED = re.compile(r"^[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\.]+(?:\.[^\s@<>()\[\],;:\"\\.]+)*$")
_NAMED = re.compile(r"^.*<([^<>]*)>\s*$")
_SEPARATORS = re.compile(r"[,;\n]")
_WHAT = {"cc": "CC", "bcc": "BCC"}


def parse_addresses(value: object, field: str) -> list[str]:
    """A comma-, semicolon- or line-separated list (or a JSON list) of addresses, lower-cased, each once.
    BadInput names the first one that is not an address, so the agent can fix that one."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        pieces = _SEPARATORS.split(value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        pieces = [p for v in value for p in _SEPARATORS.split(v)]
    else:
        raise BadInput(f"'{field}' must be a list of email addresses or one comma-separated string", field=field)
    found: list[str] = []
    for piece in pieces:
        typed = piece.strip()
        if not typed:
            continue
        named = _NAMED.match(typed)
        address = (named.group(1) if named else typed).strip()
        normal = normalise_address(address) if _TYPED.match(address) else None
        if normal is None:
            raise BadInput(f"the {_WHAT.get(field, field)} address {typed[:120]!r} is not an email address "
                           "(write it like name@example.com)", field=field)
        found.append(normal)
    return list(dict.fromkeys(found))


def copies(cc: list[str], bcc: list[str], to: str) -> tuple[list[str], list[str]]:
    """CC and BCC without the customer (already the To) and without a BCC that is also a CC."""
    customer = to.strip().lower()
    cc = [a for a in cc if a != customer]
    bcc = [a for a in bcc if a != customer and a not in cc]
    if len(cc) + len(bcc) > MAX_COPIES:
        raise BadInput(f"at most {MAX_COPIES} CC and BCC addresses on one reply", field="cc")
    return cc, bcc


def check_signature(text: str) -> str:
    """A signature as it is kept: plain text in any script, line ends made \\n, trailing spaces and blank
    lines trimmed, control characters refused, at most SIGNATURE_MAX_CHARS characters."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = "\n".join(lines).strip("\n")
    if len(cleaned) > SIGNATURE_MAX_CHARS:
        raise BadInput(f"a signature may be at most {SIGNATURE_MAX_CHARS:,} characters; this one has "
                       f"{len(cleaned):,}", field="signature")
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in cleaned):
        raise BadInput("the signature holds a control character; write it as plain text", field="signature")
    if cleaned.split("\n", 1)[0] == "--":  # the "-- " line is ours to write, above it
        cleaned = cleaned[2:].strip("\n")
    return cleaned


def reply_extras(user: Mapping[str, Any], cc: list[str], bcc: list[str], to: str) -> dict[str, Any]:
    """What an agent's email reply keeps for the channel: copies, the signature of now, the agent's name."""
    cc, bcc = copies(cc, bcc, to)
    extras: dict[str, Any] = {"agent_name": str(user.get("name") or "")}
    if cc:
        extras["cc"] = cc
    if bcc:
        extras["bcc"] = bcc
    signature = str(user.get("signature") or "").strip()
    if signature:
        extras["signature"] = signature
    return extras


def is_mail(channel: str | None) -> bool:
    """Are replies on this channel mail (CC, BCC, signature, quote)? Its ChannelInfo says."""
    info = channel_catalog.info(channel) if channel else None
    return info is not None and info.mail_replies


def refuse_copies_off_email(cc: list[str], bcc: list[str], channel: str | None, note: bool) -> None:
    """CC and BCC only on a mail reply; `channel` None: not known yet (the conversation's own, checked later)."""
    if not (cc or bcc):
        return
    if note:
        raise BadInput("a private note has no CC or BCC: it is not sent to anyone", field="cc")
    if channel is not None and not is_mail(channel):
        raise BadInput(f"CC and BCC go only with an email reply, not on {channel}", field="cc")


def default_cc(last_mail: Mapping[str, Any] | None, ours: Iterable[str]) -> list[str]:
    """"Reply all": whom the customer's last mail also went to (its To and Cc), without our own mailboxes
    and without the customer."""
    if not last_mail:
        return []
    extras = last_mail.get("extras") or {}
    skip = {a.lower() for a in ours} | {str(a).lower() for a in extras.get("mailboxes") or []}
    skip.add(str(extras.get("from_address") or "").lower())
    found = [str(a).lower() for a in [*(extras.get("to") or []), *(extras.get("cc") or [])] if isinstance(a, str)]
    return [a for a in dict.fromkeys(found) if a and a not in skip][:MAX_COPIES]
