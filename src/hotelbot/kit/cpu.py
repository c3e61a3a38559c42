"""CPU-bound work off the event loop, in a small thread pool of its own, with a time budget.

Threads rather than processes: the models (lingua, multilingual-e5) load once per process and
are shared, embeddings run in C with the GIL released, and Python code yields the GIL every few
milliseconds, so webhooks, health checks and other guests keep being served while a turn
thinks. A single regex match does not yield the GIL: that is why every text is bounded and
every pattern linear (docs/security.md). A call that overruns its budget is abandoned: the
caller gets `OverBudget` at once and the thread finishes on its own, its result discarded.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Enough for a few turns at once on a small machine; a stuck call holds one thread, not all.
POOL_THREADS = 4

_pool: ThreadPoolExecutor | None = None


class OverBudget(Exception):
    """The work did not finish within its budget."""


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="hotelbot-cpu")
    return _pool


async def run_cpu_bound(
    budget_seconds: float, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`fn(*args, **kwargs)` in the pool (with this task's context vars), within the budget.

    Raises:
        OverBudget: it took longer than `budget_seconds`.
    """
    context = contextvars.copy_context()
    call = functools.partial(context.run, fn, *args, **kwargs)
    future = asyncio.get_running_loop().run_in_executor(_executor(), call)
    try:
        return await asyncio.wait_for(future, timeout=budget_seconds)
    except TimeoutError:
        raise OverBudget(f"over the budget of {budget_seconds:g} s") from None
