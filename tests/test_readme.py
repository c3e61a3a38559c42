"""The README documents every setting (a new field in `Settings` needs a row in its table), and its
examples run: their shell blocks are executed here and, against `hotelbot run`, in tests/e2e.
"""

from __future__ import annotations

import json
import subprocess
import time
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


def readme_code(heading: str) -> str:
    """The first shell block under the README heading `heading`."""
    section = README.read_text().split(f"### {heading}\n", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_signed_webhook_by_hand_is_new_and_current_each_time() -> None:
    # Run the example's own lines up to the body (no server needed) and read what it would send.
    script = readme_code("A signed webhook by hand")
    build = script.split("\nSIG=", 1)[0] + '\nprintf "%s" "$BODY"'
    bodies = [
        json.loads(subprocess.run(["bash", "-c", build], capture_output=True, check=True).stdout)
        for _ in range(2)
    ]

    messages = [body["entry"][0]["changes"][0]["value"]["messages"][0] for body in bodies]
    # Meta's timestamp is in seconds; the bot answers only within 24 hours of it.
    assert all(abs(int(m["timestamp"]) - time.time()) < 120 for m in messages)
    assert messages[0]["id"] != messages[1]["id"]
