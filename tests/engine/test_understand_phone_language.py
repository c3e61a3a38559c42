"""The language a WhatsApp number's country (or NANP area) code suggests.

Every number here is fictional: a calling code followed by made-up subscriber digits.
"""

from __future__ import annotations

import pytest

from hotelbot.engine.understand.language import SUPPORTED
from hotelbot.engine.understand.phone_language import PREFIXES, language_for_number

COUNTRIES = [
    ("34612000111", "es"),  # Spain
    ("4915112000111", "de"), ("436641200011", "de"),  # Germany, Austria
    ("33612000111", "fr"),
    ("393471200011", "it"),
    ("351912000111", "pt"), ("5511912000111", "pt"),  # Portugal, Brazil
    ("447700900123", "en"), ("353851200011", "en"), ("61412000111", "en"), ("64211200011", "en"),
    ("5215512000111", "es"), ("5491112000111", "es"), ("56912000111", "es"),  # MX, AR, CL
    ("573001200011", "es"), ("51912000111", "es"), ("584121200011", "es"),  # CO, PE, VE
    ("593991200011", "es"), ("59171200011", "es"), ("595981200011", "es"),  # EC, BO, PY
    ("59891200011", "es"), ("50255120001", "es"), ("50761200011", "es"), ("5352000111", "es"),
]  # fmt: skip


@pytest.mark.parametrize(("wa_id", "language"), COUNTRIES)
def test_a_country_code_suggests_its_language(wa_id: str, language: str) -> None:
    assert language_for_number(wa_id) == language


@pytest.mark.parametrize(
    ("wa_id", "language"),
    [
        ("12125550123", "en"),  # New York
        ("14165550123", "en"),  # Toronto
        ("17875550123", "es"), ("19395550123", "es"),  # Puerto Rico
        ("18095550123", "es"), ("18295550123", "es"), ("18495550123", "es"),  # Dominican Rep.
        ("15145550123", None), ("14185550123", None),  # Montreal, Quebec City: bilingual
    ],
)  # fmt: skip
def test_north_american_area_codes_override_plus_one(wa_id: str, language: str | None) -> None:
    assert language_for_number(wa_id) == language


@pytest.mark.parametrize(
    "wa_id",
    [
        "41791200011",  # Switzerland
        "32471200011",  # Belgium
        "352621200011",  # Luxembourg
        "31612000111",  # Netherlands: not one of our languages
        "819012000111",  # Japan
    ],
)
def test_multilingual_or_other_language_countries_give_no_prior(wa_id: str) -> None:
    assert language_for_number(wa_id) is None


@pytest.mark.parametrize(
    "wa_id",
    [
        None, "", "   ", "abc", "34 612 000 111", "34-612-000-111", "0034612000111",
        "3461", "3461200011122233", "٣٤٦١٢٠٠٠١١١", "+", "++34612000111",
    ],
)  # fmt: skip
def test_anything_but_an_e164_number_gives_no_prior(wa_id: str | None) -> None:
    assert language_for_number(wa_id) is None


def test_a_leading_plus_is_accepted() -> None:
    assert language_for_number("+34612000111") == "es"


def test_the_table_names_only_our_languages_and_digit_prefixes() -> None:
    assert all(prefix.isdigit() and not prefix.startswith("0") for prefix in PREFIXES)
    assert {lang for lang in PREFIXES.values() if lang is not None} <= set(SUPPORTED)
