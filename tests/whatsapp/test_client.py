"""The real GraphClient against the sandbox (Meta's stand-in) through httpx.ASGITransport."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from hotelbot.engine.replies import (
    Button,
    Buttons,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Media,
    Reaction,
    Reply,
    Template,
    Text,
)
from hotelbot.sandbox import DEMO_PHONE_NUMBER_ID
from hotelbot.whatsapp import errors
from hotelbot.whatsapp.client import GraphClient
from hotelbot.whatsapp.outbound import render
from tests.sandbox.helpers import GRAPH, World, sandbox_world

GUEST = "351912345678"
PHONE = DEMO_PHONE_NUMBER_ID


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with sandbox_world(tmp_path) as world:
        yield world


REPLIES: list[Reply] = [
    Text(body="Olá! Como posso ajudar?"),
    Buttons(body="Confirm?", buttons=[Button(id="y", title="Sim"), Button(id="n", title="Não")]),
    ListMessage(
        body="Rooms",
        button="Ver quartos",
        sections=[ListSection(rows=[ListRow(id="dbl", title="Duplo", description="€95")])],
    ),
    Template(name="booking_reminder", language="pt_PT", body_parameters=["Rui"]),
    Media(media_type="image", link="https://hotel.example/pool.jpg", caption="Piscina"),
    Location(latitude=38.71, longitude=-9.14, name="Hotel Exemplo"),
]


@pytest.mark.parametrize("reply", REPLIES, ids=lambda r: r.kind)
async def test_send_records_the_exact_body(world: World, reply: Reply) -> None:
    wamid = await world.guest_says(GUEST, "Olá")
    payload = render(reply, to=GUEST, context_wamid=wamid, callback_data="out:1")

    result = await world.graph.send(PHONE, payload)

    sent = await world.sent()
    assert len(sent) == 1
    assert sent[0]["wamid"] == result.wamid and result.wamid.startswith("wamid.")
    assert sent[0]["payload"] == payload
    assert (sent[0]["phone_number_id"], sent[0]["to"], sent[0]["type"]) == (
        PHONE,
        GUEST,
        payload["type"],
    )


async def test_reaction_to_the_guest_message_is_sent(world: World) -> None:
    wamid = await world.guest_says(GUEST, "Obrigado!")
    payload = render(Reaction(emoji="❤️"), to=GUEST, context_wamid=wamid)
    await world.graph.send(PHONE, payload)
    assert [s["payload"] for s in await world.sent()] == [payload]


async def test_free_form_to_a_number_the_sandbox_never_saw_is_accepted(world: World) -> None:
    # Its message may have come through a webhook signed outside the sandbox (curl, a test).
    await world.graph.send(PHONE, render(Text(body="Hello"), to=GUEST))
    assert [s["to"] for s in await world.sent()] == [GUEST]


async def test_free_form_outside_the_window_is_refused_and_not_retryable(world: World) -> None:
    await world.guest_says(GUEST, "Hi")
    world.clock.now += timedelta(hours=25)
    with pytest.raises(errors.OutsideWindow) as caught:
        await world.graph.send(PHONE, render(Text(body="Hello"), to=GUEST))
    assert not caught.value.retryable
    assert caught.value.graph_code == 131047
    assert await world.sent() == []


async def test_window_closes_24_hours_after_the_guest_last_wrote(world: World) -> None:
    await world.guest_says(GUEST, "Hi")
    world.clock.now += timedelta(hours=23, minutes=59)
    await world.graph.send(PHONE, render(Text(body="Still here"), to=GUEST))
    world.clock.now += timedelta(minutes=2)
    with pytest.raises(errors.OutsideWindow):
        await world.graph.send(PHONE, render(Text(body="Too late"), to=GUEST))
    # Templates may always be sent.
    await world.graph.send(PHONE, render(Template(name="we_miss_you", language="en"), to=GUEST))
    assert [s["type"] for s in await world.sent()] == ["text", "template"]


@pytest.mark.parametrize(
    ("faults", "cls", "graph_code", "http_status"),
    [
        ({"throttle_rate": 1.0}, errors.Throttled, 130429, 429),
        ({"server_error_rate": 1.0}, errors.ServiceUnavailable, 131000, 500),
        ({"outside_window": True}, errors.OutsideWindow, 131047, 400),
    ],
)
async def test_injected_faults_become_typed_errors(
    world: World, faults: dict[str, object], cls: type, graph_code: int, http_status: int
) -> None:
    await world.guest_says(GUEST, "Hi")
    await world.http.post("/sandbox/api/faults", json=faults | {"statuses": False})
    with pytest.raises(cls) as caught:
        await world.graph.send(PHONE, render(Text(body="Hello"), to=GUEST))
    error = caught.value
    assert (error.graph_code, error.http_status) == (graph_code, http_status)
    assert error.retryable is (cls is not errors.OutsideWindow)
    assert await world.sent() == []


async def test_some_sends_fail_with_seeded_faults_and_only_successes_are_listed(
    world: World,
) -> None:
    await world.guest_says(GUEST, "Hi")
    faults = {"throttle_rate": 0.3, "server_error_rate": 0.2, "seed": 7, "statuses": False}
    await world.http.post("/sandbox/api/faults", json=faults)
    delivered, failed = [], 0
    for i in range(30):
        try:
            delivered.append(
                (await world.graph.send(PHONE, render(Text(body=f"#{i}"), to=GUEST))).wamid
            )
        except (errors.Throttled, errors.ServiceUnavailable) as exc:
            assert exc.retryable
            failed += 1
    assert failed > 0 and delivered
    assert [s["wamid"] for s in await world.sent()] == delivered


async def test_upload_then_download_round_trips_bytes(world: World) -> None:
    data = bytes(range(256)) * 40
    media_id = await world.graph.upload_media(PHONE, data, "image/png", "map.png")

    content, mime_type = await world.graph.download_media(media_id)

    assert (content, mime_type) == (data, "image/png")


async def test_uploaded_media_can_be_sent_by_id(world: World) -> None:
    await world.guest_says(GUEST, "Menu?")
    media_id = await world.graph.upload_media(
        PHONE, b"%PDF-1.7 menu", "application/pdf", "menu.pdf"
    )
    reply = Media(media_type="document", media_id=media_id, filename="menu.pdf")
    await world.graph.send(PHONE, render(reply, to=GUEST))
    assert (await world.sent())[0]["payload"]["document"] == {
        "id": media_id,
        "filename": "menu.pdf",
    }


async def test_unknown_media_is_a_typed_error(world: World) -> None:
    with pytest.raises(errors.InvalidParameter):
        await world.graph.download_media("4242424242")


async def test_mark_read_shows_read_and_typing(world: World) -> None:
    wamid = await world.guest_says(GUEST, "Hi")
    await world.graph.mark_read(PHONE, wamid, typing=True)
    conversation = (await world.http.get(f"/sandbox/api/conversations/{GUEST}")).json()
    assert conversation["typing"] is True
    assert conversation["messages"][0]["status"] == "read"


async def test_mark_read_of_an_unknown_message_is_invalid_parameter(world: World) -> None:
    with pytest.raises(errors.InvalidParameter):
        await world.graph.mark_read(PHONE, "wamid.nobody")


async def test_wrong_access_token_is_token_expired(world: World) -> None:
    client = GraphClient(GRAPH, "not-the-token", transport=world.transport)
    with pytest.raises(errors.TokenExpired) as caught:
        await client.send(PHONE, render(Text(body="Hello"), to=GUEST))
    assert not caught.value.retryable
    await client.aclose()


async def test_sends_are_paced_per_phone_number(world: World) -> None:
    await world.guest_says(GUEST, "Hi")
    slept: list[float] = []
    now = [0.0]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    client = GraphClient(
        GRAPH,
        "sandbox-access-token",
        transport=world.transport,
        messages_per_second=2,
        clock=lambda: now[0],
        sleep=sleep,
    )
    for i in range(4):
        await client.send(PHONE, render(Text(body=f"#{i}"), to=GUEST))
    await client.send("100000000000001", render(Text(body="other number"), to=GUEST))
    assert now[0] == pytest.approx(1.0)
    assert len(slept) == 2
    await client.aclose()
