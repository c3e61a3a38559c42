"""Every script in `scripts/` played through webhook → worker → engine → PMS → sandbox."""

from __future__ import annotations

import pytest

from tests.conversations.harness import Script, Stack, load_scripts, play

SCRIPTS = load_scripts()


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
async def test_script(stack: Stack, script: Script) -> None:
    await play(stack, script)
