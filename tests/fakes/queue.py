"""A `JobQueue` that records what was enqueued instead of running it."""

from __future__ import annotations

import json
from typing import Any

from hotelbot.kit.jobs import CORRELATION_KWARG, Job, JsonScalar


class RecordingQueue:
    """Implements the `JobQueue` Protocol; `enqueued` lists `(job name, ids)` in order.

    Payloads round-trip through JSON, as with a real engine, so non-serialisable ids fail here.
    The correlation id that rides along with every job is kept apart, in `correlation_ids`.
    """

    def __init__(self) -> None:
        self.enqueued: list[tuple[str, dict[str, Any]]] = []
        self.correlation_ids: list[Any] = []

    async def enqueue(self, job: Job, /, **kwargs: JsonScalar) -> None:
        ids = json.loads(json.dumps(kwargs))
        self.correlation_ids.append(ids.pop(CORRELATION_KWARG, None))
        self.enqueued.append((job.name, ids))

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
