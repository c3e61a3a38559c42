"""The README documents every setting: a new field in `Settings` needs a row in its table."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from hotelbot.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def environment_variables() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        group = field.annotation
        if isinstance(group, type) and issubclass(group, BaseModel):
            names += [f"HOTELBOT_{name}__{sub}".upper() for sub in group.model_fields]
        else:
            names.append(f"HOTELBOT_{name}".upper())
    return names


def test_every_environment_variable_is_documented() -> None:
    text = README.read_text()

    missing = [name for name in environment_variables() if f"| `{name}` |" not in text]

    assert missing == []
    assert text.startswith("# hotelbot") and "make run" in text.split("\n## ")[1]
