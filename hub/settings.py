"""Every setting the hub reads, from the environment (prefix HUB_, routing's HUB_ROUTING_) or a .env file;
channel plugins keep theirs beside their code (channels/<name>/settings.py)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8080, description="HTTP port.")
    public_url: str = Field(
        "",
        description="URL customers and providers reach the hub at; webhook signatures are checked "
        "against it. Defaults to http://HOST:PORT.",
    )
    secret_key: str = Field(
        "", description="Signs visitor tokens. Generated and kept in DATA_DIR/secret_key when unset."
    )
    data_dir: Path = Field(Path("./var"), description="Embedded database files, generated secret.")
    mongo_url: str = Field("", description="MongoDB URL. Unset: the hub starts its embedded database.")
    db_name: str = Field("hub", description="Database name (when the URL names none).")
    default_department: str = Field("Support", description="Department that gets conversations no rule routes.")
    max_text_bytes: int = Field(64 * 1024, description="Largest message text accepted, in bytes.")
    max_attachment_bytes: int = Field(20 * 1024 * 1024, description="Largest attachment stored, in bytes.")
    session_days: int = Field(14, description="Days an inbox login stays valid.")
    visitor_token_days: int = Field(365, description="Days a website-chat visitor token stays valid.")
    outbox_max_attempts: int = Field(6, description="Send attempts before a reply is marked failed.")
    outbox_backoff_seconds: float = Field(2.0, description="First retry delay; doubles each attempt.")
    outbox_lease_seconds: float = Field(30.0, description="How long a dispatcher owns a reply it sends.")
    outbox_poll_seconds: float = Field(1.0, description="How often the dispatcher looks for due replies.")
    outbox_workers: int = Field(4, ge=1, le=64, description="Dispatcher workers per process; each leases up to 16 "
                                "due replies at once and sends them side by side.")
    log_level: str = Field("INFO", description="Python logging level.")
    smtp_listen: str = Field("", description="HOST:PORT the inbound SMTP listener binds to; empty: no listener.")
    trusted_proxies: str = Field(
        "", description="Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is "
        "believed; empty: the TCP peer is the client.")
    write_concern: str = Field(
        "auto", description="How durable an acknowledged write is: auto (journaled on the embedded database, "
        "majority on a replica set), journaled (w=1, j=true), majority, or fast (w=1, not journaled).")
    recovery_seconds: float = Field(60.0, description="How often kept raw payloads that never became a "
                                    "message are turned into one.")
    recovery_grace_seconds: float = Field(30.0, description="Age a kept raw payload must reach before the "
                                          "recovery pass treats it as abandoned.")
    db_check_seconds: float = Field(1.0, description="How often the hub checks that its database answers.")
    db_down_limit_seconds: float = Field(60.0, description="After the database has been down this long, "
                                         "/healthz answers 503 so a supervisor restarts the hub.")
    login_free_attempts: int = Field(5, description="Failed sign-ins per account or address before each "
                                     "further one waits longer.")
    login_max_lock_seconds: float = Field(900.0, description="Longest wait a run of failed sign-ins imposes; "
                                          "it expires by itself.")
    visitor_burst: int = Field(10, description="Website-chat messages a visitor may send at once.")
    visitor_per_second: float = Field(1.0, description="Website-chat messages per second after the burst.")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        # Parsed here, once, so a typo stops the hub at start with this sentence instead of making
        # every sign-in a 500; client_address reads the cached result.
        _networks(value)
        return value

    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return _networks(self.trusted_proxies)

    def effective_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    def ensure_secret_key(self) -> str:
        """Return the configured key, or one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret_key = path.read_text().strip()
        return self.secret_key


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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(text: str) -> tuple[Network, ...]:
    networks: list[Network] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"HUB_TRUSTED_PROXIES: {part!r} is not an IP address or a CIDR range such as "
                             "10.0.0.0/8") from None
    return tuple(networks)


def templates_dir() -> Path:
    """templates/ beside the packages (a checkout), or HUB_TEMPLATES_DIR (an installed image)."""
    configured = os.environ.get("HUB_TEMPLATES_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "templates"
