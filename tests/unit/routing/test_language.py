from __future__ import annotations

import pytest

from routing.language import LanguageDetector

DETECTOR = LanguageDetector()  # shared: lingua's models load once for the whole module


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, I need help with my invoice please", "en"),
        ("مرحبا، أريد استرداد المبلغ من فضلك", "ar"),
        ("سلام، می‌خواهم فاکتورم را ببینم", "fa"),
        ("سلام خوبی؟ سفارش من کی می‌رسد", "fa"),
        ("我的发票有问题", "zh"),
        ("你好", "zh"),
        ("Xin chào, tôi cần giúp đỡ về hóa đơn", "vi"),
        ("Hola, necesito ayuda con mi pedido", "es"),
        ("Привет, мне нужна помощь с заказом", "ru"),
    ],
)
def test_detects_configured_languages_offline(text: str, expected: str) -> None:
    assert DETECTOR.detect(text) == expected


@pytest.mark.parametrize("text", ["", "ok", "?!", "👍👍👍", "12345"])
def test_short_or_letterless_text_returns_none(text: str) -> None:
    assert DETECTOR.detect(text) is None


def test_detector_loads_models_lazily_on_first_use() -> None:
    detector = LanguageDetector(["en", "fr"])

    assert not detector.loaded
    assert detector.detect("Bonjour, je voudrais un remboursement") == "fr"
    assert detector.loaded


def test_persian_letters_decide_without_loading_a_model() -> None:
    detector = LanguageDetector(["en", "ar", "fa"])

    assert detector.detect("چطور پرداخت کنم") == "fa"
    assert detector.detect("كيف أدفع الفاتورة") == "ar"
    assert not detector.loaded


def test_only_configured_languages_are_returned() -> None:
    detector = LanguageDetector(["en", "fa"])

    assert detector.detect("我的发票有问题") is None
    assert detector.detect("مرحبا، أريد استرداد المبلغ من فضلك") == "fa"  # the only Arabic-script choice


def test_unknown_language_code_is_rejected_when_the_hub_starts() -> None:
    with pytest.raises(ValueError):
        LanguageDetector(["en", "xx"])
