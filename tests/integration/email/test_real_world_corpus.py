"""Real-world mail over the hub's own SMTP listener: every mail is accepted and becomes exactly one
message, readable where it can be decoded, with no lone surrogate anywhere in what was stored."""

from __future__ import annotations

import re
from typing import Any

import aiosmtplib
import pytest
from bson import ObjectId

from channels.email import inbound as email_inbound
from channels.email.mime import ParsedMail, parse
from hub.runtime import Hub
from hub.store import files
from hub.store.db import Doc
from tests.integration.email.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"
MAILS = sorted(p.name for p in CORPUS.glob("*.eml"))
ENVELOPE = "envelope.sender@example.test"
SURROGATE = re.compile("[\ud800-\udfff]")

# name -> (sender identity, contact name, subject, a piece of the text) where the mail can be read.
READABLE: dict[str, tuple[str, str | None, str, str]] = {
    "gbk_raw_8bit_from_display_name.eml": ("zhang.wei@example.cn", "张伟", "订单查询", "我的订单还没有到"),
    "shift_jis_inside_iso2022jp_encoded_word.eml": ("yamada@example.jp", "山田太郎", "注文について", "まだ届きません"),
    "gb2312_label_on_gbk_text.eml": ("wang.zhe@example.cn", "王喆", "关于镕的订单", "朋友叫堃，订单号囍123"),
    "iso2022jp_with_nec_special_characters.eml": ("info@example.co.jp", "株式会社テスト", "①の件（㈱テスト）",
                                                  "①注文番号Ⅱ－３の件、㈱テストです。"),
    "iso2022jp_body_with_no_charset_label.eml": ("sato@example.jp", "Sato", "no label", "返品したいです。"),
    "iso2022jp_raw_escapes_in_subject.eml": ("suzuki@example.jp", "Suzuki", "請求書", "請求書を送ってください。"),
    "first_line_is_an_mbox_from_line.eml": ("old.client@example.test", "Old Client", "exported from mbox",
                                            "mbox separator"),
    "first_line_is_a_gateway_banner.eml": ("fax.user@example.test", "Fax Gateway User", "from the gateway",
                                           "not a header"),
    "first_line_is_blank.eml": ("blank.line@example.test", "Blank Line", "after a blank line", "blank line came"),
    "from_with_space_in_local_part.eml": ('"john smith"@example.test', "John Smith", "space", "has a space"),
    "from_with_quoted_local_part.eml": ('"mary jones"@example.test', None, "quoted", "is quoted"),
    "from_quoted_name_with_stray_gt.eml": ("ana.silva@example.test", "Ana >> Silva", "stray", "stray brackets"),
    "from_with_stray_gt_after_the_address.eml": ("bruno.costa@example.test", "Bruno Costa", "stray after",
                                                 "one bracket too many"),
    "from_with_dotless_domain.eml": ("root@localhost", None, "cron output", "internal host"),
    "no_from_but_reply_to.eml": ("reply.only@example.test", "Reply Only", "no from, reply-to", "forgot the From"),
    "no_from_but_return_path.eml": ("bounce.path@example.test", None, "no from, return-path", "Return-Path names"),
    "no_from_at_all.eml": (ENVELOPE, None, "no sender header", "Only the envelope"),
    "raw_utf8_headers_and_utf8_address.eml": ("用户@例子.中国", "王小明", "你好，世界", "全是 UTF-8。"),
    "multibyte_character_split_across_encoded_words.eml": ("split@example.test", "Ünïcødé Näme", "分割された件名",
                                                           "split in the middle"),
    "korean_ks_c_5601_outlook.eml": ("kim@example.kr", "김철수", "배송 문의", "배송이 늦어요."),
    "big5_traditional_chinese.eml": ("chan@example.hk", "陳大文", "退貨申請", "我想退貨。"),
    "utf7_encoded_subject.eml": ("old.webmail@example.test", "Old Webmail", "Café", "UTF-7"),
    "latin1_label_on_utf8_text.eml": ("jose@example.test", "José", "olá", "Não recebi o pedido."),
    "spam_with_mixed_and_lying_charsets.eml": ("promo@spam.test", None, "", "Вы выиграли"),
}


def strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string (keys too) in a stored document, with where it sits."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [(f"{path}.{k}", str(k)), *strings(v, f"{path}.{k}")]]
    if isinstance(value, list | tuple):
        return [s for i, v in enumerate(value) for s in strings(v, f"{path}[{i}]")]
    return []


def crlf(data: bytes) -> bytes:
    """SMTP carries lines ending in CRLF, whatever the file had."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").rstrip(b"\r\n")


async def stored_inbound(hub: Hub) -> list[Doc]:
    return await hub.db["messages"].find({"direction": "in"}).sort("created_at", 1).to_list(100)


async def deliver(port: int, data: bytes, sender: str = ENVELOPE) -> str:
    """The listener's final answer to DATA (aiosmtplib raises on anything but 2xx); "" is MAIL FROM:<>."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, use_tls=False) as client:
        _, answer = await client.sendmail(sender, ["support@hub.test"], data)
    return answer


async def assert_no_surrogates(hub: Hub) -> None:
    for collection in ("messages", "contacts", "conversations", "raw_inbound"):
        for doc in await hub.db[collection].find({}).to_list(None):
            bad = [(where, text) for where, text in strings(doc) if SURROGATE.search(text)]
            assert not bad, f"{collection}: {bad[:3]}"


def test_the_corpus_holds_every_case_the_generator_writes() -> None:
    from tests.fixtures.email.corpus.make_corpus import corpus

    written = corpus()
    assert sorted(written) == MAILS and 20 <= len(MAILS) <= 40
    assert all((CORPUS / name).read_bytes() == data for name, data in written.items())


@pytest.mark.parametrize("name", MAILS)
async def test_every_real_world_mail_is_accepted_and_stored_once_without_surrogates(
    hub: Hub, smtp_port: int, name: str
) -> None:
    data = (CORPUS / name).read_bytes()
    envelope = "" if name == "no_sender_anywhere.eml" else ENVELOPE
    assert "Accepted" in await deliver(smtp_port, data, envelope)
    assert "Accepted" in await deliver(smtp_port, data, envelope)  # the sending server retries: still one
    [message] = await stored_inbound(hub)
    await assert_no_surrogates(hub)
    original = await files.get(hub.db, ObjectId(message["extras"]["original_file_id"]))
    assert original is not None and crlf(original[0]) == crlf(data)
    contact = await hub.db["contacts"].find_one({"_id": message["contact_id"]})
    assert contact is not None
    if name in READABLE:
        sender, contact_name, subject, text = READABLE[name]
        assert {"kind": "email", "value": sender} in contact["identities"]
        if contact_name is not None:
            assert contact["name"] == contact_name
        if subject:
            assert message["subject"] == subject
        assert text in message["text"]


async def test_raw_gbk_in_the_from_name_no_longer_keeps_the_sender_retrying(hub: Hub, smtp_port: int) -> None:
    # This mail used to crash the contact insert (surrogates not allowed) and answer 451 for days.
    answer = await deliver(smtp_port, (CORPUS / "gbk_raw_8bit_from_display_name.eml").read_bytes())
    assert answer.startswith("2.0.0 Accepted (stored)")


async def test_a_mail_with_no_sender_anywhere_gets_a_contact_of_its_own(hub: Hub, smtp_port: int) -> None:
    data = (CORPUS / "no_sender_anywhere.eml").read_bytes()
    await deliver(smtp_port, data, sender="")
    await deliver(smtp_port, data.replace(b"nobody", b"nobody else"), sender="")
    first, second = await stored_inbound(hub)
    assert first["contact_id"] != second["contact_id"]
    contact = await hub.db["contacts"].find_one({"_id": first["contact_id"]})
    assert contact is not None and [i["kind"] for i in contact["identities"]] == ["email_unknown"]


@pytest.mark.parametrize(("name", "source"), [("no_from_but_reply_to.eml", "reply-to"),
                                              ("no_from_but_return_path.eml", "return-path"),
                                              ("no_from_at_all.eml", "envelope")])
async def test_without_a_from_the_sender_comes_from_reply_to_then_return_path_then_the_envelope(
    hub: Hub, smtp_port: int, name: str, source: str
) -> None:
    await deliver(smtp_port, (CORPUS / name).read_bytes())
    [message] = await stored_inbound(hub)
    assert message["extras"]["sender_from"] == source


@pytest.mark.parametrize("name", ["dsn_about_a_message_we_never_sent.eml", "dsn_without_the_original_headers.eml"])
async def test_a_delivery_report_about_a_mail_we_never_sent_is_stored_flagged_as_a_bounce(
    hub: Hub, smtp_port: int, name: str
) -> None:
    await deliver(smtp_port, (CORPUS / name).read_bytes(), sender="")
    [message] = await stored_inbound(hub)
    bounce = message["extras"]["bounce"]
    assert bounce["action"] == "failed"
    assert message["extras"]["auto_submitted"] is True  # no automatic reply answers a mail robot
    if name == "dsn_about_a_message_we_never_sent.eml":
        assert bounce["original_message_ids"] == ["never-sent-by-the-hub@spammer.test"]
        assert "User unknown" in bounce["reason"]


async def test_a_mail_the_parser_cannot_read_is_kept_whole_and_acknowledged(
    hub: Hub, smtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(raw: bytes, envelope_sender: str = "") -> ParsedMail:
        raise RecursionError("maximum recursion depth exceeded")  # a parser corner nobody foresaw

    monkeypatch.setattr(email_inbound, "parse", broken)
    data = (CORPUS / "big5_traditional_chinese.eml").read_bytes()
    assert "Accepted (unreadable)" in await deliver(smtp_port, data)
    assert "Accepted (duplicate)" in await deliver(smtp_port, data)
    [message] = await stored_inbound(hub)
    assert "could not be read" in message["text"]
    assert message["extras"]["unreadable"].startswith("RecursionError")
    [attachment] = message["attachments"]
    kept = await files.get(hub.db, ObjectId(attachment["file_id"]))
    assert kept is not None and crlf(kept[0]) == crlf(data) and attachment["filename"] == "original.eml"
    contact = await hub.db["contacts"].find_one({"_id": message["contact_id"]})
    assert contact is not None
    # The envelope sender is only a claim: an unreadable mail joins nobody's history.
    assert contact["identities"] == [{"kind": "email_unverified", "value": ENVELOPE}]
    assert [(c["kind"], c["value"]) for c in contact["claims"]] == [("email", ENVELOPE)]


async def test_a_surrogate_that_slips_past_the_parser_is_stored_as_a_replacement_character(
    hub: Hub, smtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def leaky(raw: bytes, envelope_sender: str = "") -> ParsedMail:
        mail = parse(raw, envelope_sender)
        mail.sender_name, mail.subject = "Zh\udcd5ang", "Order \udcff"
        mail.text += " \ud800"
        return mail

    monkeypatch.setattr(email_inbound, "parse", leaky)
    await deliver(smtp_port, (CORPUS / "from_with_dotless_domain.eml").read_bytes())
    [message] = await stored_inbound(hub)
    assert message["subject"] == "Order \ufffd" and message["text"].endswith("\ufffd")
    contact = await hub.db["contacts"].find_one({"_id": message["contact_id"]})
    assert contact is not None and contact["name"] == "Zh\ufffdang"
