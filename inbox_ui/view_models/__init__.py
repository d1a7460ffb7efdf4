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
                                               ConversationHeader,
                                               EarlierConversation,
                                               Person,
                                               ReplyChannel,
                                               claim_view,
                                               earlier,
                                               first_unread,
                                               person,
)
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
    "NOTE_ICON", "Account", "AttachmentView", "Autoreplies", "CandidateLine", "CannedResponse", "ChannelStatus",
    "ChannelView", "ClaimView", "ContactPage", "ContactRow", "ConversationHeader", "ConversationRow",
    "DepartmentOption", "DepartmentPage", "DepartmentRow", "Duplicate", "EarlierConversation", "EditView",
    "FieldInput", "FieldRow", "IdentityView", "IncomingForm", "MailboxForm", "MailboxRow", "MergeLine",
    "MessageView", "OutgoingForm", "Person", "ReplyChannel", "RoutingWhy", "RuleLine", "SkippedLine", "SlaTarget",
    "TeamAgent", "UserRow", "ViewTab", "canned_responses", "channel_options", "claim_view", "contact_rows",
    "conversation_rows", "department_options", "earlier", "first_unread", "identities", "mailbox_rows", "person",
    "team_agents",
    "timeline", "view_tabs",
]
