"""Telegram's own settings (prefix TELEGRAM_); without a bot token the channel stays off."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# What Telegram accepts as a webhook secret_token.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", env_file=".env", extra="ignore")

    bot_token: SecretStr = Field(SecretStr(""), description="Token from @BotFather; unset: the channel is off.")
    webhook_secret: SecretStr = Field(
        SecretStr(""), description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token with every update."
    )
    api_base: str = Field("https://api.telegram.org", description="Bot API server (a local one, or a test fake).")

    @field_validator("webhook_secret")
    @classmethod
    def _secret_telegram_accepts(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and not _SECRET.match(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -, up to 256 characters")
        return value

    @field_validator("api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_BASE must be an http(s) URL, e.g. https://api.telegram.org")
        return value.rstrip("/")

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token.get_secret_value())

    @property
    def bot_id(self) -> str:
        """The bot's own id is the token's first part, so dedupe keys need no getMe call."""
        return self.bot_token.get_secret_value().partition(":")[0]
