"""Whether the server that received a mail vouches for its From (RFC 8601 Authentication-Results).

Anyone can write any From. Only the receiving server's own verdict, under an authserv-id the
operator trusts (EMAIL_TRUSTED_AUTHSERV_IDS), says whether the domain's owner sent it. A failing
verdict wins over any passing one: a forger may add headers of their own, but cannot remove the
receiving server's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^\s*(dmarc|spf|dkim)\s*=\s*([A-Za-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class SenderCheck:
    failed: bool
    reason: str = ""  # e.g. "dmarc=fail (mx.hub.test)", shown to agents


def _verdicts(value: str) -> tuple[str, dict[str, list[str]]]:
    text = value
    for _ in range(3):  # comments may nest a little
        text = _COMMENT.sub(" ", text)
    authserv, _, rest = text.partition(";")
    results: dict[str, list[str]] = {}
    for clause in rest.split(";"):
        match = _RESULT.match(clause)
        if match:
            results.setdefault(match.group(1).lower(), []).append(match.group(2).lower())
    words = authserv.split()
    return (words[0].lower() if words else ""), results


def check(headers: Iterable[str], trusted: Iterable[str]) -> SenderCheck:
    """Failed when a trusted server says dmarc=fail, or spf=fail with no passing DKIM signature."""
    trusted_ids = {t.lower() for t in trusted}
    if not trusted_ids:
        return SenderCheck(False)
    for value in headers:
        authserv, results = _verdicts(value)
        if authserv not in trusted_ids:
            continue
        dmarc, spf, dkim = (results.get(k, []) for k in ("dmarc", "spf", "dkim"))
        if "fail" in dmarc:
            return SenderCheck(True, f"dmarc=fail ({authserv})")
        if "pass" in dmarc:
            continue
        if "fail" in spf and "pass" not in dkim:
            return SenderCheck(True, f"spf=fail, dkim={(dkim or ['none'])[0]} ({authserv})")
    return SenderCheck(False)
