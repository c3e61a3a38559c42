"""What each `hotelbot` command does once `cli.py` has parsed it: assembly, no business rules.

This is the only module that reads the environment (`load_settings`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError

from hotelbot import embedded
from hotelbot.errors import HotelbotError
from hotelbot.kit.logging import configure_logging
from hotelbot.kit.sentry import init_sentry
from hotelbot.settings import Settings


def load_settings(*, sandbox_default: bool) -> Settings:
    """Settings from the environment; exits with one clear message when they are invalid.

    `sandbox_default` turns on the local WhatsApp sandbox unless the environment says otherwise
    (embedded commands), so `hotelbot run` works with nothing set.
    """
    overrides: dict[str, object] = {}
    if sandbox_default and "HOTELBOT_WHATSAPP__SANDBOX" not in os.environ:
        overrides["whatsapp"] = {"sandbox": True}
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        raise SystemExit(f"hotelbot: invalid configuration: {problems}") from None


def _prepare(*, sandbox_default: bool, create_keys: bool, report: bool = False) -> Settings:
    """Settings, logging, Sentry and keys. `report`: the command prints a result on stdout,
    so logs go to stderr."""
    settings = load_settings(sandbox_default=sandbox_default)
    configure_logging(
        settings.observability.log_level,
        settings.observability.log_format,
        stream=sys.stderr if report else None,
    )
    init_sentry(
        settings.observability.sentry_dsn.get_secret_value(),
        settings.observability.environment,
        safe_exceptions=(HotelbotError,),
    )
    try:
        embedded.load_or_create_local_keys(settings, create=create_keys)
    except ValueError as exc:
        raise SystemExit(f"hotelbot: invalid configuration: {exc}") from None
    return settings


def _run_server_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run a serving command on uvloop when installed (uvicorn[standard] brings it).

    uvicorn picks uvloop only for loops it creates itself; these commands create theirs with
    asyncio, so they choose it here. The webhook benchmark runs on the same loop.
    """
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def _serve(app: object, settings: Settings) -> uvicorn.Server:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )
    return uvicorn.Server(config)


@dataclass
class _ServeOnSocket:
    """A uvicorn server on an inherited listening socket (`hotelbot api --workers N`)."""

    server: uvicorn.Server
    sock: socket.socket

    async def serve(self) -> None:
        await self.server.serve(sockets=[self.sock])


def _worker_argv() -> list[str]:
    """How `hotelbot run` starts its worker process: this interpreter, same environment."""
    return [sys.executable, "-m", "hotelbot", "worker", "--embedded"]


def run(args: argparse.Namespace) -> int:
    settings = _prepare(sandbox_default=True, create_keys=True)
    from hotelbot.runtime import serve_embedded

    _run_server_loop(serve_embedded(settings, _serve, worker_argv=_worker_argv()))
    return 0


def api(args: argparse.Namespace) -> int:
    settings = _prepare(sandbox_default=False, create_keys=False)
    if args.workers > 1:
        from hotelbot.prefork import serve_prefork

        return asyncio.run(serve_prefork(settings, args.workers))
    from hotelbot.runtime import serve_api

    make_server: Callable[[object, Settings], Any] = _serve
    if args.fd is not None:
        sock = socket.socket(fileno=args.fd)

        def make_server(app: object, settings: Settings) -> _ServeOnSocket:
            return _ServeOnSocket(_serve(app, settings), sock)

    _run_server_loop(serve_api(settings, make_server))
    return 0


def worker(args: argparse.Namespace) -> int:
    settings = _prepare(sandbox_default=args.embedded, create_keys=False)
    if args.concurrency is not None:
        settings.queue.concurrency = args.concurrency
    from hotelbot.worker.main import run_worker

    asyncio.run(run_worker(settings, wake_ups_on_stdin=args.embedded))
    return 0


def pms(args: argparse.Namespace) -> int:
    settings = _prepare(sandbox_default=False, create_keys=False)
    from hotelbot.runtime import serve_pms

    asyncio.run(serve_pms(settings, _serve))
    return 0


def sandbox(args: argparse.Namespace) -> int:
    settings = _prepare(sandbox_default=True, create_keys=True)
    from hotelbot.sandbox.app import create_sandbox_app

    app = create_sandbox_app(settings)
    if args.webhook_url:
        app.state.sandbox.webhook_url = args.webhook_url
    asyncio.run(_serve(app, settings).serve())
    return 0


def migrate(args: argparse.Namespace) -> int:
    settings = _prepare(sandbox_default=True, create_keys=False)
    from hotelbot.runtime import migrate_all

    asyncio.run(migrate_all(settings))
    return 0


def chat(args: argparse.Namespace) -> int:
    settings = load_settings(sandbox_default=True)
    from hotelbot.chat import run_chat

    return asyncio.run(
        run_chat(args.url or settings.base_url, phone=args.phone, name=args.name, voice=args.voice)
    )


def conformance(args: argparse.Namespace) -> int:
    settings = _prepare(sandbox_default=True, create_keys=True, report=True)
    from hotelbot.runtime import run_conformance

    report = asyncio.run(run_conformance(settings, Path(args.path)))
    print(json.dumps(report, indent=2, default=str))
    return 0 if report.get("failed", 1) == 0 else 1


def evaluate(args: argparse.Namespace) -> int:
    """`hotelbot eval`: named so as not to shadow the builtin. Logs go to stderr: stdout is
    the JSON report."""
    from hotelbot.evaluation import evaluate as score

    configure_logging("WARNING", "console", stream=sys.stderr)
    if not getattr(args, "llm", False):
        cache = Path(args.cache) if args.cache else None
        print(json.dumps(score(Path(args.path), limit=args.limit, cache_dir=cache), indent=2))
        return 0
    from hotelbot.engine.llm.evaluate import LlmReader

    settings = load_settings(sandbox_default=True)
    reader = LlmReader(settings.llm, base_url=settings.base_url)
    try:
        report = score(Path(args.path), limit=args.limit, reader=reader)
    finally:
        reader.close()
    print(json.dumps(report | {"llm": reader.report()}, indent=2))
    return 0


def train(args: argparse.Namespace) -> int:
    """`hotelbot train`: fit the intent model and write it into the package (or `--check` it)."""
    from hotelbot.engine.understand.faq_embedding import E5Embedder
    from hotelbot.engine.understand.intent_model import IntentModel
    from hotelbot.training.build import Sources, model_path
    from hotelbot.training.build import train as fit

    configure_logging("WARNING", "console", stream=sys.stderr)
    sources = Sources(repo=Path.cwd(), public=Path(args.data))
    model = fit(sources, E5Embedder(num_threads=args.threads), Path(args.cache))
    path = model_path()
    if args.check:
        with path.open("rb") as handle:
            shipped = IntentModel.load(handle)
        same = model.same_as(shipped)
        print(json.dumps({"model": str(path), "reproduced": same}))
        return 0 if same else 1
    model.save(path)
    print(json.dumps({"model": str(path), "bytes": path.stat().st_size,
                      "temperature": model.temperature, "floor": model.floor,
                      "act_thresholds": model.act_thresholds}))  # fmt: skip
    return 0
