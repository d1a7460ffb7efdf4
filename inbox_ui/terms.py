"""Words the templates translate from data (`_(c.status)`, `_(p.role)`...): marked here so that
`pybabel extract` puts them in the catalogues, since the templates never spell them out."""

from __future__ import annotations


def N_(text: str) -> str:  # the gettext name for "mark for extraction, translate later"
    return text


VOCABULARY = (
    # roles
    N_("admin"), N_("lead"), N_("agent"),
    # conversation statuses and the list filter's "any"
    N_("open"), N_("pending"), N_("snoozed"), N_("resolved"), N_("any"),
    # priorities
    N_("low"), N_("normal"), N_("high"), N_("urgent"),
    # routing strategies and escalations
    N_("balanced"), N_("round_robin"), N_("manual"),
    N_("notify_lead"), N_("raise_priority"), N_("reassign"),
    # routing rule outcomes
    N_("matched"), N_("no_match"), N_("error"),
    # message delivery statuses
    N_("queued"), N_("sent"), N_("delivered"), N_("read"), N_("failed"), N_("undelivered"),
    # custom field types
    N_("text"), N_("number"), N_("date"), N_("choice"),
    # week days (office hours)
    N_("mon"), N_("tue"), N_("wed"), N_("thu"), N_("fri"), N_("sat"), N_("sun"),
    # inbox views
    N_("Mine"), N_("Unassigned"), N_("All"), N_("Mentions"),
    # identity kinds a contact merge can differ in
    N_("phone"), N_("email"), N_("telegram"), N_("webchat"), N_("name"), N_("open_conversations"),
    # channel names
    N_("Web chat"), N_("SMS"), N_("WhatsApp"), N_("Telegram"), N_("Email"),
    # notification kinds (hub/live/notify.py KINDS): as the bell names one, and its alert toggle
    N_("Mention"), N_("Mentions in notes"), N_("Assigned to you"), N_("Conversations assigned to me"),
    N_("Transfer"), N_("Transfers to my department"), N_("SLA warning"), N_("SLA warnings"),
    N_("SLA breach"), N_("SLA breaches"), N_("Routing"), N_("Routing rule notices"),
    N_("Low rating"), N_("Low satisfaction ratings"),
)
