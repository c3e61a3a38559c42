"""Freezing the start-up heap: start-up objects leave the collector, later garbage does not."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from hotelbot.kit.heap import freeze_startup_heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test run collects as usual


def cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_start_up_objects_are_left_alone_and_later_garbage_is_collected(thawed: None) -> None:
    kept = [Node() for _ in range(100)]
    freeze_startup_heap()
    assert gc.get_freeze_count() >= len(kept)

    later = cycle()
    gc.collect()
    assert later() is None


def test_garbage_left_by_start_up_is_collected_before_the_freeze(thawed: None) -> None:
    startup_garbage = cycle()
    freeze_startup_heap()
    assert startup_garbage() is None
