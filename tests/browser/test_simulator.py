"""The guest simulator in a real browser: `hotelbot run` as a user starts it, driven with
Playwright in Debian's chromium the way a guest would use it (type, tap buttons, open a list
and pick a row), checked on the page AND in the PMS and the conversation store.

Needs `/usr/bin/chromium` (`apt-get install chromium`; `.ci/run` installs it) or
`CHROMIUM_PATH`. Playwright's own browser download is never used.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.voice.samples import voice_note

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The voice test records from a fake microphone (a beep): no prompt, no real device.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
PMS_TOKEN = "browser-test-pms-token"
PROPERTY = "demo-miramar"
GUEST_NUMBER = "34611222333"
STARTUP_SECONDS = 60.0
#: Bound for one bot answer to show on the page (burst window 1.5 s + turn + 1 s poll).
REPLY_MS = 20_000
REFERENCE = re.compile(r"\b[A-Z]{3}-[A-Z0-9]{8}\b")
MESES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[str]:
    """`hotelbot run` on a free port and an empty data dir, as README's first command."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTELBOT_")} | {
        "HOTELBOT_DATA_DIR": str(data_dir),
        "HOTELBOT_PORT": str(port),
        "HOTELBOT_PMS__TOKEN": PMS_TOKEN,
    }
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hotelbot", "run"], env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    deadline = dt.datetime.now() + dt.timedelta(seconds=STARTUP_SECONDS)
    while not _ready(base):
        try:
            # Waiting on the process itself: if it dies we know at once.
            process.wait(timeout=0.2)
            pytest.fail("hotelbot run exited:\n" + log_path.read_text())
        except subprocess.TimeoutExpired:
            pass
        if dt.datetime.now() > deadline:
            process.kill()
            pytest.fail("hotelbot run did not become ready:\n" + log_path.read_text())
    yield base
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"chromium not found at {CHROMIUM}: install it with "
            "`apt-get install -y --no-install-recommends chromium` (CI does, in .ci/run) "
            "or point CHROMIUM_PATH at a Chromium binary"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: str, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="es-ES")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/sandbox/")
    yield page
    # What the guest last saw, for whoever reads a failure.
    page.screenshot(path=str(tmp_path / "simulator.png"))
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


# ---- what a guest does -----------------------------------------------------------------------


def become_guest(page: Page, number: str) -> None:
    page.get_by_label("Language").select_option("es")
    number_field = page.get_by_label("WhatsApp number (digits)")
    number_field.fill(number)
    number_field.press("Tab")  # `change` fires as the field loses focus, as for a person


BOT_BUBBLES = "//div[contains(@class, 'msg') and contains(concat(' ', @class, ' '), ' out ')]"


def bot_bubbles(page: Page) -> int:
    return page.locator(f"xpath={BOT_BUBBLES}").count()


def write(page: Page, text: str) -> int:
    """Type and send `text`; answers how many bot bubbles were on the page before it."""
    before = bot_bubbles(page)
    page.get_by_placeholder("Message").fill(text)
    page.get_by_placeholder("Message").press("Enter")
    return before


def bot_says(page: Page, pattern: str, *, after: int) -> Locator:
    """The first bot bubble after the first `after` ones matching `pattern` (bounded wait)."""
    newer = page.locator(f"xpath=({BOT_BUBBLES})[position() > {after}]")
    bubble = newer.filter(has_text=re.compile(pattern, re.IGNORECASE)).first
    expect(bubble).to_be_visible(timeout=REPLY_MS)
    return bubble


def stay_dates(today: dt.date) -> tuple[dt.date, dt.date, str]:
    """Two nights from the 10th of the month after next, and how a Spanish guest says it."""
    first = (today.replace(day=1) + dt.timedelta(days=32 * 2)).replace(day=1)
    check_in, check_out = first.replace(day=10), first.replace(day=12)
    return check_in, check_out, f"del 10 al 12 de {MESES.split()[first.month - 1]}"


def guest_taps(server: str, number: str) -> list[dict[str, Any]]:
    """The interactive replies the guest's taps produced, as the sandbox delivered them."""
    events = httpx.get(f"{server}/sandbox/api/conversations/{number}", timeout=5).json()
    return [
        e["payload"]["interactive"]
        for e in events["messages"]
        if e["direction"] == "in" and e["type"] == "interactive"
    ]


def human_conversations(data_dir: Path) -> int:
    """Conversations the staff now own (the bot stays quiet in them)."""
    uri = f"file:{data_dir / 'hotelbot.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        (count,) = db.execute("select count(*) from conversations where mode = 'human'").fetchone()
    return int(count)


# ---- the test --------------------------------------------------------------------------------


def test_guest_greets_asks_books_and_gets_a_human(page: Page, server: str, data_dir: Path) -> None:
    expect(page).to_have_title(re.compile("guest simulator"))
    become_guest(page, GUEST_NUMBER)

    # Greeting: answered in Spanish with reply buttons to tap.
    before = write(page, "Hola")
    expect(page.locator(".msg.in").last).to_have_text(re.compile("^Hola"), timeout=REPLY_MS)
    bot_says(page, r"hola|bienvenid", after=before)
    expect(page.locator(".choices button.reply").first).to_be_enabled()

    # A question from the knowledge base.
    before = write(page, "¿A qué hora es el desayuno?")
    expect(bot_says(page, "desayuno", after=before)).to_have_text(re.compile(r"07:00"))

    # Booking: dates and guests typed, an offer picked from the list, confirmed with a button.
    check_in, check_out, spoken = stay_dates(dt.date.today())
    before = write(page, f"Quiero reservar una habitación {spoken} para 2 adultos")
    bot_says(page, r"2 noches", after=before)
    before = bot_bubbles(page)
    page.locator(".choices button.list-open").last.click()
    dialog = page.locator("#list-dialog")
    expect(dialog).to_be_visible()
    row = dialog.locator("button.row").first
    offer_id = row.get_attribute("data-id")
    row_title = row.locator(".row-title").inner_text()
    row.click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".msg.in").last).to_contain_text(row_title, timeout=REPLY_MS)

    bot_says(page, r"total", after=before)
    before = bot_bubbles(page)
    confirm = page.get_by_role("button", name="Confirmar").last
    expect(confirm).to_be_enabled(timeout=REPLY_MS)
    confirm.click()
    expect(confirm).to_be_disabled(timeout=REPLY_MS)  # a tapped message cannot be tapped again
    bot_says(page, r"nombre", after=before)
    before = write(page, "Lucía Fernández")
    confirmed = bot_says(page, REFERENCE.pattern, after=before)
    reference_match = REFERENCE.search(confirmed.inner_text())
    assert reference_match is not None
    reference = reference_match.group(0)

    # The taps reached the bot as the ids of what was tapped.
    taps = guest_taps(server, GUEST_NUMBER)
    assert [t["list_reply"]["id"] for t in taps if "list_reply" in t] == [offer_id]
    assert [t["button_reply"]["id"] for t in taps if "button_reply" in t] == ["book:confirm"]

    # The booking is real: the PMS has it, with what the guest chose.
    response = httpx.get(
        f"{server}/pms/v1/properties/{PROPERTY}/reservations/{reference}",
        headers={"Authorization": f"Bearer {PMS_TOKEN}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    reservation = response.json()
    assert reservation["status"] == "confirmed"
    assert (reservation["check_in"], reservation["check_out"]) == (
        check_in.isoformat(),
        check_out.isoformat(),
    )
    assert reservation["occupancy"]["adults"] == 2
    assert offer_id == f"book:offer:{reservation['room_type_code']}|{reservation['rate_plan_code']}"
    assert (reservation["guest"]["first_name"], reservation["guest"]["last_name"]) == (
        "Lucía",
        "Fernández",
    )
    assert reservation["guest"]["phone"] == f"+{GUEST_NUMBER}"

    # Handover: the guest is told a person will answer, and the staff own the conversation.
    assert human_conversations(data_dir) == 0
    before = write(page, "Quiero hablar con una persona")
    bot_says(page, r"equipo|persona", after=before)
    assert human_conversations(data_dir) == 1


def test_a_reply_refused_by_the_24_hour_rule_says_so(page: Page, server: str) -> None:
    # The sandbox refuses every free-form send, as Meta does outside the 24-hour window.
    httpx.post(f"{server}/sandbox/api/faults", json={"outside_window": True}).raise_for_status()
    try:
        become_guest(page, "34611222444")
        before = write(page, "Hola")

        refused = bot_says(page, "24-hour rule", after=before)
        expect(refused).to_have_class(re.compile(r"\brefused\b"))
        expect(refused.locator(".refusal")).to_contain_text("code 131047")
        expect(refused.locator(".ticks.failed")).to_be_visible()
        # A refused greeting offers no buttons to tap: the guest never got them.
        expect(page.locator(".choices button.reply")).to_have_count(0)
    finally:
        httpx.delete(f"{server}/sandbox/api/faults").raise_for_status()


def test_guest_sends_a_voice_note_and_plays_the_bots_voice_reply(
    page: Page, server: str, tmp_path: Path
) -> None:
    become_guest(page, "34611222466")
    note = tmp_path / "pregunta.ogg"
    note.write_bytes(voice_note("¿Tienen parking?", "es"))
    before = bot_bubbles(page)
    page.locator("#voice-file").set_input_files(str(note))
    expect(page.locator(".msg.in audio.voice").first).to_be_visible(timeout=REPLY_MS)
    bot_says(page, "garaje", after=before)
    reply = page.locator(".msg.out audio.voice").first
    expect(reply).to_be_visible(timeout=REPLY_MS)
    source = reply.get_attribute("src") or ""
    assert httpx.get(f"{server}{source}").content[:4] == b"OggS"
    # The page plays it: the browser loads the note and knows its length.
    duration = reply.evaluate(
        "a => new Promise(done => { a.addEventListener('loadedmetadata', () => done(a.duration));"
        " a.load(); })"
    )
    assert duration > 1


def test_guest_records_from_the_microphone(page: Page) -> None:
    page.context.grant_permissions(["microphone"])
    become_guest(page, "34611222555")
    before = bot_bubbles(page)
    page.get_by_role("button", name="Record a voice note").click()
    page.wait_for_timeout(2500)
    page.get_by_role("button", name="Stop and send").click()
    expect(page.locator(".msg.in audio.voice").first).to_be_visible(timeout=REPLY_MS)
    # Chromium's fake microphone plays a beep: a note with no words, answered politely.
    bot_says(page, "ninguna palabra", after=before)
