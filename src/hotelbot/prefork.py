"""`hotelbot api --workers N`: N server processes on one listening socket, kept running.

The parent binds the port once and hands the socket to N `hotelbot api --fd` children (the
pre-fork model of gunicorn and uvicorn's own `--workers`): the kernel gives each connection to
whichever child accepts first, so a busy child takes fewer, and connections waiting in the
backlog survive a child's crash. The parent only supervises: a child that dies is started again.
"""

from __future__ import annotations

import socket
import sys

import structlog

from hotelbot.kit.supervise import Supervised, stop_all, until_signalled
from hotelbot.settings import QueueEngine, Settings

log = structlog.get_logger(__name__)

#: Connections the kernel queues for the children to accept (the loopback profile bursts).
BACKLOG = 2048


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket the children inherit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


async def serve_prefork(settings: Settings, workers: int) -> int:
    """Run `workers` API processes on `settings.host:port` until SIGTERM/SIGINT."""
    if settings.queue.engine is not QueueEngine.PROCRASTINATE:
        # With the in-process queue each API process runs jobs too, and the SQLite conversation
        # lock is per process: two of them could run one conversation's turns at once.
        raise SystemExit(
            "hotelbot: invalid configuration: api --workers > 1 needs "
            "HOTELBOT_QUEUE__ENGINE=procrastinate (and a PostgreSQL db.url)"
        )
    if not settings.pms.url:
        # Each server would mount the PMS and migrate its tables at start-up, all at once.
        raise SystemExit(
            "hotelbot: invalid configuration: api --workers > 1 needs the PMS service on its "
            "own (`hotelbot pms`, HOTELBOT_PMS__URL)"
        )
    sock = listening_socket(settings.host, settings.port)
    fd = sock.fileno()
    children = [
        Supervised(
            f"api-{n}",
            [sys.executable, "-m", "hotelbot", "api", "--fd", str(fd)],
            pass_fds=(fd,),
        )
        for n in range(1, workers + 1)
    ]
    for child in children:
        child.start()
    log.info("api.prefork.started", workers=workers, port=settings.port)
    try:
        await until_signalled()
    finally:
        await stop_all(children)
        sock.close()
    return 0
