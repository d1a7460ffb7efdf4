"""A department's satisfaction survey settings: `csat: {enabled, delay_seconds}` on its document.

Off unless an admin turns it on. The delay is how long after a resolve the survey waits in the outbox (a
conversation reopened and resolved again in that time still gets one survey: its client key is fixed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.errors import BadInput

DEFAULT_DELAY_SECONDS = 300
MAX_DELAY_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class SurveySettings:
    enabled: bool = False
    delay_seconds: int = DEFAULT_DELAY_SECONDS

    def as_doc(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "delay_seconds": self.delay_seconds}


def of_department(department: Mapping[str, Any] | None) -> SurveySettings:
    """What is stored, read leniently (a hand-edited value counts as off / the default delay)."""
    raw = (department or {}).get("csat")
    if not isinstance(raw, Mapping):
        return SurveySettings()
    delay = raw.get("delay_seconds")
    ok_delay = isinstance(delay, int) and not isinstance(delay, bool) and 0 <= delay <= MAX_DELAY_SECONDS
    return SurveySettings(raw.get("enabled") is True, delay if ok_delay else DEFAULT_DELAY_SECONDS)  # type: ignore[arg-type]


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1"):
        return True
    if value in ("false", "off", "0", ""):
        return False
    raise BadInput("csat.enabled must be true or false", field="csat.enabled")


def check(value: object, current: SurveySettings) -> SurveySettings:
    """`csat` as an API body sends it; only the fields given change. BadInput with a sentence otherwise."""
    if not isinstance(value, Mapping):
        raise BadInput("csat must be an object like {\"enabled\": true, \"delay_seconds\": 300}", field="csat")
    unknown = sorted(set(value) - {"enabled", "delay_seconds"})
    if unknown:
        raise BadInput(f"csat has no setting {unknown[0]!r} (there are: enabled, delay_seconds)", field="csat")
    enabled = _flag(value["enabled"]) if "enabled" in value else current.enabled
    delay: object = value.get("delay_seconds", current.delay_seconds)
    if isinstance(delay, str) and delay.strip().isdigit():
        delay = int(delay.strip())
    if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= MAX_DELAY_SECONDS:
        raise BadInput(f"csat.delay_seconds must be a whole number of seconds from 0 to {MAX_DELAY_SECONDS}",
                       field="csat.delay_seconds")
    return SurveySettings(enabled, delay)
