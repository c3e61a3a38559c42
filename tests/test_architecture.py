"""docs/architecture.md's hop table names real code: every hop's module and function exist.

The table is what a newcomer reads first; a rename or a move that forgets it fails here.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).parent.parent / "docs" / "architecture.md"
#: `| 3 | `api/webhook.py` | `store` | ... |`
_HOP = re.compile(r"^\| (\d+) \| `([\w/]+\.py)` \| `([\w.]+)` \|", re.MULTILINE)


def hops() -> list[tuple[int, str, str]]:
    return [(int(n), path, name) for n, path, name in _HOP.findall(DOC.read_text("utf-8"))]


def module_name(path: str) -> str:
    dotted = path.removesuffix(".py").replace("/", ".")
    return f"hotelbot.{dotted.removesuffix('.__init__')}"


def test_the_table_walks_a_message_from_the_webhook_to_the_graph_send() -> None:
    found = hops()
    assert [n for n, _, _ in found] == list(range(1, len(found) + 1))
    assert found[0][1] == "api/receiver.py"
    assert (found[-2][1], found[-2][2]) == ("whatsapp/client.py", "GraphClient.send")


@pytest.mark.parametrize(("number", "path", "name"), hops(), ids=lambda v: str(v))
def test_each_hop_names_a_function_that_exists(number: int, path: str, name: str) -> None:
    target: object = importlib.import_module(module_name(path))
    for part in name.split("."):
        assert hasattr(target, part), f"hop {number}: {path} has no {name}"
        target = getattr(target, part)
    assert callable(target), f"hop {number}: {path}:{name} is not a function"
