"""The channel's README section lists every setting the code reads."""

from __future__ import annotations

from pathlib import Path

from channels.twilio.settings import TwilioSettings

DOC = Path(__file__).resolve().parents[3] / "channels" / "twilio" / "CONNECTING.md"


def test_every_twilio_setting_is_in_the_connecting_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [f"TWILIO_{name.upper()}" for name in TwilioSettings.model_fields
               if f"| `TWILIO_{name.upper()}` |" not in text]
    assert not missing, f"CONNECTING.md lacks settings: {missing}"


def test_connecting_names_both_webhook_urls() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "https://YOUR-HUB/webhooks/twilio`" in text
    assert "https://YOUR-HUB/webhooks/twilio/status`" in text
