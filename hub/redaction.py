"""Secrets never reach the logs: every log record is redacted as it is made, whatever handler writes it.

Libraries log what they are given: httpx logs each request URL at INFO, and a Telegram Bot API URL
holds the bot token (`/bot<TOKEN>/sendMessage`); an exception's text can hold a Mongo URL with its
password. A filter on a handler covers only that handler, and handlers come and go (pytest adds its
own per test), so the redaction sits in the log record factory: every record, from every logger, is
cleaned before any handler sees it. The secrets are process-wide, as logging itself is.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from dotenv import dotenv_values
from pydantic import BaseModel, SecretStr

MASK = "[redacted]"
# Shorter values are not worth hiding and would mangle every line they happen to occur in.
MIN_SECRET_CHARS = 6
# A Bot API token in a URL path, whoever configured it: /bot123456:AA.../method or /file/bot.../path,
# its colon written or percent-encoded.
_BOT_TOKEN_IN_URL = re.compile(r"(?<=/bot)\d+(?::|%3A|%3a)[A-Za-z0-9_-]+")
# Setting names whose values are secrets even when they are plain strings (Twilio's auth_token).
_SECRET_NAMES = re.compile(r"token|secret|password|api_key", re.IGNORECASE)

# The settings prefixes the hub and its channels read; nothing else in the environment is looked at.
_OUR_PREFIXES = ("HUB_", "TELEGRAM_", "TWILIO_", "EMAIL_")

class Redactor:
    """A set of secrets and the one pattern that finds any of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def hide(self, *values: str | None) -> None:
        """Hide these secrets from now on, as written and URL-encoded (empty and very short ones are ignored)."""
        fresh = {form for v in values if v and len(v) >= MIN_SECRET_CHARS
                 for form in (v, quote(v, safe=""), quote_plus(v, safe="")) if form not in self._secrets}
        if not fresh:
            return
        with self._lock:
            self._secrets.update(fresh)
            # Longest first, so a secret that contains another is hidden whole.
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))

    def hidden(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def redact(self, text: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        return _BOT_TOKEN_IN_URL.sub(MASK, text)


# Process-wide, as logging is: what every log record is cleaned of.
_PROCESS = Redactor()
_install_lock = threading.Lock()
_installed = False


def hide(*values: str | None) -> None:
    """Add secrets to hide from every log record from now on."""
    _PROCESS.hide(*values)


def hidden() -> frozenset[str]:
    """Every secret hidden so far (for tests that check a log holds none of them)."""
    return _PROCESS.hidden()


def redact(text: str) -> str:
    """`text` with every known secret, and any Bot API token in a URL, replaced by [redacted]."""
    return _PROCESS.redact(text)


def url_password(url: str) -> str | None:
    """The password in a URL such as mongodb://user:pass@host/ (None when it carries none)."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def secrets_in(model: object) -> list[str]:
    """Every secret a settings object holds: SecretStr values, and strings under secret-sounding names,
    in nested models and lists too."""
    found: list[str] = []

    def walk(value: Any, name: str) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, str):
            if _SECRET_NAMES.search(name):
                found.append(value)
            elif "://" in value and (password := url_password(value)):
                found.append(password)
        elif isinstance(value, BaseModel):
            for field in type(value).model_fields:
                walk(getattr(value, field, None), field)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, name)

    walk(model, "")
    return [s for s in found if s]


def secrets_in_environment(environ: Mapping[str, str], env_file: Path | None = Path(".env")) -> list[str]:
    """Secrets configured through the environment or the .env file every settings class also reads:
    values under secret-sounding names (TELEGRAM_BOT_TOKEN, TWILIO_AUTH_TOKEN, EMAIL_..._PASSWORD, ...)
    and passwords inside URLs (HUB_MONGO_URL)."""
    values = dict(environ)
    if env_file is not None and env_file.is_file():
        values = {**{k: v for k, v in dotenv_values(env_file).items() if v}, **values}
    found: list[str] = []
    for name, value in values.items():
        if not name.upper().startswith(_OUR_PREFIXES):
            continue
        if _SECRET_NAMES.search(name) and not name.endswith(("_DAYS", "_SECONDS")):
            found.append(value)
        elif "://" in value and (password := url_password(value)):
            found.append(password)
    return [s for s in found if s]


def install(*secrets: str | None) -> None:
    """Hide `secrets` and make sure every log record is redacted (idempotent; safe to call per app)."""
    global _installed
    hide(*secrets)
    with _install_lock:
        if _installed:
            return
        _installed = True
        make_record = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            _redact_record(record)
            return record

        logging.setLogRecordFactory(redacting_factory)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: let the handler report it as logging always has
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        # Formatters reuse exc_text when it is set, so the traceback they print is this cleaned one.
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
