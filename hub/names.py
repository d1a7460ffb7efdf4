"""Names and orderings shared by the store, the API and the UI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # hub/store/db.py defines it once; it imports this module, so only for the checker
    from hub.store.db import Doc

# Message directions: what the customer sent, what we sent, private notes, and timeline events.
IN: Final = "in"
OUT: Final = "out"
NOTE: Final = "note"
EVENT: Final = "event"

# Outbound status moves forward only; failed ends it.
STATUS_RANK: Final[dict[str, int]] = {
    "queued": 0,
    "sent": 1,
    "delivered": 2,
    "read": 3,
    "failed": 4,
    "undelivered": 4,
}

CONVERSATION_STATUSES: Final = ("open", "pending", "snoozed", "resolved")
ROLES: Final = ("admin", "lead", "agent")

# Collections, in one place so the store modules agree.
CONTACTS: Final = "contacts"
CONVERSATIONS: Final = "conversations"
MESSAGES: Final = "messages"
RAW_INBOUND: Final = "raw_inbound"
USERS: Final = "users"
DEPARTMENTS: Final = "departments"
SESSIONS: Final = "sessions"
API_TOKENS: Final = "api_tokens"
READ_MARKS: Final = "read_marks"  # what each agent has seen of each conversation (hub/store/read_marks.py)


def agent_author(user: Doc) -> Doc:
    """How an agent is named on what they write or do in a timeline."""
    return {"type": "agent", "id": user["_id"], "name": user.get("name")}


def preview(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# Routing (issue 3): rule-set versions, live agent connections, per-process leases, lead notifications.
ROUTING_RULES: Final = "routing_rules"
PRESENCE: Final = "presence"
LEASES: Final = "leases"
NOTIFICATIONS: Final = "notifications"

# Trust (issue 10): failed-attempt counters for sign-in and visitor verification codes.
THROTTLES: Final = "throttles"
VERIFICATIONS: Final = "webchat_verifications"
CONTACT_MERGES: Final = "contact_merges"

# The agent workspace: mailboxes added in the admin UI, canned responses, who is viewing a conversation.
MAILBOXES: Final = "mailboxes"
CANNED: Final = "canned_responses"
VIEWERS: Final = "conversation_viewers"
# Viewer records are kept a while after expiry so a late reader still sees "left" rather than nothing.
VIEWERS_TTL_SECONDS: Final = 300

# Customer satisfaction (issue 14): one rating per conversation (hub/store/csat.py).
CSAT_RESPONSES: Final = "csat_responses"
# Reports (issue 14): durations computed once when they happen (hub/store/reports.py).
REPORT_EVENTS: Final = "report_events"
# Agents' presence over time (issue 14: time online): one document per change (hub/store/presence_log.py).
PRESENCE_LOG: Final = "presence_log"
# Report rollups kept on write (hub/store/report_rollups.py): per kind, quarter hour and dimensions.
REPORT_ROLLUPS: Final = "report_rollups"

# Sharding (issue 15): uniqueness keyed by the unique value itself (hub/store/message_keys.py, identities.py).
MESSAGE_KEYS: Final = "message_keys"
IDENTITIES: Final = "identities"
