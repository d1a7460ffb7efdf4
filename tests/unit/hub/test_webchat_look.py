"""The website chat's settings as an admin gives them: only what is given changes, each wrong one is named,
and what is stored is read leniently (a hand-edited value falls back to the default, never an error)."""

from __future__ import annotations

import pytest

from channels.webchat.look import BadLook, WidgetLook, check, of_doc


def test_only_the_settings_given_change_and_a_colour_is_kept_lower_case() -> None:
    start = WidgetLook(title="Help", greeting="Hi")
    changed = check({"colour": " #AA3300 ", "fields.email": "required", "prechat": "on"}, start)
    assert (changed.colour, changed.title, changed.greeting, changed.prechat) == ("#aa3300", "Help", "Hi", True)
    assert dict(changed.fields) == {"name": "optional", "email": "required", "question": "off"}
    assert changed.required() == ("email",)


def test_a_form_that_is_off_requires_nothing() -> None:
    look = check({"prechat": "off", "fields": {"name": "required", "email": "required"}}, WidgetLook())
    assert look.required() == ()


@pytest.mark.parametrize(("body", "setting"), [
    ({"colour": "blue"}, "colour"), ({"colour": "#12345"}, "colour"), ({"position": "top"}, "position"),
    ({"title": "t" * 61}, "title"), ({"greeting": 5}, "greeting"), ({"prechat": "perhaps"}, "prechat"),
    ({"fields": {"phone": "required"}}, "fields"), ({"fields.name": "always"}, "fields.name"),
    ({"department_id": "sales"}, "department_id"), ({"sound": "on"}, "sound"),
])
def test_each_wrong_setting_is_named(body: dict[str, object], setting: str) -> None:
    with pytest.raises(BadLook) as refused:
        check(body, WidgetLook())
    assert refused.value.setting == setting and str(refused.value)


def test_what_is_stored_is_read_leniently_and_the_public_part_has_no_department() -> None:
    assert of_doc({"colour": "not a colour"}) == WidgetLook()
    assert of_doc(None) == WidgetLook()
    stored = of_doc({"colour": "#000000", "department_id": "0123456789abcdef01234567"})
    assert stored.colour == "#000000" and "department_id" not in stored.public()
