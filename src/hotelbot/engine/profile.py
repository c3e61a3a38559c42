"""Reading facts from a property profile (the JSON in `properties.profile`).

Shape (see `hotelbot.property.demo.DEMO_PROFILE`):
    {"address": str, "geo": {"latitude": float, "longitude": float},
     "faq": {topic: {"en": str, "es": str, ...} or str}, "facts": {...structured values...}}
An answer in the guest's language is preferred, then English, then the property's default
language, then any language the profile has. Nothing here invents a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FALLBACK_LANGUAGE = "en"


def answer(
    profile: Mapping[str, Any], topic: str, language: str, *, default_language: str = "en"
) -> str | None:
    value = _faq(profile).get(topic)
    if isinstance(value, str):
        return value.strip() or None
    if not isinstance(value, Mapping):
        return None
    for lang in (language, FALLBACK_LANGUAGE, default_language, *value):
        text = value.get(lang)
        if isinstance(text, str) and text.strip():
            return text.strip()
    return None


def has_answer(profile: Mapping[str, Any], topic: str) -> bool:
    return answer(profile, topic, FALLBACK_LANGUAGE) is not None


def topics_answered(profile: Mapping[str, Any]) -> list[str]:
    return [topic for topic in _faq(profile) if has_answer(profile, topic)]


def hotel_geo(profile: Mapping[str, Any]) -> tuple[float, float] | None:
    geo = profile.get("geo")
    if not isinstance(geo, Mapping):
        return None
    try:
        return float(geo["latitude"]), float(geo["longitude"])
    except (KeyError, TypeError, ValueError):
        return None


def hotel_address(profile: Mapping[str, Any]) -> str | None:
    address = profile.get("address")
    return address if isinstance(address, str) and address.strip() else None


def _faq(profile: Mapping[str, Any]) -> Mapping[str, Any]:
    faq = profile.get("faq")
    return faq if isinstance(faq, Mapping) else {}
