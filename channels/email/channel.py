"""Replies out through the department's mailbox, threaded under the customer's last mail."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import aiosmtplib
import jinja2

from channels.base import (
    Attachment,
    ChannelError,
    ChannelRejected,
    ChannelTimeout,
    OutboundMessage,
    SendResult,
    UnsettledAttempt,
)
from channels.email import loops, threads
from channels.email.settings import EmailSettings, Mailbox
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import conversations, files, mail, messages
from hub.store import departments as department_store
from hub.store.db import Doc, oid

log = logging.getLogger(__name__)
MAX_REFERENCES = 20


class NoMailbox(ChannelError):
    """No mailbox with outgoing mail is configured: nothing can be sent."""

    transient = False


class EmailChannel:
    name = "email"

    def __init__(self, hub: Hub, config: EmailSettings, templates: jinja2.Environment) -> None:
        self.hub = hub
        self.config = config
        self.templates = templates

    async def send(self, message: OutboundMessage) -> SendResult:
        conversation_id = oid(message.conversation_id)
        conversation = await conversations.get(self.hub.db, conversation_id) if conversation_id else None
        last = await mail.last_inbound_email(self.hub.db, conversation_id) if conversation_id else None
        mailbox, department = await self._mailbox(conversation or {}, last)
        if mailbox.smtp is None:
            raise ChannelRejected(f"the mailbox {mailbox.address} has no outgoing mail server configured")
        automatic = bool(message.extras.get("automatic"))
        if automatic and last is not None and (last.get("extras") or {}).get("auto_submitted"):
            raise ChannelRejected("no automatic reply to an automatic mail: the two could answer each other forever")
        if automatic and loops.is_no_reply(message.to.value):
            raise ChannelRejected("no automatic reply to a no-reply address")
        email = self.compose(message, mailbox, department, last, await self._message_id(message))
        for attachment, data in await self._attached(message):
            maintype, _, subtype = attachment.content_type.partition("/")
            if not subtype or maintype == "multipart":
                maintype, subtype = "application", "octet-stream"
            email.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
        await self._deliver(email, mailbox, message.to.value)
        return SendResult(provider_id=str(email["Message-ID"]).strip("<>").lower(), status="sent")

    async def send_notice(self, to: str, subject: str, text: str) -> None:
        """A short system mail that answers no conversation (a website-chat verification code), through
        the same delivery code as replies; ChannelError (with a reason for the log) when it cannot go out."""
        mailbox = self.sending_mailbox()
        email = EmailMessage()
        email["Subject"] = subject
        email["From"] = Address(mailbox.display_name or "", addr_spec=mailbox.address)
        email["To"] = to
        email["Date"] = format_datetime(utcnow())
        email["Message-ID"] = make_msgid(domain=self.config.id_domain())
        # Marked automatic so the customer's auto-responders do not answer it (RFC 3834).
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(text)
        await self._deliver(email, mailbox, to)

    def sending_mailbox(self) -> Mailbox:
        """The first mailbox with an outgoing mail server; NoMailbox when none has one."""
        usable = next((m for m in self.config.mailboxes if m.smtp is not None), None)
        if usable is None:
            raise NoMailbox("no mailbox has an outgoing mail server (Admin → Mailboxes)")
        return usable

    async def _message_id(self, message: OutboundMessage) -> str:
        """Made once and kept on the reply before the first attempt: every retry carries the same
        Message-ID, so a copy that did arrive is recognised as the same mail by the receiving side."""
        made = threads.make_message_id(message.conversation_id, message.message_id, self.config.id_domain())
        row_id = oid(message.message_id)
        if row_id is None:
            return made
        return await messages.keep_outbound_header(self.hub.db, row_id, "message_id", made)

    async def reconcile(self, message: OutboundMessage, attempt: UnsettledAttempt) -> SendResult | None:
        """SMTP cannot be asked what it received; a resend is safe because it repeats the Message-ID."""
        return None

    async def _attached(self, message: OutboundMessage) -> list[tuple[Attachment, bytes]]:
        found: list[tuple[Attachment, bytes]] = []
        for attachment in message.attachments:
            file_id = oid(attachment.file_id) if attachment.file_id and not attachment.refused_reason else None
            if file_id is None:
                continue
            stored = await files.get(self.hub.db, file_id)
            if stored is None:
                raise ChannelRejected(f"the attachment {attachment.filename} is no longer stored")
            found.append((attachment, stored[0]))
        return found

    async def _mailbox(self, conversation: Mapping[str, Any], last: Doc | None) -> tuple[Mailbox, str]:
        """The department's mailbox; else the one the customer wrote to; else the first configured."""
        department = ""
        if conversation.get("department_id") is not None:
            found = await department_store.get(self.hub.db, conversation["department_id"])
            department = str(found.get("name", "")) if found else ""
        by_department = [m for m in self.config.mailboxes if department and m.department == department]
        written_to = self.config.mailbox(str(((last or {}).get("extras") or {}).get("mailbox") or ""))
        if by_department:
            # Several mailboxes of one department: keep the one the customer wrote to.
            chosen = written_to if written_to in by_department else by_department[0]
        else:
            chosen = written_to or self.config.mailboxes[0]
        return chosen, department or chosen.department

    def compose(self, message: OutboundMessage, mailbox: Mailbox, department: str, last: Doc | None,
                message_id: str) -> EmailMessage:
        extras: dict[str, Any] = dict((last or {}).get("extras") or {})
        subject = str((last or {}).get("subject") or message.extras.get("subject") or "")
        if not subject:
            subject = f"Your message to {department or mailbox.address}"
        elif not subject.lower().startswith(("re:", "aw:", "sv:", "回复:", "答复:", "رد:", "پاسخ:")):
            subject = f"Re: {subject}"
        context = {"text": message.text, "paragraphs": [p for p in message.text.split("\n\n") if p.strip()],
                   "department": department, "mailbox": mailbox.address}
        email = EmailMessage()
        email["Subject"] = subject
        email["From"] = Address(mailbox.display_name or department or "", addr_spec=mailbox.address)
        email["To"] = message.to.value
        email["Date"] = format_datetime(utcnow())
        email["Message-ID"] = message_id
        parent = extras.get("message_id")
        if parent:
            references = [*list(extras.get("references") or []), parent][-MAX_REFERENCES:]
            email["In-Reply-To"] = f"<{parent}>"
            email["References"] = " ".join(f"<{r}>" for r in references)
        if message.extras.get("automatic"):
            email["Auto-Submitted"] = "auto-replied"
            email["X-Auto-Response-Suppress"] = "All"
        email.set_content(self.templates.get_template("email/reply.txt").render(context))
        email.add_alternative(self.templates.get_template("email/reply.html").render(context), subtype="html")
        return email

    async def _deliver(self, email: EmailMessage, mailbox: Mailbox, to: str) -> None:
        smtp = mailbox.smtp
        assert smtp is not None
        where = f"{smtp.host}:{smtp.port}"
        try:
            await aiosmtplib.send(
                email, sender=mailbox.address, recipients=[to], hostname=smtp.host, port=smtp.port,
                username=smtp.username or None, password=smtp.password.get_secret_value() or None,
                use_tls=smtp.security == "tls", start_tls=smtp.security == "starttls",
                timeout=smtp.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            code, words = (refused.code, refused.message) if refused else (550, "recipient refused")
            raise _by_code(code, f"the mail server {where} refused {to}: {code} {words}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _by_code(exc.code, f"the mail server {where} answered {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPTimeoutError, TimeoutError) as exc:
            raise ChannelTimeout(f"the mail server {where} did not answer in time") from exc
        except aiosmtplib.SMTPConnectError as exc:
            raise ChannelError(f"could not reach the mail server {where}: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # The connection broke midway: the relay may have taken the mail before it did.
            raise ChannelError(f"lost the mail server {where}: {exc}", maybe_sent=True) from exc


def _by_code(code: int, reason: str) -> ChannelError:
    """SMTP 4xx is worth another try later; 5xx is the server's final word."""
    if 500 <= code < 600:
        return ChannelRejected(reason)
    return ChannelError(reason)
