"""The sandbox's media endpoints behave like Meta's: guest voice notes arrive as `audio`
messages naming a media id, download URLs work for five minutes, media is kept for 30 days,
and uploads are checked for type and size."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from hotelbot.sandbox import DEMO_PHONE_NUMBER_ID
from hotelbot.whatsapp import errors
from tests.sandbox.helpers import World, sandbox_world

GUEST = "34600111222"
AUTH = {"Authorization": "Bearer sandbox-access-token"}
NOTE = b"OggS" + bytes(range(200))


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with sandbox_world(tmp_path) as world:
        yield world


async def _voice(world: World, data: bytes = NOTE) -> str:
    response = await world.http.post(
        "/sandbox/api/voice",
        data={"from": GUEST, "name": "Eva"},
        files={"file": ("voice.ogg", data, "audio/ogg; codecs=opus")},
    )
    assert response.status_code == 202, response.text
    assert response.json()["webhook_status"] == 200
    return str(response.json()["media_id"])


async def test_a_guest_voice_note_arrives_as_an_audio_message_with_a_media_id(
    world: World,
) -> None:
    media_id = await _voice(world)
    [message] = world.receiver.messages()
    assert message["type"] == "audio"
    assert message["audio"]["id"] == media_id
    assert message["audio"]["voice"] is True
    assert message["audio"]["mime_type"] == "audio/ogg; codecs=opus"
    assert len(message["audio"]["sha256"]) == 64
    assert await world.graph.download_media(media_id) == (NOTE, "audio/ogg; codecs=opus")


async def test_a_download_url_expires_after_five_minutes(world: World) -> None:
    media_id = await _voice(world)
    info = (await world.http.get(f"/sandbox/graph/v23.0/{media_id}", headers=AUTH)).json()
    assert (await world.http.get(info["url"], headers=AUTH)).content == NOTE
    world.clock.now += timedelta(minutes=5)
    assert (await world.http.get(info["url"], headers=AUTH)).status_code == 404
    # A fresh look-up gives a fresh URL, as on Meta.
    assert (await world.graph.download_media(media_id))[0] == NOTE


async def test_a_url_for_one_media_id_does_not_open_another(world: World) -> None:
    first, second = await _voice(world), await _voice(world, NOTE + b"2")
    info = (await world.http.get(f"/sandbox/graph/v23.0/{first}", headers=AUTH)).json()
    forged = info["url"].replace(first, second)
    assert (await world.http.get(forged, headers=AUTH)).status_code == 404


async def test_media_older_than_30_days_is_gone(world: World) -> None:
    media_id = await _voice(world)
    world.clock.now += timedelta(days=30)
    with pytest.raises(errors.InvalidParameter):
        await world.graph.download_media(media_id)


async def test_media_can_be_expired_through_the_sandbox_api(world: World) -> None:
    media_id = await _voice(world)
    assert (await world.http.post(f"/sandbox/api/media/{media_id}/expire")).status_code == 200
    with pytest.raises(errors.InvalidParameter):
        await world.graph.download_media(media_id)
    assert (await world.http.post("/sandbox/api/media/123/expire")).status_code == 404


async def test_a_failing_download_is_a_retryable_error(world: World) -> None:
    media_id = await _voice(world)
    await world.http.post("/sandbox/api/faults", json={"media_download_failure": True})
    with pytest.raises(errors.ServiceUnavailable) as raised:
        await world.graph.download_media(media_id)
    assert raised.value.retryable


async def test_the_client_refuses_media_over_its_size_cap_before_downloading(
    world: World,
) -> None:
    media_id = await _voice(world)
    with pytest.raises(errors.MediaTooLarge):
        await world.graph.download_media(media_id, max_bytes=len(NOTE) - 1)
    assert (await world.graph.download_media(media_id, max_bytes=len(NOTE)))[0] == NOTE


@pytest.mark.parametrize(
    ("mime_type", "size"),
    [("audio/wav", 100), ("audio/ogg", 16 * 1024 * 1024 + 1), ("audio/mpeg", 0)],
)
async def test_uploads_meta_would_refuse_are_code_100(
    world: World, mime_type: str, size: int
) -> None:
    with pytest.raises(errors.InvalidParameter):
        await world.graph.upload_media(DEMO_PHONE_NUMBER_ID, b"\1" * size, mime_type, "a")


async def test_an_uploaded_voice_reply_can_be_played_back(world: World) -> None:
    media_id = await world.graph.upload_media(
        DEMO_PHONE_NUMBER_ID, NOTE, "audio/ogg; codecs=opus", "reply.ogg"
    )
    played = await world.http.get(f"/sandbox/api/media/{media_id}")
    assert (played.content, played.headers["content-type"]) == (NOTE, "audio/ogg; codecs=opus")
