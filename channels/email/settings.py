"""Mailboxes the hub answers for, from EMAIL_* settings. Passwords are SecretStr: never printed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SmtpOut(BaseModel):
    host: str
    port: int = 587
    # "tls": TLS from the first byte (port 465); "starttls": upgrade after connecting; "none": loopback relays.
    security: Literal["tls", "starttls", "none"] = "starttls"
    username: str = ""
    password: SecretStr = SecretStr("")
    timeout_seconds: float = 30.0


class ImapIn(BaseModel):
    host: str
    port: int = 993
    ssl: bool = True
    username: str
    password: SecretStr
    folder: str = "INBOX"
    poll_seconds: float = 60.0


# How a reply's From name reads: "agent" is "Sara Ahmadi (via Support)", as Help Scout and Front do, so
# the customer sees a person; "mailbox" is the mailbox's display name alone (a shared "Acme Support").
FROM_NAME_STYLES = ("agent", "mailbox")
FromNameStyle = Literal["agent", "mailbox"]


class Mailbox(BaseModel):
    address: str
    department: str = ""
    display_name: str = ""
    from_name_style: FromNameStyle = "agent"
    smtp: SmtpOut | None = None
    imap: ImapIn | None = None

    @field_validator("address")
    @classmethod
    def _lower(cls, value: str) -> str:
        value = value.strip().lower()
        if "@" not in value:
            raise ValueError(f"{value!r} is not an email address")
        return value

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def from_name(self, agent: str, department: str = "") -> str:
        """The display name of a reply's From: the agent's name with the mailbox's when the style says so
        and an agent wrote it (an automatic reply has none), else the mailbox's own name."""
        own = self.display_name or department or self.department
        agent = " ".join(agent.split())
        if self.from_name_style == "agent" and agent:
            return f"{agent} (via {own})" if own else agent
        return own


class EmailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EMAIL_", env_file=".env", extra="ignore")

    mailboxes: list[Mailbox] = Field(
        default_factory=list, description="JSON list of mailboxes; empty means the email channel is off."
    )
    message_id_domain: str = Field(
        "", description="Domain in the Message-IDs of our replies. Defaults to the first mailbox's domain."
    )
    max_message_bytes: int = Field(50 * 1024 * 1024, description="Largest mail the SMTP listener accepts.")
    reopen_per_sender_per_hour: int = Field(
        10, description="How often mail from one sender may reopen resolved conversations per hour."
    )
    trusted_authserv_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated authserv-ids (the first word of an Authentication-Results header) "
                    "of the mail servers that receive our mail and check SPF, DKIM and DMARC. A From that "
                    "such a server marked as failing does not join the contact holding that address. "
                    "Empty: no verdict is trusted (a forger's own header would look the same).",
    )

    @field_validator("trusted_authserv_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [str(v).strip().lower() for v in value if str(v).strip()]
        return value

    def mailbox(self, address: str) -> Mailbox | None:
        address = address.strip().lower()
        return next((m for m in self.mailboxes if m.address == address), None)

    def our_domains(self) -> set[str]:
        return {m.domain for m in self.mailboxes} | ({self.message_id_domain} if self.message_id_domain else set())

    def id_domain(self) -> str:
        if self.message_id_domain:
            return self.message_id_domain
        return self.mailboxes[0].domain if self.mailboxes else "hub.invalid"
