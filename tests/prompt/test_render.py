"""Templates render in a sandbox with declared variables only."""

from __future__ import annotations

import pytest

from hotelbot.prompt.defaults import DEFAULTS
from hotelbot.prompt.render import TemplateError, check, render


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_the_defaults_check(name: str) -> None:
    check(DEFAULTS[name].body, DEFAULTS[name].variables)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello {{ guest_phone }}", "unknown variable(s): guest_phone"),
        ("{% if hotel %}open", "syntax error on line 1"),
        ("{{ hotel.__class__.__mro__ }}", None),
    ],
)
def test_a_bad_template_is_refused(body: str, message: str | None) -> None:
    with pytest.raises(TemplateError) as raised:
        check(body, ["hotel"])
        render(body, {"hotel": "Miramar"})
    assert raised.value.status_code == 422
    if message:
        assert message in raised.value.message


def test_values_are_redacted_before_they_reach_the_template() -> None:
    rendered = render(
        "{{ hotel }}: {{ facts.note }}",
        {"hotel": "H", "facts": {"note": "card 4111 1111 1111 1111"}},
    )
    assert "4111" not in rendered and "[card]" in rendered


def test_a_template_cannot_reach_python_objects() -> None:
    with pytest.raises(TemplateError):
        render("{{ ''.__class__.__subclasses__() }}", {})
