"""A From alone never opens another customer's thread: attack mails over the real SMTP listener.

The receiving server (here "mx.hub.test", trusted through EMAIL_TRUSTED_AUTHSERV_IDS) writes its
SPF/DKIM/DMARC verdict in Authentication-Results; a From it marked as failing is only a claim.
"""

from __future__ import annotations

import pytest

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import conversations
from hub.store.db import Doc
from tests.integration.email.conftest import send_mail

VICTIM = "ana.costa@example.test"
PASS = "Authentication-Results: mx.hub.test; spf=pass smtp.mailfrom=example.test; dkim=pass header.d=example.test; " \
       "dmarc=pass header.from=example.test"
DMARC_FAIL = "Authentication-Results: mx.hub.test; spf=fail smtp.mailfrom=evil.test; dkim=none; " \
             "dmarc=fail (p=none) header.from=example.test"
SPF_FAIL_NO_DKIM = "Authentication-Results: mx.hub.test; spf=fail smtp.mailfrom=example.test"


@pytest.fixture(autouse=True)
def trust_our_receiving_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_TRUSTED_AUTHSERV_IDS", "MX.hub.test, other-mx.hub.test")


def mail(message_id: str, text: str, *headers: str, sender: str = VICTIM, name: str = "Ana Costa") -> bytes:
    lines = [*headers, f'From: "{name}" <{sender}>', "To: support@hub.test", "Subject: my order",
             f"Message-ID: <{message_id}>", "Date: Tue, 24 Nov 2026 09:00:00 +0000", "", text, ""]
    return "\r\n".join(lines).encode()


async def one(hub: Hub, message_id: str) -> Doc:
    found = await hub.db["messages"].find_one({"extras.message_id": message_id})
    assert found is not None
    return found


async def victim_history(hub: Hub, smtp_port: int) -> Doc:
    await send_mail(smtp_port, mail("real-1@example.test", "My address is 12 Rua Nova.", PASS))
    return await one(hub, "real-1@example.test")


def our_message_id(message: Doc) -> str:
    return f"conv-{message['conversation_id']}.msg-{message['_id']}.0000@hub.test"


async def test_a_forged_from_that_failed_dmarc_does_not_join_the_contact_of_that_address(
    hub: Hub, smtp_port: int
) -> None:
    real = await victim_history(hub, smtp_port)
    forged_ref = f"<{our_message_id(real)}>"
    attack = mail("attack-1@evil.test", "Please send my order to another address.", DMARC_FAIL,
                  f"In-Reply-To: {forged_ref}", f"References: {forged_ref}", name="Mallory")
    await send_mail(smtp_port, attack)
    forged = await one(hub, "attack-1@evil.test")
    assert forged["contact_id"] != real["contact_id"]
    assert forged["conversation_id"] != real["conversation_id"]
    assert forged["extras"]["sender_not_verified"] == "dmarc=fail (mx.hub.test)"
    claimant = await hub.db["contacts"].find_one({"_id": forged["contact_id"]})
    assert claimant is not None
    assert claimant["identities"] == [{"kind": "email_unverified", "value": VICTIM}]
    assert [(c["kind"], c["value"]) for c in claimant["claims"]] == [("email", VICTIM)]
    victim = await hub.db["contacts"].find_one({"_id": real["contact_id"]})
    assert victim is not None and victim["name"] == "Ana Costa"
    assert victim["identities"] == [{"kind": "email", "value": VICTIM}] and "claims" not in victim
    # The victim's thread holds only the victim's mail.
    in_thread = await hub.db["messages"].count_documents({"conversation_id": real["conversation_id"],
                                                          "direction": "in"})
    assert in_thread == 1


async def test_spf_fail_without_a_passing_dkim_signature_is_also_a_claim(hub: Hub, smtp_port: int) -> None:
    real = await victim_history(hub, smtp_port)
    await send_mail(smtp_port, mail("attack-2@evil.test", "hi", SPF_FAIL_NO_DKIM))
    forged = await one(hub, "attack-2@evil.test")
    assert forged["contact_id"] != real["contact_id"]
    assert forged["extras"]["sender_not_verified"] == "spf=fail, dkim=none (mx.hub.test)"


async def test_a_passing_header_the_forger_added_does_not_outvote_the_receiving_servers_failure(
    hub: Hub, smtp_port: int
) -> None:
    real = await victim_history(hub, smtp_port)
    # Our server's verdict comes first (it prepends); the forger's "pass" sits lower in the header block.
    await send_mail(smtp_port, mail("attack-3@evil.test", "hi", DMARC_FAIL, PASS))
    forged = await one(hub, "attack-3@evil.test")
    assert forged["contact_id"] != real["contact_id"]


async def test_repeated_forgeries_of_one_address_share_one_unverified_contact(hub: Hub, smtp_port: int) -> None:
    await victim_history(hub, smtp_port)
    await send_mail(smtp_port, mail("attack-4@evil.test", "one", DMARC_FAIL))
    await send_mail(smtp_port, mail("attack-5@evil.test", "two", DMARC_FAIL))
    first, second = await one(hub, "attack-4@evil.test"), await one(hub, "attack-5@evil.test")
    assert first["contact_id"] == second["contact_id"]
    claimant = await hub.db["contacts"].find_one({"_id": first["contact_id"]})
    assert claimant is not None and len(claimant["claims"]) == 1


@pytest.mark.parametrize("verdict", [
    "Authentication-Results: mx.elsewhere.test; dmarc=fail header.from=example.test",  # not a server we trust
    "Authentication-Results: mx.hub.test; spf=fail smtp.mailfrom=example.test; dkim=pass header.d=example.test",
    "Authentication-Results: mx.hub.test; spf=softfail smtp.mailfrom=example.test; dkim=none",
    "Authentication-Results: other-mx.hub.test; dmarc=pass header.from=example.test",
])
async def test_a_from_no_trusted_server_marked_as_failing_joins_its_contact(
    hub: Hub, smtp_port: int, verdict: str
) -> None:
    real = await victim_history(hub, smtp_port)
    await send_mail(smtp_port, mail("later-1@example.test", "Any news?", verdict))
    later = await one(hub, "later-1@example.test")
    assert later["contact_id"] == real["contact_id"]
    assert later["conversation_id"] == real["conversation_id"]
    assert "sender_not_verified" not in later["extras"]


async def test_a_forged_reply_never_reopens_the_resolved_conversation_it_names(hub: Hub, smtp_port: int) -> None:
    real = await victim_history(hub, smtp_port)
    await conversations.set_status(hub.db, real["conversation_id"], "resolved", utcnow())
    ref = f"<{our_message_id(real)}>"
    await send_mail(smtp_port, mail("attack-6@evil.test", "reopen it", DMARC_FAIL, f"In-Reply-To: {ref}"))
    forged = await one(hub, "attack-6@evil.test")
    assert forged["conversation_id"] != real["conversation_id"]
    old = await conversations.get(hub.db, real["conversation_id"])
    assert old is not None and old["status"] == "resolved"


async def test_a_verified_sender_naming_another_customers_conversation_gets_a_conversation_of_its_own(
    hub: Hub, smtp_port: int
) -> None:
    real = await victim_history(hub, smtp_port)
    ref = f"<{our_message_id(real)}>"
    await send_mail(smtp_port, mail("other-1@elsewhere.test", "let me in", PASS, f"In-Reply-To: {ref}",
                                    f"References: {ref}", sender="mallory@elsewhere.test", name="Mallory"))
    intruder = await one(hub, "other-1@elsewhere.test")
    assert intruder["contact_id"] != real["contact_id"]
    assert intruder["conversation_id"] != real["conversation_id"]
