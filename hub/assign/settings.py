"""Routing's own settings (prefix HUB_ROUTING_), read when a hub process starts routing."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class RoutingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_ROUTING_", env_file=".env", extra="ignore")

    languages: str = Field(
        "en,ar,fa,zh,vi",
        description="Languages detected in customer messages (ISO 639-1, comma-separated); empty: no detection.",
    )
    cache_seconds: float = Field(5.0, description="How long a process reuses departments and rules it read.")
    tick_seconds: float = Field(15.0, description="How often the queue, fallback and SLA checks run.")
    autoreply_window_seconds: float = Field(
        24 * 3600.0, description="At most one auto-reply per conversation within this many seconds."
    )
    presence_seconds: float = Field(
        45.0, description="An agent's live stream counts as connected this long after its last heartbeat."
    )

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: str) -> str:
        codes = [code.strip().lower() for code in value.split(",") if code.strip()]
        bad = [code for code in codes if len(code) != 2 or not code.isalpha()]
        if bad:
            raise ValueError(f"HUB_ROUTING_LANGUAGES takes two-letter codes such as en,fa; got {bad[0]!r}")
        return ",".join(codes)

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(code for code in self.languages.split(",") if code)
