"""Raw mails -> text, HTML and files, without crashing and without anything unsafe surviving."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.email import html, loops, threads
from channels.email.mime import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "email"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(("name", "subject", "start"), [
    ("persian_subject_rfc2047.eml", "سلام، سفارش ۱۲۳۴ من کجاست؟", "سلام،"),
    ("arabic_windows_1256.eml", "استفسار عن الفاتورة", "مرحبا،"),
    ("chinese_gb2312.eml", "订单查询", "你好，"),
    ("japanese_iso2022jp.eml", "注文について", "お世話になっております。"),
    ("vietnamese_apple_mail_reply.eml", "Re: Đơn hàng của bạn", "Cảm ơn"),
    ("unknown_charset.eml", "Qapla' order", "My order 555 never came"),
])
def test_subjects_and_bodies_decode_in_every_charset(name: str, subject: str, start: str) -> None:
    mail = parse(load(name))
    assert mail.subject == subject
    assert mail.text.startswith(start)


def test_quoted_earlier_mail_is_folded_away_in_chinese_and_vietnamese_replies() -> None:
    assert html.fold_quote(parse(load("chinese_gb2312.eml")).text) == "你好，\n我的订单还没有到。"
    assert html.fold_quote(parse(load("vietnamese_apple_mail_reply.eml")).text) == "Cảm ơn, tôi đã nhận được hàng."


def test_mail_that_is_all_quote_keeps_its_text() -> None:
    assert html.fold_quote("> only a quote\n> nothing new") == "> only a quote\n> nothing new"


def test_broken_boundary_is_read_with_the_boundary_the_body_uses() -> None:
    mail = parse(load("broken_mime_boundary.eml"))
    assert mail.text == "Please call me back about invoice 77, the boundary of this mail is wrong."


def test_twenty_nested_multiparts_keep_the_innermost_text_and_file() -> None:
    inner = ('Content-Type: multipart/mixed; boundary="b20"\n\n--b20\nContent-Type: text/plain\n\ndeep words\n'
             '--b20\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="deep.bin"\n\n'
             'DATA\n--b20--\n')
    for level in range(19, 0, -1):
        inner = f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n{inner}--b{level}--\n'
    mail = parse(f"From: deep@example.test\nSubject: deep\nMIME-Version: 1.0\n{inner}".encode())
    assert mail.text == "deep words"
    assert [p.filename for p in mail.parts] == ["deep.bin"]


def test_nested_message_is_kept_whole_as_a_file_not_mixed_into_the_text() -> None:
    mail = parse(load("nested_rfc822.eml"))
    assert mail.text == "See the forwarded mail below, what is going on?"
    [forwarded] = mail.parts
    assert forwarded.content_type == "message/rfc822"
    assert b"The shipment for order 42 is delayed" in forwarded.data


def test_script_handlers_javascript_urls_css_tricks_and_remote_images_do_not_survive() -> None:
    safe = html.sanitize(parse(load("html_with_script_onerror_javascript_css.eml")).html or "")
    for bad in ("<script", "alert", "onerror", "onload", "javascript:", "<iframe", "<form", "<input", "<svg",
                "<style", "position", "url(", "tracker.test", "<meta"):
        assert bad not in safe.html.lower(), bad
    assert '<p dir="rtl" lang="fa" style="color:red">سلام hello</p>' in safe.html
    assert 'href="https://shop.test/order/9"' in safe.html
    assert safe.with_remote_images is not None and "https://tracker.test/pixel.gif" in safe.with_remote_images
    assert "<script" not in safe.with_remote_images


def test_html_in_subject_and_display_name_stays_plain_text() -> None:
    mail = parse(load("html_in_subject_and_display_name.eml"))
    assert mail.subject == "<script>alert('subject')</script> urgent"  # shown escaped, never as markup
    assert mail.sender_name == "<img src=x onerror=alert(1)> Eve"
    assert mail.sender == "eve@evil.test"


@pytest.mark.parametrize(("raw_headers", "reason"), [
    ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
    ("Auto-Submitted: no", None),
    ("Precedence: bulk", "Precedence: bulk"),
    ("Precedence: list", "Precedence: list"),
    ("X-Autoreply: yes", "X-Autoreply"),
    ("List-Id: <news.example.test>", "List-Id"),
])
def test_automatic_mail_is_recognised_by_its_headers(raw_headers: str, reason: str | None) -> None:
    mail = parse(f"From: a@example.test\n{raw_headers}\nSubject: x\n\nbody\n".encode())
    assert loops.auto_reason(mail, set()) == reason


def test_no_reply_senders_and_our_own_mailboxes_get_no_automatic_reply() -> None:
    assert loops.auto_reason(parse(b"From: no-reply@shop.test\n\nx"), set()) == "no-reply sender"
    assert loops.auto_reason(parse(b"From: support@hub.test\n\nx"), {"support@hub.test"}) is not None


def test_a_bounce_names_our_message_and_the_servers_words() -> None:
    report = loops.bounce(parse(load("bounce_dsn_for_our_message.eml")))
    assert report is not None and report.action == "failed"
    assert report.original_message_ids == [
        "conv-65a000000000000000000001.msg-65a000000000000000000002.abcd1234@hub.test"]
    assert "550 5.1.1" in report.reason


def test_only_our_domains_message_ids_name_a_conversation() -> None:
    made = threads.make_message_id("65a000000000000000000001", "65a000000000000000000002", "hub.test")
    assert threads.conversation_hint([made.strip("<>")], [], {"hub.test"}) == "65a000000000000000000001"
    assert threads.conversation_hint([made.strip("<>")], [], {"other.test"}) is None
    assert threads.conversation_hint(["random@x.test"], ["nope@y.test"], {"hub.test"}) is None
