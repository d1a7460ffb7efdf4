"""Replies out through the department's mailbox, threaded under the customer's last mail."""

from __future__ import annotations

import logging
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import aiosmtplib
import jinja2

from channels.base import (
    Attachment,
    ChannelError,
    ChannelHost,
    ChannelRejected,
    ChannelTimeout,
    OutboundMessage,
    SendResult,
    UnsettledAttempt,
)
from channels.email import loops, threads
from channels.email.port import CustomerMail
from channels.email.settings import EmailSettings, Mailbox

log = logging.getLogger(__name__)
MAX_REFERENCES = 20
# The quoted earlier mail under a reply is the customer's whole last mail (with its own quotes): cut
# past this, so a long back and forth does not grow every reply without end.
MAX_QUOTED_CHARS = 20_000


class NoMailbox(ChannelError):
    """No mailbox with outgoing mail is configured: nothing can be sent."""

    transient = False


class EmailChannel:
    name = "email"

    def __init__(self, host: ChannelHost, config: EmailSettings, templates: jinja2.Environment) -> None:
        self.host = host
        self.config = config
        self.templates = templates

    async def send(self, message: OutboundMessage) -> SendResult:
        context = await self.host.mail.reply_context(message.conversation_id)
        last = context.last_mail
        mailbox, department = self._mailbox(context.department, last)
        if mailbox.smtp is None:
            raise ChannelRejected(f"the mailbox {mailbox.address} has no outgoing mail server configured")
        automatic = bool(message.extras.get("automatic"))
        if automatic and last is not None and last.extras.get("auto_submitted"):
            raise ChannelRejected("no automatic reply to an automatic mail: the two could answer each other forever")
        if automatic and loops.is_no_reply(message.to.value):
            raise ChannelRejected("no automatic reply to a no-reply address")
        email = self.compose(message, mailbox, department, last, await self._message_id(message))
        for attachment, data in await self._attached(message):
            maintype, _, subtype = attachment.content_type.partition("/")
            if not subtype or maintype == "multipart":
                maintype, subtype = "application", "octet-stream"
            email.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
        await self._deliver(email, mailbox, envelope_recipients(message))
        return SendResult(provider_id=str(email["Message-ID"]).strip("<>").lower(), status="sent")

    async def send_notice(self, to: str, subject: str, text: str) -> None:
        """A short system mail that answers no conversation (a website-chat verification code), through
        the same delivery code as replies; ChannelError (with a reason for the log) when it cannot go out."""
        mailbox = self.sending_mailbox()
        email = EmailMessage()
        email["Subject"] = subject
        email["From"] = Address(mailbox.display_name or "", addr_spec=mailbox.address)
        email["To"] = to
        email["Date"] = format_datetime(self.host.now())
        email["Message-ID"] = make_msgid(domain=self.config.id_domain())
        # Marked automatic so the customer's auto-responders do not answer it (RFC 3834).
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(text)
        await self._deliver(email, mailbox, [to])

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
        return await self.host.mail.keep_message_id(message.message_id, made)

    async def reconcile(self, message: OutboundMessage, attempt: UnsettledAttempt) -> SendResult | None:
        """SMTP cannot be asked what it received; a resend is safe because it repeats the Message-ID."""
        return None

    async def _attached(self, message: OutboundMessage) -> list[tuple[Attachment, bytes]]:
        found: list[tuple[Attachment, bytes]] = []
        for attachment in message.attachments:
            if not attachment.file_id or attachment.refused_reason:
                continue
            stored = await self.host.read_file(attachment.file_id)
            if stored is None:
                raise ChannelRejected(f"the attachment {attachment.filename} is no longer stored")
            found.append((attachment, stored.data))
        return found

    def _mailbox(self, department: str, last: CustomerMail | None) -> tuple[Mailbox, str]:
        """The department's mailbox; else the one the customer wrote to; else the first configured."""
        by_department = [m for m in self.config.mailboxes if department and m.department == department]
        written_to = self.config.mailbox(str((last.extras if last else {}).get("mailbox") or ""))
        if by_department:
            # Several mailboxes of one department: keep the one the customer wrote to.
            chosen = written_to if written_to in by_department else by_department[0]
        else:
            chosen = written_to or self.config.mailboxes[0]
        return chosen, department or chosen.department

    def compose(self, message: OutboundMessage, mailbox: Mailbox, department: str, last: CustomerMail | None,
                message_id: str) -> EmailMessage:
        extras: dict[str, Any] = dict(last.extras if last else {})
        subject = str((last.subject if last else "") or message.extras.get("subject") or "")
        if not subject:
            subject = f"Your message to {department or mailbox.address}"
        elif not subject.lower().startswith(("re:", "aw:", "sv:", "回复:", "答复:", "رد:", "پاسخ:")):
            subject = f"Re: {subject}"
        signature = str(message.extras.get("signature") or "")
        context = {"text": message.text, "paragraphs": _paragraphs(message.text),
                   # Answers as links (the survey's signed one-click scores); buttons in the HTML part.
                   "choices": [c for c in message.choices if c.url],
                   "department": department, "mailbox": mailbox.address,
                   "signature": signature, "signature_lines": signature.split("\n") if signature else [],
                   # An automatic reply answers no question: it quotes nothing.
                   "quote": None if message.extras.get("automatic") else quote_of(last, message.to.value)}
        email = EmailMessage()
        email["Subject"] = subject
        # headerregistry writes a non-ASCII name as an RFC 2047 encoded word and quotes "(via …)".
        email["From"] = Address(mailbox.from_name(str(message.extras.get("agent_name") or ""), department),
                                addr_spec=mailbox.address)
        email["To"] = message.to.value
        cc = _addresses(message.extras.get("cc"))
        if cc:
            email["Cc"] = tuple(Address(addr_spec=a) for a in cc)
        # BCC never becomes a header: those addresses are only envelope recipients (envelope_recipients).
        email["Date"] = format_datetime(self.host.now())
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

    async def _deliver(self, email: EmailMessage, mailbox: Mailbox, recipients: list[str]) -> None:
        smtp = mailbox.smtp
        assert smtp is not None
        where = f"{smtp.host}:{smtp.port}"
        to = recipients[0]
        try:
            partly_refused, _ = await aiosmtplib.send(
                email, sender=mailbox.address, recipients=recipients, hostname=smtp.host, port=smtp.port,
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
        if partly_refused:
            # Some recipients (a CC, say) refused, the others took the mail: it went out, the rest is logged.
            log.warning("mail server %s refused some recipients of message=%s refused=%s", where,
                        email["Message-ID"], ", ".join(sorted(partly_refused)))


def _addresses(value: object) -> list[str]:
    return [str(a) for a in value if isinstance(a, str) and a] if isinstance(value, list | tuple) else []


def envelope_recipients(message: OutboundMessage) -> list[str]:
    """The customer first, then CC, then BCC, each once: the relay is given all, the headers name only To and Cc."""
    found = [message.to.value, *_addresses(message.extras.get("cc")), *_addresses(message.extras.get("bcc"))]
    return list(dict.fromkeys(a.lower() for a in found))


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def quote_of(last: CustomerMail | None, customer: str) -> dict[str, Any] | None:
    """The customer's previous mail as a reply quotes it: an attribution line and its text, or None."""
    if last is None or not last.text.strip():
        return None
    text = last.text.strip()[:MAX_QUOTED_CHARS]
    who = last.sender_name.strip()
    address = last.sender_address or customer
    who = f"{who} <{address}>" if who and address else who or address or "you"
    when = last.received_at.astimezone(UTC).strftime("%a, %d %b %Y at %H:%M UTC") if last.received_at else ""
    attribution = f"On {when}, {who} wrote:" if when else f"{who} wrote:"
    lines = text.split("\n")
    return {"attribution": attribution, "text": text, "lines": lines,
            "quoted": "\n".join(">" if not line else "> " + line if not line.startswith(">") else ">" + line
                                 for line in lines),
            "paragraphs": _paragraphs(text)}


def _by_code(code: int, reason: str) -> ChannelError:
    """SMTP 4xx is worth another try later; 5xx is the server's final word."""
    if 500 <= code < 600:
        return ChannelRejected(reason)
    return ChannelError(reason)
