"""What the inbox screens show, built from stored documents: the templates read these, never documents.

Each view carries exactly what its template prints (names resolved, channel labels and icons looked
up in the channel catalogue, routing explanations flattened), so a template holds no `.get` chains
and a change to a document's shape shows up here, under mypy, rather than as a blank in a page.
Translation stays in the templates (`_`): a view holds data, and None where the page prints a
translated fallback ("unassigned", "Unnamed", "Private note").
"""

from __future__ import annotations

from inbox_ui.view_models._parts import NOTE_ICON, ChannelView, IdentityView, channel_options, identities
from inbox_ui.view_models.admin import (
                                               Autoreplies,
                                               ChannelStatus,
                                               DepartmentOption,
                                               DepartmentPage,
                                               DepartmentRow,
                                               FieldRow,
                                               IncomingForm,
                                               MailboxForm,
                                               MailboxRow,
                                               OutgoingForm,
                                               SlaTarget,
                                               UserRow,
                                               department_options,
                                               mailbox_rows,
)
from inbox_ui.view_models.canned import CannedResponse, canned_responses
from inbox_ui.view_models.contact import ContactPage, Duplicate, FieldInput, MergeLine
from inbox_ui.view_models.conversation import (
                                               ClaimView,
                                               ContactCard,
                                               ContactName,
                                               ConversationHeader,
                                               EarlierConversation,
                                               IdentityLine,
                                               MoveOptions,
                                               Option,
                                               Person,
                                               ReplyChannel,
                                               claim_view,
                                               contact_name,
                                               earlier,
                                               first_unread,
                                               person,
)
from inbox_ui.view_models.event_lines import Line, Names, Phrase, assignee_ids, event_line, routing_line
from inbox_ui.view_models.lists import ContactRow, ConversationRow, ViewTab, contact_rows, conversation_rows, view_tabs
from inbox_ui.view_models.team import Account, TeamAgent, team_agents
from inbox_ui.view_models.timeline import (
                                               AttachmentView,
                                               CandidateLine,
                                               EditView,
                                               MessageView,
                                               RoutingWhy,
                                               RuleLine,
                                               SkippedLine,
                                               timeline,
)

__all__ = [
                                               "NOTE_ICON",
                                               "Account",
                                               "AttachmentView",
                                               "Autoreplies",
                                               "CandidateLine",
                                               "CannedResponse",
                                               "ChannelStatus",
                                               "ChannelView",
                                               "ClaimView",
                                               "ContactCard",
                                               "ContactName",
                                               "ContactPage",
                                               "ContactRow",
                                               "ConversationHeader",
                                               "ConversationRow",
                                               "DepartmentOption",
                                               "DepartmentPage",
                                               "DepartmentRow",
                                               "Duplicate",
                                               "EarlierConversation",
                                               "EditView",
                                               "FieldInput",
                                               "FieldRow",
                                               "IdentityLine",
                                               "IdentityView",
                                               "IncomingForm",
                                               "Line",
                                               "MailboxForm",
                                               "MailboxRow",
                                               "MergeLine",
                                               "MessageView",
                                               "MoveOptions",
                                               "Names",
                                               "Option",
                                               "OutgoingForm",
                                               "Person",
                                               "Phrase",
                                               "ReplyChannel",
                                               "RoutingWhy",
                                               "RuleLine",
                                               "SkippedLine",
                                               "SlaTarget",
                                               "TeamAgent",
                                               "UserRow",
                                               "ViewTab",
                                               "assignee_ids",
                                               "canned_responses",
                                               "channel_options",
                                               "claim_view",
                                               "contact_name",
                                               "contact_rows",
                                               "conversation_rows",
                                               "department_options",
                                               "earlier",
                                               "event_line",
                                               "first_unread",
                                               "identities",
                                               "mailbox_rows",
                                               "person",
                                               "routing_line",
                                               "team_agents",
                                               "timeline",
                                               "view_tabs",
]
