"""Every guest-facing sentence, by key, one JSON file per language (`en.json`, `es.json`, ...).

Kept as data, not code, so the prompt-template work can load them into the database and make
them editable. All files have the same keys and placeholders (a test checks); placeholders are
`{name}` and filled with `str.format_map`.
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources

LANGUAGES: tuple[str, ...] = ("en", "es", "de", "fr", "it", "pt")
FALLBACK = "en"


@cache
def texts_for(language: str) -> dict[str, str]:
    """All texts of one language; unknown languages get English."""
    name = f"{language}.json" if language in LANGUAGES else f"{FALLBACK}.json"
    raw = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    data = json.loads(raw)
    return {str(k): str(v) for k, v in data.items()}


def render(language: str, key: str, **params: str) -> str:
    """The text for `key` in `language` (English if that language lacks it), filled in."""
    template = texts_for(language).get(key) or texts_for(FALLBACK)[key]
    return template.format_map(params)


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}
