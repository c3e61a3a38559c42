"""`hotelbot chat`: be a guest from the terminal, through the sandbox and the real webhook.

Each line typed is sent by the sandbox as a signed webhook to the bot, exactly as Meta would;
the bot's replies are read back from the sandbox. Buttons and list rows are numbered: type the
number to tap one. A reply WhatsApp refused (the 24-hour rule) is shown as refused, with why.
`--voice FILE` (or `/voice FILE` at the prompt) sends a recorded voice note; the bot's voice
replies are saved to files and their paths shown. `/quit` (or Ctrl-D) leaves.
"""

from __future__ import annotations

import asyncio
import mimetypes
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

#: How long to wait for the first reply (a voice note is downloaded and transcribed first,
#: and the first one loads the model), and for quiet after the last one.
FIRST_REPLY_SECONDS = 15.0
FIRST_VOICE_REPLY_SECONDS = 60.0
QUIET_SECONDS = 1.0
POLL_SECONDS = 0.2


@dataclass
class ChatSession:
    client: httpx.AsyncClient
    phone: str
    name: str
    seq: int = 0
    #: Choices offered by the last interactive reply: (kind, id, title).
    options: list[tuple[str, str, str]] = field(default_factory=list)

    async def send_voice(self, path: Path) -> None:
        """A recorded note, as the guest's phone would send it (`POST /sandbox/api/voice`)."""
        mime = mimetypes.guess_type(path.name)[0] or "audio/ogg"
        response = await self.client.post(
            "/sandbox/api/voice",
            data={"from": self.phone, "name": self.name},
            files={"file": (path.name, path.read_bytes(), mime)},
        )
        response.raise_for_status()

    async def save_voice_reply(self, media_id: str, directory: Path) -> Path:
        """Fetch one of the bot's voice replies from the sandbox and write it to a file."""
        response = await self.client.get(f"/sandbox/api/media/{media_id}")
        response.raise_for_status()
        target = directory / f"hotelbot-reply-{media_id}.ogg"
        target.write_bytes(response.content)
        return target

    async def send(self, line: str) -> None:
        body: dict[str, Any] = {"from": self.phone, "name": self.name}
        choice = self._choice(line)
        if choice is not None:
            kind, choice_id, title = choice
            body |= {"button_id" if kind == "button" else "row_id": choice_id, "title": title}
        else:
            body["text"] = line
        response = await self.client.post("/sandbox/api/messages", json=body)
        response.raise_for_status()

    def _choice(self, line: str) -> tuple[str, str, str] | None:
        if line.isdigit() and 1 <= int(line) <= len(self.options):
            return self.options[int(line) - 1]
        return None

    async def replies(
        self, *, clock: Callable[[], float], first: float = FIRST_REPLY_SECONDS
    ) -> list[dict[str, Any]]:
        """Bot messages that arrive until the bot has been quiet for a moment."""
        found: list[dict[str, Any]] = []
        deadline = clock() + first
        while clock() < deadline:
            new = await self._poll()
            if new:
                found += new
                deadline = clock() + QUIET_SECONDS
            elif found and clock() >= deadline:
                break
            await asyncio.sleep(POLL_SECONDS)
        return found

    async def _poll(self) -> list[dict[str, Any]]:
        response = await self.client.get(
            f"/sandbox/api/conversations/{self.phone}", params={"after": self.seq}
        )
        response.raise_for_status()
        events: list[dict[str, Any]] = response.json()["messages"]
        if events:
            self.seq = max(e["seq"] for e in events)
        return [e for e in events if e["direction"] == "out"]


def render(payload: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
    """A Graph send body as terminal text, with the choices it offers."""
    kind = payload.get("type")
    if kind == "text":
        return payload["text"]["body"], []
    if kind == "interactive":
        interactive = payload["interactive"]
        action = interactive.get("action", {})
        options = [
            ("button", b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])
        ]
        labels = [title for _, _, title in options]
        for section in action.get("sections", []):
            for row in section.get("rows", []):
                options.append(("row", row["id"], row["title"]))
                extra = row.get("description")
                labels.append(f"{row['title']} — {extra}" if extra else row["title"])
        lines = [interactive.get("body", {}).get("text", "")]
        lines += [f"  [{n}] {label}" for n, label in enumerate(labels, start=1)]
        return "\n".join(lines), options
    if kind == "location":
        place = payload["location"]
        return f"📍 {place.get('name', '')} {place.get('address', '')}".strip(), []
    if kind == "template":
        return f"(template {payload['template']['name']})", []
    if kind == "reaction":
        return f"(reacted {payload['reaction'].get('emoji', '')})", []
    media = payload.get(str(kind), {})
    return f"({kind}) {media.get('caption', '')}".strip(), []


async def run_chat(
    base_url: str,
    *,
    phone: str,
    name: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    transport: httpx.AsyncBaseTransport | None = None,
    voice: Path | None = None,
) -> int:
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=base_url, timeout=10.0, transport=transport) as client:
        session = ChatSession(client=client, phone=phone, name=name)
        try:
            await session._poll()  # skip history: start after what is already there
        except httpx.HTTPError:
            print(
                f"hotelbot chat: no sandbox at {base_url}; start `hotelbot run` first", file=stdout
            )
            return 1
        print(
            f"Chatting as {name} (+{phone}). Type a message; a number taps a button.", file=stdout
        )
        pending, line = voice, ""
        while True:
            if pending is None:
                print("you> ", end="", file=stdout, flush=True)
                raw = await loop.run_in_executor(None, stdin.readline)
                if not raw or raw.strip() == "/quit":
                    return 0
                line = raw.strip()
                if not line:
                    continue
                if line.startswith("/voice "):
                    pending = Path(line.removeprefix("/voice ").strip())
            if pending is not None:
                if not pending.is_file():
                    print(f"hotelbot chat: no file {pending}", file=stdout)
                    pending = None
                    continue
                print(f"you> (voice note {pending.name})", file=stdout, flush=True)
                await session.send_voice(pending)
                pending, wait = None, FIRST_VOICE_REPLY_SECONDS
            else:
                await session.send(line)
                wait = FIRST_REPLY_SECONDS
            session.options = []
            for event in await session.replies(clock=loop.time, first=wait):
                if event.get("error"):  # WhatsApp refused it: say so, never show it as said
                    print(f"bot> ✗ {event['error']['explanation']}", file=stdout, flush=True)
                    continue
                await _show(session, event["payload"], stdout)


async def _show(session: ChatSession, payload: dict[str, Any], stdout: TextIO) -> None:
    text, options = render(payload)
    session.options = options or session.options
    if payload.get("type") == "audio":
        saved = await session.save_voice_reply(payload["audio"]["id"], _replies_dir())
        text = f"(voice note) {saved}"
    print(f"bot> {text}", file=stdout, flush=True)


def _replies_dir() -> Path:
    directory = Path(tempfile.gettempdir()) / "hotelbot-chat"
    directory.mkdir(exist_ok=True)
    return directory
