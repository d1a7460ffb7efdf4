"""Twilio's settings, from the environment (prefix TWILIO_) or `.env`; off without credentials."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Twilio's media URLs point at the API host, which redirects to its media CDN (or an S3 bucket).
DEFAULT_MEDIA_HOSTS = ("api.twilio.com", "media.twiliocdn.com", "*.twiliocdn.com",
                       "s3-external-1.amazonaws.com")


class TwilioSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TWILIO_", env_file=".env", extra="ignore")

    account_sid: str = Field("", description="Account SID (AC…); with the auth token it turns the channel on.")
    auth_token: str = Field("", description="Auth token: signs webhooks, authenticates sends and media downloads.")
    sms_from: str = Field("", description="Sender number for SMS replies (E.164, e.g. +14155550100).")
    whatsapp_from: str = Field("", description="WhatsApp sender number (E.164, with or without `whatsapp:`).")
    messaging_service_sid: str = Field(
        "", description="Messaging service (MG…) used instead of a sender number when no number is set.")
    api_base: str = Field("https://api.twilio.com", description="Twilio REST API base URL (tests point it at a fake).")
    default_region: str = Field(
        "US", description="Country for numbers that arrive in national format when the receiving number has none.")
    sms_per_second: float = Field(1.0, gt=0, description="Messages per second per SMS sender (a long code: 1).")
    whatsapp_per_second: float = Field(10.0, gt=0, description="Messages per second per WhatsApp sender.")
    media_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        DEFAULT_MEDIA_HOSTS, description="Hosts inbound media may be downloaded from (comma-separated; `*.` "
        "matches subdomains).")
    media_allow_private: bool = Field(
        False, description="Allow media from loopback/private addresses over plain http. Tests only.")
    whatsapp_window_hours: float = Field(24.0, description="WhatsApp's customer-service window.")
    content_api_base: str = Field(
        "https://content.twilio.com", description="Twilio Content API base URL, where the approved WhatsApp "
        "templates are listed (tests point it at a fake).")
    survey_content_sid: str = Field(
        "", description="Approved WhatsApp quick-reply template (HX…) for the satisfaction survey, with buttons "
        "1 to 5: sent in place of the text so it also reaches customers outside the 24-hour window. Unset: the "
        "survey is plain text, sent only within the window.")
    templates_cache_seconds: float = Field(
        600.0, ge=0, description="How long the list of approved templates is kept before it is asked for again "
        "(the composer's Refresh asks at once).")

    @field_validator("media_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(h.strip().lower() for h in value.split(",") if h.strip())
        return value

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token)

    @property
    def api_root(self) -> str:
        return self.api_base.rstrip("/")

    @property
    def content_root(self) -> str:
        return self.content_api_base.rstrip("/")
