"""The sandbox behaves like Meta: validation, faults, recording, signed webhooks, simulator page."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hotelbot.engine.replies import Button, Buttons, ListMessage, ListRow, ListSection, Text
from hotelbot.sandbox import DEMO_PHONE_NUMBER_ID
from hotelbot.whatsapp.outbound import render
from tests.sandbox.helpers import World, sandbox_world

GUEST = "34600111222"
PHONE = DEMO_PHONE_NUMBER_ID
MESSAGES = f"/sandbox/graph/v23.0/{PHONE}/messages"
AUTH = {"Authorization": "Bearer sandbox-access-token"}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with sandbox_world(tmp_path) as world:
        yield world


def text_body(**overrides: Any) -> dict[str, Any]:
    body = {"messaging_product": "whatsapp", "to": GUEST, "type": "text", "text": {"body": "Hi"}}
    return {k: v for k, v in (body | overrides).items() if v is not None}


class TestGuestMessages:
    async def test_text_arrives_as_a_signed_cloud_api_webhook(self, world: World) -> None:
        wamid = await world.guest_says(GUEST, "¿Tenéis parking?", name="Lucía")

        assert world.receiver.bad_signatures == 0
        [delivery] = world.receiver.deliveries
        assert delivery["object"] == "whatsapp_business_account"
        value = delivery["entry"][0]["changes"][0]["value"]
        assert value["metadata"]["phone_number_id"] == PHONE
        assert value["contacts"] == [{"profile": {"name": "Lucía"}, "wa_id": GUEST}]
        [message] = value["messages"]
        assert message["id"] == wamid
        assert (message["from"], message["type"]) == (GUEST, "text")
        assert message["text"] == {"body": "¿Tenéis parking?"}
        assert message["timestamp"].isdigit()

    async def test_button_tap_quotes_the_bot_message_that_offered_it(self, world: World) -> None:
        await world.guest_says(GUEST, "Book")
        offer = Buttons(
            body="Book it?", buttons=[Button(id="yes", title="Sí"), Button(id="no", title="No")]
        )
        sent = await world.graph.send(PHONE, render(offer, to=GUEST))

        response = await world.http.post(
            "/sandbox/api/messages", json={"from": GUEST, "button_id": "yes"}
        )

        assert response.status_code == 202
        message = world.receiver.messages()[-1]
        assert message["type"] == "interactive"
        assert message["interactive"] == {
            "type": "button_reply",
            "button_reply": {"id": "yes", "title": "Sí"},
        }
        assert message["context"]["id"] == sent.wamid

    async def test_list_row_pick(self, world: World) -> None:
        await world.guest_says(GUEST, "Rooms?")
        rows = [ListRow(id="ste", title="Suite", description="Sea view")]
        offer = ListMessage(body="Pick one", button="Rooms", sections=[ListSection(rows=rows)])
        await world.graph.send(PHONE, render(offer, to=GUEST))

        await world.http.post(
            "/sandbox/api/messages",
            json={"from": GUEST, "row_id": "ste", "title": "Suite", "description": "Sea view"},
        )

        interactive = world.receiver.messages()[-1]["interactive"]
        assert interactive == {
            "type": "list_reply",
            "list_reply": {"id": "ste", "title": "Suite", "description": "Sea view"},
        }

    async def test_location(self, world: World) -> None:
        await world.http.post(
            "/sandbox/api/messages", json={"from": GUEST, "latitude": 40.4168, "longitude": -3.7038}
        )
        message = world.receiver.messages()[-1]
        assert message["location"] == {"latitude": 40.4168, "longitude": -3.7038}

    @pytest.mark.parametrize(
        "body",
        [
            {"from": GUEST},
            {"from": GUEST, "text": "a", "button_id": "b"},
            {"from": "+34 600", "text": "a"},
            {"from": GUEST, "button_id": "never-offered"},
        ],
    )
    async def test_malformed_guest_actions_are_refused(
        self, world: World, body: dict[str, Any]
    ) -> None:
        response = await world.http.post("/sandbox/api/messages", json=body)
        assert response.status_code == 422
        assert world.receiver.deliveries == []

    async def test_unreachable_bot_is_reported_not_raised(self, tmp_path: Path) -> None:
        async with sandbox_world(tmp_path) as world:
            world.sandbox.webhook_transport = None
            world.sandbox.webhook_url = "http://127.0.0.1:9/webhooks/whatsapp"
            response = await world.http.post(
                "/sandbox/api/messages", json={"from": GUEST, "text": "hi"}
            )
        assert response.status_code == 202
        assert response.json()["webhook_status"] is None

    async def test_a_failed_delivery_is_tried_again_like_meta_does(self, world: World) -> None:
        world.sandbox.redelivery_pauses = (0.0, 0.0, 0.0)
        world.receiver.fail_next = 2
        response = await world.http.post(
            "/sandbox/api/messages", json={"from": GUEST, "text": "hi"}
        )
        assert response.json()["webhook_status"] == 500
        await world.sandbox.drain()
        assert [m["text"]["body"] for m in world.receiver.messages()] == ["hi"]

    async def test_a_refused_delivery_is_not_tried_again(self, world: World) -> None:
        world.sandbox.redelivery_pauses = (0.0, 0.0, 0.0)
        world.sandbox.app_secret = "another-secret"
        await world.http.post("/sandbox/api/messages", json={"from": GUEST, "text": "hi"})
        await world.sandbox.drain()
        assert world.receiver.bad_signatures == 1


class TestStatuses:
    async def test_sent_delivered_read_follow_each_send_with_callback_data(
        self, world: World
    ) -> None:
        await world.http.post("/sandbox/api/faults", json={"statuses": True, "status_delay_ms": 0})
        await world.guest_says(GUEST, "Hi")
        payload = render(Text(body="Hello!"), to=GUEST, callback_data="outbox:9")
        result = await world.graph.send(PHONE, payload)

        await world.sandbox.drain()

        statuses = world.receiver.statuses()
        assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
        assert {s["id"] for s in statuses} == {result.wamid}
        assert all(s["biz_opaque_callback_data"] == "outbox:9" for s in statuses)
        assert all(s["recipient_id"] == GUEST for s in statuses)
        assert world.receiver.bad_signatures == 0
        assert (await world.sent())[0]["status"] == "read"

    async def test_statuses_can_be_switched_off(self, world: World) -> None:
        await world.guest_says(GUEST, "Hi")
        await world.graph.send(PHONE, render(Text(body="Hello!"), to=GUEST))
        await world.sandbox.drain()
        assert world.receiver.statuses() == []


class TestGraphValidation:
    @pytest.mark.parametrize(
        ("body", "code"),
        [
            (text_body(to=None), 100),
            (text_body(messaging_product=None), 100),
            (text_body(type="telegram"), 100),
            (text_body(text={"body": "x" * 4097}), 100),
            (text_body(text=None), 100),
            (
                render(Buttons(body="b", buttons=[Button(id="a", title="A")]), to=GUEST)
                | {
                    "interactive": {
                        "type": "button",
                        "body": {"text": "b"},
                        "action": {
                            "buttons": [
                                {"type": "reply", "reply": {"id": str(i), "title": "T"}}
                                for i in range(4)
                            ]
                        },
                    }
                },
                131009,
            ),
            (
                {
                    "messaging_product": "whatsapp",
                    "to": GUEST,
                    "type": "interactive",
                    "interactive": {
                        "type": "list",
                        "body": {"text": "b"},
                        "action": {
                            "button": "Rooms",
                            "sections": [
                                {
                                    "title": "S",
                                    "rows": [{"id": str(i), "title": "R"} for i in range(11)],
                                }
                            ],
                        },
                    },
                },
                131009,
            ),
            (
                {
                    "messaging_product": "whatsapp",
                    "to": GUEST,
                    "type": "interactive",
                    "interactive": {
                        "type": "button",
                        "body": {"text": "b"},
                        "action": {
                            "buttons": [{"type": "reply", "reply": {"id": "a", "title": "t" * 21}}]
                        },
                    },
                },
                131009,
            ),
        ],
        ids=[
            "no to",
            "no product",
            "unknown type",
            "text too long",
            "no text",
            "4 buttons",
            "11 rows",
            "long title",
        ],
    )
    async def test_bad_bodies_get_metas_error(
        self, world: World, body: dict[str, Any], code: int
    ) -> None:
        await world.guest_says(GUEST, "Hi")
        response = await world.http.post(MESSAGES, json=body, headers=AUTH)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == code
        assert error["type"] == "OAuthException"
        assert error["fbtrace_id"]
        assert await world.sent() == []

    async def test_type_defaults_to_text_as_at_meta(self, world: World) -> None:
        await world.guest_says(GUEST, "Hi")
        response = await world.http.post(MESSAGES, json=text_body(type=None), headers=AUTH)
        assert response.status_code == 200
        body = response.json()
        assert body["messaging_product"] == "whatsapp"
        assert body["contacts"] == [{"input": GUEST, "wa_id": GUEST}]
        assert body["messages"][0]["id"].startswith("wamid.")

    @pytest.mark.parametrize(
        ("headers", "code"), [({}, 104), ({"Authorization": "Bearer wrong"}, 190)]
    )
    async def test_bearer_token_is_required(
        self, world: World, headers: dict[str, str], code: int
    ) -> None:
        response = await world.http.post(MESSAGES, json=text_body(), headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == code

    async def test_malformed_json_is_code_100(self, world: World) -> None:
        response = await world.http.post(MESSAGES, content=b"{nope", headers=AUTH)
        assert (response.status_code, response.json()["error"]["code"]) == (400, 100)

    async def test_media_lifecycle_and_delete(self, world: World) -> None:
        media_id = await world.graph.upload_media(PHONE, b"hello", "text/plain", "a.txt")
        info = (await world.http.get(f"/sandbox/graph/v23.0/{media_id}", headers=AUTH)).json()
        assert info["id"] == media_id
        assert (info["mime_type"], info["file_size"]) == ("text/plain", 5)
        assert len(info["sha256"]) == 64
        assert (await world.http.get(info["url"])).status_code == 401  # download needs the token
        deleted = await world.http.delete(f"/sandbox/graph/v23.0/{media_id}", headers=AUTH)
        assert deleted.json() == {"success": True}
        assert (
            await world.http.get(f"/sandbox/graph/v23.0/{media_id}", headers=AUTH)
        ).status_code == 400


class TestSandboxApi:
    async def test_faults_can_be_read_set_and_reset(self, world: World) -> None:
        faults = {"throttle_rate": 0.3, "server_error_rate": 0.1, "outside_window": True, "seed": 1}
        set_ = await world.http.post("/sandbox/api/faults", json=faults)
        assert set_.status_code == 200
        assert (await world.http.get("/sandbox/api/faults")).json() | faults == set_.json()
        reset = (await world.http.delete("/sandbox/api/faults")).json()
        assert (reset["throttle_rate"], reset["outside_window"], reset["statuses"]) == (
            0.0,
            False,
            True,
        )

    @pytest.mark.parametrize(
        "faults",
        [{"throttle_rate": 1.5}, {"throttle_rate": 0.6, "server_error_rate": 0.6}, {"nope": 1}],
    )
    async def test_impossible_faults_are_refused(
        self, world: World, faults: dict[str, Any]
    ) -> None:
        assert (await world.http.post("/sandbox/api/faults", json=faults)).status_code == 422

    async def test_sent_lists_oldest_first_and_can_be_cleared(self, world: World) -> None:
        await world.guest_says(GUEST, "Hi")
        for text in ("one", "two", "three"):
            await world.graph.send(PHONE, render(Text(body=text), to=GUEST))
        sent = await world.sent()
        assert [s["payload"]["text"]["body"] for s in sent] == ["one", "two", "three"]
        assert all(
            {"phone_number_id", "to", "type", "wamid", "payload", "at"} <= s.keys() for s in sent
        )
        assert (await world.http.delete("/sandbox/api/sent")).status_code == 200
        assert await world.sent() == []

    async def test_conversation_holds_both_directions_in_order(self, world: World) -> None:
        await world.guest_says(GUEST, "Hi")
        await world.graph.send(PHONE, render(Text(body="Hello!"), to=GUEST))
        world.clock.now += timedelta(seconds=5)
        await world.guest_says(GUEST, "Breakfast?")
        await world.guest_says("34600999888", "Someone else")

        conversation = (await world.http.get(f"/sandbox/api/conversations/{GUEST}")).json()

        assert [(m["direction"], m["type"]) for m in conversation["messages"]] == [
            ("in", "text"),
            ("out", "text"),
            ("in", "text"),
        ]
        last_seq = conversation["messages"][1]["seq"]
        newer = (
            await world.http.get(f"/sandbox/api/conversations/{GUEST}?after={last_seq}")
        ).json()
        assert [m["payload"]["text"]["body"] for m in newer["messages"]] == ["Breakfast?"]

    async def test_simulator_page_and_script_are_served(self, world: World) -> None:
        page = await world.http.get("/sandbox/")
        assert page.status_code == 200
        assert "Guest simulator" in page.text
        assert PHONE in page.text
        script = await world.http.get("/sandbox/static/simulator.js")
        assert script.status_code == 200
        assert "/sandbox/api/messages" in script.text


class TestRefusals:
    """A reply refused by the 24-hour rule is kept and explained, never listed as sent."""

    async def test_a_reply_after_24_hours_is_listed_as_refused_with_why(self, world: World) -> None:
        await world.guest_says(GUEST, "Hi")
        world.clock.now += timedelta(hours=25)
        late = render(Buttons(body="Still there?", buttons=[Button(id="y", title="Yes")]), to=GUEST)

        response = await world.http.post(MESSAGES, json=late, headers=AUTH)

        assert (response.status_code, response.json()["error"]["code"]) == (400, 131047)
        assert await world.sent() == []
        [refused] = (await world.http.get("/sandbox/api/refused")).json()
        assert (refused["to"], refused["payload"]) == (GUEST, late)
        assert refused["error"]["code"] == 131047
        assert refused["error"]["title"] == "Re-engagement message"
        assert "24-hour rule" in refused["error"]["explanation"]

    async def test_the_conversation_shows_the_refused_reply_in_its_place(
        self, world: World
    ) -> None:
        await world.guest_says(GUEST, "Hi")
        await world.http.post("/sandbox/api/faults", json={"outside_window": True})
        await world.http.post(MESSAGES, json=render(Text(body="Hello!"), to=GUEST), headers=AUTH)

        conversation = (await world.http.get(f"/sandbox/api/conversations/{GUEST}")).json()

        [guest, reply] = conversation["messages"]
        assert (guest["direction"], reply["direction"], reply["status"]) == ("in", "out", "failed")
        assert reply["error"]["code"] == 131047 and reply["wamid"] == ""
        assert guest["error"] is None

    async def test_templates_are_never_refused_by_the_window(self, world: World) -> None:
        await world.http.post("/sandbox/api/faults", json={"outside_window": True})
        template = {"messaging_product": "whatsapp", "to": GUEST, "type": "template",
                    "template": {"name": "welcome_back", "language": {"code": "en"}}}  # fmt: skip

        response = await world.http.post(MESSAGES, json=template, headers=AUTH)

        assert response.status_code == 200
        assert (await world.http.get("/sandbox/api/refused")).json() == []
