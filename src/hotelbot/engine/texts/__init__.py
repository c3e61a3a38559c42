"""Every guest-facing sentence, by key, one JSON file per language (`en.json`, `es.json`, ...).

A flow with many sentences keeps them in its own folder (`booking/en.json`, ...); the files of
one language are merged, and a key defined twice is an error.

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
    root = resources.files(__package__)
    files = [root.joinpath(name)]
    files += sorted(
        (d.joinpath(name) for d in root.iterdir() if d.is_dir() and d.joinpath(name).is_file()),
        key=str,
    )
    merged: dict[str, str] = {}
    for file in files:
        for key, value in json.loads(file.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"text key {key!r} defined twice for {name}")
            merged[str(key)] = str(value)
    return merged


def render(language: str, key: str, **params: str) -> str:
    """The text for `key` in `language` (English if that language lacks it), filled in."""
    template = texts_for(language).get(key) or texts_for(FALLBACK)[key]
    return template.format_map(params)


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}
