"""`Supervised`: one child process kept running, started again whenever it exits.

What systemd's `Restart=always` or a Kubernetes Deployment does for a service, for the
processes one command starts by itself: `hotelbot run`'s worker, `hotelbot api --workers N`'s
servers, and the production profile on loopback. A child that was SIGKILLed is back after
`restart_delay` seconds; `stop()` ends it (SIGTERM, then SIGKILL after a grace period) and
stops restarting it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

OnStart = Callable[[asyncio.subprocess.Process], None]


class Supervised:
    """A child process (`argv`) restarted on exit until `stop()`."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        pass_fds: Sequence[int] = (),
        stdin_pipe: bool = False,
        on_start: OnStart | None = None,
        restart_delay: float = 1.0,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env) if env is not None else None
        self.log_path = log_path
        self.pass_fds = tuple(pass_fds)
        self.stdin_pipe = stdin_pipe
        self.on_start = on_start
        self.restart_delay = restart_delay
        self.process: asyncio.subprocess.Process | None = None
        #: How many times the child exited while it was meant to run.
        self.exits = 0
        self._started = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the child (and keep it running) in the background; idempotent."""
        if self._task is None or self._task.done():
            self._started.clear()
            self._task = asyncio.create_task(self._keep_running(), name=f"supervise-{self.name}")

    async def started(self) -> asyncio.subprocess.Process:
        """The running child, once it has been spawned."""
        await self._started.wait()
        assert self.process is not None
        return self.process

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def kill(self) -> None:
        """SIGKILL the child as a crash would (it is restarted)."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self, *, grace_seconds: float = 20.0) -> None:
        """Stop restarting, then SIGTERM the child and wait (SIGKILL after the grace period)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace_seconds)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _keep_running(self) -> None:
        while True:
            process = await self._spawn()
            code = await process.wait()
            self.exits += 1
            log.warning(
                "supervise.exited", child=self.name, code=code, restart_in=self.restart_delay
            )
            await asyncio.sleep(self.restart_delay)

    async def _spawn(self) -> asyncio.subprocess.Process:
        output = self.log_path.open("ab") if self.log_path is not None else None
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv,
                env=self.env,
                stdin=asyncio.subprocess.PIPE if self.stdin_pipe else asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                pass_fds=self.pass_fds,
                # Its own session: a Ctrl-C at the terminal reaches the parent, which stops it.
                start_new_session=True,
            )
        finally:
            if output is not None:
                output.close()
        self.process = process
        if self.on_start is not None:
            self.on_start(process)
        self._started.set()
        log.info("supervise.started", child=self.name, pid=process.pid)
        return process


async def stop_all(children: Sequence[Supervised], *, grace_seconds: float = 20.0) -> None:
    await asyncio.gather(*(child.stop(grace_seconds=grace_seconds) for child in children))


async def until_signalled(
    signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> None:
    """Return on the first of `signals` (a supervising command's main loop)."""
    received = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, received.set)
    try:
        await received.wait()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
