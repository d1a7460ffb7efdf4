"""Every setting the hub reads, from the environment (prefix HUB_) or a .env file."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
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
    log_level: str = Field("INFO", description="Python logging level.")
    smtp_listen: str = Field("", description="HOST:PORT the inbound SMTP listener binds to; empty: no listener.")

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
