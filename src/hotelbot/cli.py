"""`hotelbot <command>`: parse arguments, build `Settings` once, call one factory.

This module only parses and picks the command's function in `commands.py`, which builds
`Settings` from the environment (the only module that reads it); `commands.py` never imports
this one back. Commands: run (everything, embedded defaults) | api | worker | pms | sandbox |
chat | migrate | conformance | eval | train.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

#: Commands whose function in `hotelbot.commands` has another name.
COMMAND_FUNCTIONS = {"eval": "evaluate"}


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    # Imported lazily so `hotelbot --help` and light commands start fast.
    from hotelbot import commands

    fn: Callable[[argparse.Namespace], int] = getattr(commands, name)
    return fn


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotelbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="everything in one process: API, worker, PMS, sandbox")
    api = sub.add_parser("api", help="chatbot API: webhook, console, admin")
    api.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="server processes sharing the port (more than 1 needs queue.engine=procrastinate)",
    )
    # Set by `--workers N` for its servers: serve on this inherited listening socket.
    api.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    worker = sub.add_parser("worker", help="turn inbound messages into replies; send them")
    worker.add_argument(
        "--concurrency",
        type=_positive,
        default=None,
        help="jobs run at once in this process (default: queue.concurrency, 10)",
    )
    # Set by `hotelbot run` for its worker: embedded defaults, wake-ups on stdin.
    worker.add_argument("--embedded", action="store_true", help=argparse.SUPPRESS)
    sub.add_parser("pms", help="PMS integration service (REST + GraphQL)")
    sandbox = sub.add_parser(
        "sandbox", help="local stand-in for Meta's Cloud API + guest simulator"
    )
    sandbox.add_argument(
        "--webhook-url",
        default="",
        help="where to deliver signed webhooks (default: this server's /webhooks/whatsapp)",
    )
    sub.add_parser("migrate", help="apply database migrations and exit")
    chat = sub.add_parser("chat", help="talk to the bot as a guest from the terminal")
    chat.add_argument("--url", default="", help="base URL of a running `hotelbot run`")
    chat.add_argument("--phone", default="447700900123", help="the guest's WhatsApp number")
    chat.add_argument("--name", default="Guest", help="the guest's profile name")
    chat.add_argument(
        "--voice",
        type=Path,
        metavar="FILE",
        help="send this recorded voice note (OGG/Opus, MP3, M4A, ...) first, then chat",
    )
    conformance = sub.add_parser(
        "conformance", help="replay real Cloud API webhook bodies (JSONL) against the webhook"
    )
    conformance.add_argument("path", help="e.g. ../shared/data/whatsapp/webhooks.jsonl")
    evaluate = sub.add_parser("eval", help="score the offline NLU on a labelled JSONL file")
    evaluate.add_argument("path", help="SGD, CLINC150 or hotelbot-format JSONL")
    evaluate.add_argument("--limit", type=int, default=0, help="score only the first N rows")
    evaluate.add_argument(
        "--llm",
        action="store_true",
        help="read the messages with the configured model (HOTELBOT_LLM__*), not the rules",
    )
    evaluate.add_argument(
        "--cache", default="", help="embed in one batch and keep the vectors in this folder"
    )
    train = sub.add_parser("train", help="fit the learned intent model (seeded, reproducible)")
    train.add_argument(
        "--data", default="../shared/data/nlu", help="folder with CLINC150 and SGD train/dev"
    )
    train.add_argument("--cache", default=".cache/embeddings", help="embedding cache folder")
    train.add_argument("--threads", type=int, default=2, help="threads for the embedding model")
    train.add_argument(
        "--check", action="store_true", help="retrain and compare with the shipped model"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _command(COMMAND_FUNCTIONS.get(args.command, args.command))(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
