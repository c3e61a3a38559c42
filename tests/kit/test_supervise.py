"""A supervised child is started again after a crash, and stays stopped after `stop()`."""

from __future__ import annotations

import asyncio
import sys

from hotelbot.kit.supervise import Supervised

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


async def _next_start(child: Supervised, old_pid: int | None) -> int:
    while child.pid in (None, old_pid) or child.process is None:
        await asyncio.sleep(0.05)
    return child.pid or 0


async def test_a_killed_child_is_started_again() -> None:
    child = Supervised("sleeper", SLEEPER, restart_delay=0.1)
    child.start()
    first = (await asyncio.wait_for(child.started(), 10)).pid
    child.kill()
    second = await asyncio.wait_for(_next_start(child, first), 10)
    assert second != first
    assert child.exits == 1
    await child.stop(grace_seconds=5)
    assert child.process is not None and child.process.returncode is not None


async def test_a_stopped_child_is_not_restarted() -> None:
    child = Supervised("sleeper", SLEEPER, restart_delay=0.1)
    child.start()
    process = await asyncio.wait_for(child.started(), 10)
    await child.stop(grace_seconds=5)
    await asyncio.sleep(0.3)
    assert child.pid == process.pid
    assert process.returncode is not None


async def test_the_child_reads_what_is_written_to_its_stdin() -> None:
    echo = [sys.executable, "-c", "import sys; sys.exit(len(sys.stdin.readline()))"]
    got: list[int] = []
    child = Supervised("reader", echo, stdin_pipe=True, on_start=lambda p: got.append(p.pid))
    child.start()
    process = await asyncio.wait_for(child.started(), 10)
    assert process.stdin is not None
    process.stdin.write(b"four\n")
    assert await asyncio.wait_for(process.wait(), 10) == 5
    await child.stop(grace_seconds=5)
    assert got[0] == process.pid
