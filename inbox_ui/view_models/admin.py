"""The admin pages' views: users, departments (the list and one department's routing settings), mailboxes,
custom contact fields and channel status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from inbox_ui.view_models._parts import ChannelView, Fields, items, mapping, text_or_none


@dataclass(frozen=True)
class DepartmentOption:
    """A department offered in a select."""

    id: ObjectId
    name: str


def department_options(docs: Iterable[Fields]) -> list[DepartmentOption]:
    return [DepartmentOption(d["_id"], str(d.get("name") or "")) for d in docs]


@dataclass(frozen=True)
class OutgoingForm:
    """A mailbox's SMTP settings as the form fills them in; the defaults are a new mailbox's."""

    host: str = ""
    port: object = 587  # as stored
    security: str = "starttls"
    username: str = ""
    password_set: bool = False


@dataclass(frozen=True)
class IncomingForm:
    enabled: bool = False  # the mailbox is polled over IMAP
    host: str = ""
    port: object = 993
    ssl: bool = True
    username: str = ""
    password_set: bool = False
    folder: str = "INBOX"


@dataclass(frozen=True)
class MailboxForm:
    address: str = ""
    department: str = ""
    display_name: str = ""
    from_name_style: str = "agent"  # channels.email.settings.FROM_NAME_STYLES
    smtp: OutgoingForm = OutgoingForm()
    imap: IncomingForm = IncomingForm()


def _outgoing(smtp: Fields) -> OutgoingForm:
    return OutgoingForm(host=str(smtp.get("host") or ""), port=smtp.get("port") or 587,
                        security=str(smtp.get("security") or "starttls"), username=str(smtp.get("username") or ""),
                        password_set=bool(smtp.get("password_set")))


def _incoming(imap: Fields) -> IncomingForm:
    return IncomingForm(enabled=bool(imap), host=str(imap.get("host") or ""), port=imap.get("port") or 993,
                        ssl=bool(imap.get("ssl", True)), username=str(imap.get("username") or ""),
                        password_set=bool(imap.get("password_set")), folder=str(imap.get("folder") or "INBOX"))


def _server(section: object) -> str | None:
    """host:port for the table; None when the mailbox has no such server."""
    if not section:
        return None
    shown = mapping(section)
    return f"{shown.get('host') or ''}:{shown.get('port') or ''}"


@dataclass(frozen=True)
class MailboxRow:
    id: str | None  # None for one HUB_MAILBOXES configures
    address: str
    department: str
    display_name: str
    from_name_style: str
    smtp_server: str | None
    imap_server: str | None
    editable: bool
    form: MailboxForm  # filled in only for an editable one

    @staticmethod
    def of(row: Fields) -> MailboxRow:
        """From hub.actions.mailboxes.mailbox_rows (the API shows the same rows as JSON)."""
        editable = bool(row.get("editable"))
        smtp, imap = mapping(row.get("smtp")), mapping(row.get("imap"))
        address, department = str(row.get("address") or ""), str(row.get("department") or "")
        display_name = str(row.get("display_name") or "")
        style = str(row.get("from_name_style") or "agent")
        return MailboxRow(
            id=str(row["id"]) if editable else None, address=address, department=department,
            display_name=display_name, from_name_style=style, smtp_server=_server(row.get("smtp")),
            imap_server=_server(row.get("imap")),
            editable=editable,
            form=MailboxForm(address, department, display_name, style, _outgoing(smtp), _incoming(imap)) if editable
            else MailboxForm(),
        )


def mailbox_rows(rows: Iterable[Fields]) -> list[MailboxRow]:
    return [MailboxRow.of(r) for r in rows]


@dataclass(frozen=True)
class Autoreplies:
    in_hours: str | None
    out_of_hours: str | None


@dataclass(frozen=True)
class SlaTarget:
    priority: str
    first_response: object  # seconds as stored; None when unset
    resolution: object
    escalation: object


@dataclass(frozen=True)
class DepartmentPage:
    id: str
    name: str
    key: str
    strategy: object
    timezone: str
    days: tuple[tuple[str, str], ...]  # each weekday with its spans, comma separated
    holidays: str
    autoreply: Autoreplies
    sla: tuple[SlaTarget, ...]  # one per priority, in the given order
    csat_enabled: bool = False
    csat_delay_seconds: object = None

    @staticmethod
    def of(department: Fields, days: Sequence[str], priorities: Sequence[str]) -> DepartmentPage:
        """From hub.assign.admin.present_department (the API shows the same data as JSON)."""
        hours = mapping(department.get("hours"))
        weekly = mapping(hours.get("weekly"))
        autoreply = mapping(department.get("autoreply"))
        sla = mapping(department.get("sla"))
        return DepartmentPage(
            id=str(department["id"]), name=str(department.get("name") or ""), key=str(department.get("key") or ""),
            strategy=department.get("strategy"), timezone=str(hours.get("timezone", "")),
            days=tuple((day, ", ".join(items(weekly.get(day)))) for day in days),
            holidays=", ".join(items(hours.get("holidays"))),
            autoreply=Autoreplies(autoreply.get("in_hours"), autoreply.get("out_of_hours")),
            sla=tuple(_sla_target(p, mapping(sla.get(p))) for p in priorities),
            csat_enabled=mapping(department.get("csat")).get("enabled") is True,
            csat_delay_seconds=mapping(department.get("csat")).get("delay_seconds"),
        )


def _sla_target(priority: str, target: Fields) -> SlaTarget:
    return SlaTarget(priority, target.get("first_response"), target.get("resolution"), target.get("escalation"))


@dataclass(frozen=True)
class DepartmentRow:
    id: str
    name: str
    key: str
    strategy: str
    timezone: str | None  # None: always open (no business hours)

    @staticmethod
    def of(department: Fields) -> DepartmentRow:
        """From hub.assign.admin.present_department."""
        hours = department.get("hours")
        return DepartmentRow(id=str(department["id"]), name=str(department.get("name") or ""),
                             key=str(department.get("key") or ""),
                             strategy=str(department.get("strategy", "balanced")),
                             timezone=str(mapping(hours).get("timezone")) if hours else None)


@dataclass(frozen=True)
class UserRow:
    id: ObjectId
    name: str
    email: str
    role: str
    department_ids: tuple[str, ...]
    departments: tuple[str, ...]  # their names, in the same order (the id for one that is gone)
    capacity: int | None  # None: the default
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    active: bool

    @staticmethod
    def of(user: Fields, department_names: Mapping[str, str]) -> UserRow:
        """From hub.actions.admin.present_user (the API shows the same data as JSON)."""
        ids = tuple(str(d) for d in items(user.get("department_ids")))
        return UserRow(
            id=user["id"], name=str(user.get("name") or ""), email=str(user.get("email") or ""),
            role=str(user.get("role") or ""), department_ids=ids,
            departments=tuple(department_names.get(d, d) for d in ids), capacity=user.get("capacity"),
            languages=tuple(str(x) for x in items(user.get("languages"))),
            skills=tuple(str(x) for x in items(user.get("skills"))), active=bool(user.get("active")),
        )


@dataclass(frozen=True)
class FieldRow:
    """A custom contact field (hub/store/custom_fields.py) as the admin page lists it."""

    key: str
    label: str
    type: str
    choices: tuple[str, ...]

    @staticmethod
    def of(field: Fields) -> FieldRow:
        return FieldRow(str(field["key"]), str(field.get("label") or ""), str(field.get("type") or ""),
                        tuple(str(c) for c in items(field.get("choices"))))


@dataclass(frozen=True)
class ChannelStatus:
    """A channel on the status page: whether it is set up, its last message in and its last failure."""

    channel: ChannelView
    configured: bool
    last_received_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    readme_section: str
    hint: str  # how to connect it, translated by the page

    @staticmethod
    def of(row: Fields) -> ChannelStatus:
        """From hub.actions.admin.channel_rows."""
        name = str(row["channel"])
        return ChannelStatus(
            channel=ChannelView.of(name) or ChannelView(name, name, ""), configured=bool(row.get("configured")),
            last_received_at=row.get("last_received_at"), last_error=text_or_none(row.get("last_error")),
            last_error_at=row.get("last_error_at"), readme_section=str(row.get("readme_section") or ""),
            hint=str(row.get("hint") or ""),
        )
