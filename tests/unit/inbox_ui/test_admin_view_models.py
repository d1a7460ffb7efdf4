"""The admin and canned pages' view models: what the forms are filled in with (the pages: tests/e2e)."""

from __future__ import annotations

from bson import ObjectId

from inbox_ui import view_models as views


def test_a_stored_mailbox_fills_its_form_and_says_a_password_is_set_without_showing_it() -> None:
    row = views.MailboxRow.of({
        "id": "m1", "address": "help@example.com", "department": "sales", "display_name": "Help", "editable": True,
        "smtp": {"host": "smtp.example.com", "port": 465, "security": "tls", "password_set": True},
        "imap": {"host": "imap.example.com", "port": 993, "ssl": False, "password_set": False},
    })
    assert (row.id, row.smtp_server, row.imap_server) == ("m1", "smtp.example.com:465", "imap.example.com:993")
    assert (row.form.smtp.security, row.form.smtp.password_set, row.form.smtp.username) == ("tls", True, "")
    assert (row.form.imap.enabled, row.form.imap.ssl, row.form.imap.folder, row.form.imap.password_set) == (
        True, False, "INBOX", False)


def test_a_configured_mailbox_without_imap_is_shown_but_offers_no_form() -> None:
    row = views.MailboxRow.of({"address": "ops@example.com", "department": "", "display_name": "", "editable": False,
                               "smtp": {"host": "mx", "port": 25}, "imap": None})
    assert (row.id, row.editable, row.smtp_server, row.imap_server) == (None, False, "mx:25", None)
    assert row.form == views.MailboxForm() and not row.form.imap.enabled and row.form.smtp.port == 587


def test_a_department_page_lists_every_priority_with_empty_targets_where_none_is_set() -> None:
    page = views.DepartmentPage.of({
        "id": "d1", "name": "Sales", "key": "sales", "strategy": "round_robin",
        "hours": {"timezone": "Asia/Tehran", "weekly": {"mon": ["09:00-12:00", "13:00-17:00"]},
                  "holidays": ["2026-03-21"]},
        "autoreply": {"in_hours": None, "out_of_hours": "closed"},
        "sla": {"high": {"first_response": 0, "resolution": None, "escalation": "notify_lead"}},
    }, ["mon", "tue"], ["normal", "high"])
    assert page.days == (("mon", "09:00-12:00, 13:00-17:00"), ("tue", ""))
    assert (page.timezone, page.holidays, page.autoreply.out_of_hours) == ("Asia/Tehran", "2026-03-21", "closed")
    targets = [(t.priority, t.first_response, t.resolution) for t in page.sla]
    assert targets == [("normal", None, None), ("high", 0, None)]


def test_a_department_always_open_has_no_time_zone_and_no_hours() -> None:
    page = views.DepartmentPage.of({"id": "d2", "name": "Ops", "key": "ops"}, ["mon"], ["normal"])
    assert (page.timezone, page.holidays, page.days, page.strategy) == ("", "", (("mon", ""),), None)


def test_a_canned_response_names_its_department_and_marks_one_that_is_gone() -> None:
    sales, gone = ObjectId(), ObjectId()
    shown = views.canned_responses([
        {"_id": ObjectId(), "shortcut": "hi", "title": "Hi", "body": "Hello", "department_id": sales},
        {"_id": ObjectId(), "shortcut": "old", "title": "Old", "body": "x", "department_id": gone},
        {"_id": ObjectId(), "shortcut": "all", "title": "All", "body": "y", "department_id": None},
    ], {sales: "Sales"})
    assert [c.department for c in shown] == ["Sales", "?", None]


def test_a_user_row_names_their_departments_and_keeps_the_id_of_one_that_is_gone() -> None:
    sales, gone = ObjectId(), ObjectId()
    row = views.UserRow.of({"id": ObjectId(), "name": "Ann", "email": "a@example.com", "role": "agent",
                            "department_ids": [str(sales), str(gone)], "capacity": 0, "languages": ["fa"],
                            "skills": [], "active": True}, {str(sales): "Sales"})
    assert (row.department_ids, row.departments) == ((str(sales), str(gone)), ("Sales", str(gone)))
    assert (row.capacity, row.languages, row.active) == (0, ("fa",), True)


def test_a_department_without_business_hours_lists_as_always_open() -> None:
    open_all_day = views.DepartmentRow.of({"id": "d1", "name": "Ops", "key": "ops"})
    with_hours = views.DepartmentRow.of({"id": "d2", "name": "Sales", "key": "sales", "strategy": "round_robin",
                                         "hours": {"timezone": "Asia/Tehran"}})
    assert (open_all_day.timezone, open_all_day.strategy) == (None, "balanced")
    assert (with_hours.timezone, with_hours.strategy) == ("Asia/Tehran", "round_robin")


def test_the_team_overview_names_only_departments_that_still_exist() -> None:
    sales, gone = ObjectId(), ObjectId()
    agent = views.TeamAgent.of({"id": ObjectId(), "name": None, "role": "agent", "status": "away", "connected": False,
                                "open_count": 5, "capacity": 5, "full": True, "department_ids": [gone, sales]},
                               {sales: {"_id": sales, "name": "Sales"}})
    assert (agent.name, agent.departments, agent.full, agent.status) == ("", ("Sales",), True, "away")


def test_an_account_without_a_chosen_language_follows_the_browser() -> None:
    assert views.Account.of({"name": "Ann", "email": "a@example.com", "role": "agent"}).language is None
    assert views.Account.of({"name": "Ann", "language": "fa"}).language == "fa"


def test_a_channel_status_row_is_named_by_the_catalogue_and_keeps_its_last_failure() -> None:
    row = views.ChannelStatus.of({"channel": "telegram", "configured": False, "last_received_at": None,
                                  "last_error": "bad token", "last_error_at": None, "readme_section": "Telegram",
                                  "hint": "set TELEGRAM_TOKEN"})
    assert (row.channel.name, row.channel.label, row.configured, row.last_error) == (
        "telegram", "Telegram", False, "bad token")
