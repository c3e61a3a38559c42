"""A local stand-in for Sentry's ingestion endpoint, written from Sentry's published envelope
docs (develop.sentry.dev/sdk/data-model/envelopes/), so the real `sentry-sdk` transport can be
pointed at it: `POST /api/<project_id>/envelope/`, authenticated by the DSN's public key (in
`X-Sentry-Auth` or `?sentry_key=`), body gzip/deflate-compressed or plain.

An envelope is a JSON header line, then items: each a JSON header line and a payload, whose size
is the header's `length` in bytes when given, else up to the next newline. Every accepted body is
kept raw (decompressed) so a test can search the exact bytes that left the process.
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PUBLIC_KEY = "0123456789abcdef0123456789abcdef"
_PATH = re.compile(r"^/api/(\d+)/envelope/?(?:\?.*)?$")
_AUTH_KEY = re.compile(r"sentry_key=([0-9a-f]+)")


@dataclass
class Item:
    headers: dict[str, Any]
    payload: bytes

    def json(self) -> Any:
        return json.loads(self.payload)


@dataclass
class Envelope:
    headers: dict[str, Any]
    items: list[Item]


def parse_envelope(body: bytes) -> Envelope:
    """Split an envelope into its header and items; raises ValueError on a malformed one."""
    header_line, _, rest = body.partition(b"\n")
    headers = json.loads(header_line or b"{}")
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item_headers = json.loads(item_line)
        length = item_headers.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length:]
            if len(payload) != length:
                raise ValueError("item shorter than its length")
            rest = rest.removeprefix(b"\n")
        items.append(Item(item_headers, payload))
    return Envelope(headers, items)


def _decompress(body: bytes, encoding: str) -> bytes:
    if encoding in ("", "identity"):
        return body
    if encoding == "gzip":
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompress(body)
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


@dataclass
class SentryRelay:
    """Run with `start()`; `dsn` is what the SDK is given; `events()` what it sent."""

    project_id: int = 42
    raw: list[bytes] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def dsn(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{PUBLIC_KEY}@{host}:{port}/{self.project_id}"

    def start(self) -> None:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                status, answer = relay._accept(self)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _accept(self, request: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        match = _PATH.match(request.path)
        if match is None or int(match.group(1)) != self.project_id:
            self.refused.append(f"path {request.path}")
            return 404, {"detail": "unknown project"}
        auth = request.headers.get("X-Sentry-Auth", "") + " " + request.path
        if PUBLIC_KEY not in _AUTH_KEY.findall(auth):
            self.refused.append("auth")
            return 401, {"detail": "missing or wrong sentry_key"}
        body = request.rfile.read(int(request.headers.get("Content-Length", "0")))
        try:
            body = _decompress(body, request.headers.get("Content-Encoding", "").lower())
            envelope = parse_envelope(body)
        except (ValueError, zlib.error) as exc:
            self.refused.append(f"body: {exc}")
            return 400, {"detail": "malformed envelope"}
        self.raw.append(body)
        self.envelopes.append(envelope)
        return 200, {"id": envelope.headers.get("event_id")}

    def events(self) -> list[dict[str, Any]]:
        return [
            item.json()
            for envelope in self.envelopes
            for item in envelope.items
            if item.headers.get("type") == "event"
        ]

    def wait_for_event(self, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while not self.events():
            if time.monotonic() > deadline:
                raise AssertionError(f"no event arrived (refused: {self.refused})")
            time.sleep(0.05)
        return self.events()[0]
