"""The pure parts of an email reply: addresses an agent types, the signature they keep, the From name a
mailbox gives, and the quoted tail of a received mail in the scripts our customers write in."""

from __future__ import annotations

import pytest

from channels.email.html import fold_quote, quoted_tail
from channels.email.settings import Mailbox
from hub.errors import BadInput
from hub.outbound.email_reply import check_signature, copies, default_cc, parse_addresses

QUOTED_REPLIES = {
    "english_attribution": ("Thanks, it came!", "On Tue, 1 Dec 2026 at 10:00, Support <support@hub.test> wrote:\n"
                                                "> Your order ships today."),
    "outlook_original_message": ("Thanks!", "-----Original Message-----\nFrom: Support\nSent: Tuesday\n\nShipped."),
    "outlook_header_block": ("Thanks!", "From: Support <support@hub.test>\nSent: Tuesday, December 1, 2026 10:00\n"
                                        "To: Bob\nSubject: RE: order\n\nShipped."),
    "persian_attribution": ("ممنون، رسید.", "در تاریخ ۱ دسامبر ۲۰۲۶، پشتیبانی نوشت:\n> ارسال شد"),
    "persian_outlook": ("ممنون، رسید.", "از: پشتیبانی <support@hub.test>\nارسال شده: سه‌شنبه ۱ دسامبر ۲۰۲۶\n"
                                         "به: مینا\nموضوع: پاسخ: سفارش\n\nسفارش شما ارسال شد."),
    "arabic_outlook": ("شكراً، وصل.", "من: الدعم <support@hub.test>\nتاريخ الإرسال: الثلاثاء 1 ديسمبر 2026\n"
                                       "إلى: أحمد\nالموضوع: رد: الطلب\n\nتم شحن طلبك."),
    "arabic_attribution": ("شكراً", "في الثلاثاء، 1 ديسمبر 2026 في 10:00 ص، كتب الدعم <support@hub.test>:\n"
                                    "> تم الشحن"),
    "chinese_attribution": ("谢谢", "在 2026年12月1日 10:00，客服 <support@hub.test> 写道：\n> 已发货"),
    "chinese_outlook": ("谢谢，收到了。", "发件人: 客服 <support@hub.test>\n发送时间: 2026年12月1日 10:00\n"
                                        "收件人: 张伟\n主题: 回复: 订单\n\n您的订单已发货。"),
    "chinese_original_message": ("好的", "------------------ 原始邮件 ------------------\n发件人: 客服\n\n已发货"),
}


@pytest.mark.parametrize("case", sorted(QUOTED_REPLIES))
def test_the_quoted_tail_of_a_reply_is_folded_off_in_any_script(case: str) -> None:
    new, quote = QUOTED_REPLIES[case]
    full = f"{new}\n\n{quote}"
    folded = fold_quote(full)
    assert folded == new
    assert quoted_tail(full, folded) == quote


def test_a_line_that_only_starts_like_a_header_is_not_a_quote() -> None:
    text = "من: خبرني متى يصل الطلب\nشكراً"  # Arabic "from:" at a line start, with no Sent line after it
    assert fold_quote(text) == text and quoted_tail(text, fold_quote(text)) == ""


def test_typed_addresses_are_split_lower_cased_and_kept_once() -> None:
    assert parse_addresses("Ali <Ali@Example.test>; reza@example.test,\nali@example.test", "cc") == [
        "ali@example.test", "reza@example.test"]
    assert parse_addresses(["a@x.test", "b@x.test, c@x.test"], "bcc") == ["a@x.test", "b@x.test", "c@x.test"]
    assert parse_addresses("", "cc") == [] and parse_addresses(None, "cc") == []


@pytest.mark.parametrize("bad", ["bob@", "ali at example dot test", "a@b@c.test", "<script>@x.test", "x@-.",
                                 "name@exa mple.test"])
def test_a_bad_address_is_named_in_the_refusal(bad: str) -> None:
    with pytest.raises(BadInput) as refused:
        parse_addresses(f"ok@example.test, {bad}", "cc")
    assert repr(bad) in refused.value.message and "CC" in refused.value.message


def test_the_customer_is_never_copied_and_a_cc_is_not_also_a_bcc() -> None:
    assert copies(["mina@x.test", "ali@x.test"], ["ali@x.test", "audit@x.test", "mina@x.test"], "Mina@x.test") == (
        ["ali@x.test"], ["audit@x.test"])


def test_reply_all_offers_the_other_recipients_without_our_mailboxes_or_the_customer() -> None:
    last = {"extras": {"to": ["support@hub.test", "ali@x.test"], "cc": ["sales@hub.test", "reza@x.test", "ali@x.test"],
                       "mailboxes": ["support@hub.test"], "from_address": "mina@x.test"}}
    assert default_cc(last, ["sales@hub.test", "mina@x.test"]) == ["ali@x.test", "reza@x.test"]
    assert default_cc(None, []) == []


def test_a_signature_keeps_any_script_and_is_limited_to_two_thousand_characters() -> None:
    assert check_signature("  سارا احمدی  \r\n王芳 · Support\r\n\r\n") == "  سارا احمدی\n王芳 · Support"
    assert check_signature("-- \nSara") == "Sara"  # the separator is written by the hub
    assert check_signature("x" * 2000) == "x" * 2000
    with pytest.raises(BadInput, match="at most 2,000 characters"):
        check_signature("x" * 2001)
    with pytest.raises(BadInput, match="control character"):
        check_signature("Sara\x1b[31m")


def test_the_from_name_follows_the_mailboxs_style() -> None:
    agent_style = Mailbox(address="help@shop.test", display_name="فروشگاه")
    assert agent_style.from_name("سارا  احمدی") == "سارا احمدی (via فروشگاه)"
    assert agent_style.from_name("") == "فروشگاه"  # an automatic reply has no agent
    assert Mailbox(address="help@shop.test", department="Support").from_name("王芳") == "王芳 (via Support)"
    mailbox_style = Mailbox(address="help@shop.test", display_name="Shop", from_name_style="mailbox")
    assert mailbox_style.from_name("王芳") == "Shop"
