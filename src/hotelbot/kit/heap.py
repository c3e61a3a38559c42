"""`freeze_startup_heap()`: keep a server's start-up objects out of every later full collection.

A long-running process keeps what it built at start-up (modules, SQLAlchemy and Pydantic
caches, settings, the app) for its whole life, yet each full collection of the cyclic garbage
collector walks all of it again. On the webhook benchmark those collections took about a tenth
of the server's CPU and paused it for up to 60-100 ms each (docs/benchmarks.md). Objects
created after the freeze are collected as usual; what was alive at the freeze is never freed,
which is what a server wants of its start-up state anyway.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect what start-up left behind, then move every live object out of the collector's way.

    Call once, just before serving.
    """
    gc.collect()
    gc.freeze()
