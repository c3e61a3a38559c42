"""The admin API for prompt templates: token auth, versions, audit, rollback, dry-run, 422s."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.api.app import create_api_app
from hotelbot.audit import service as audit_service
from hotelbot.kit.db import session_scope
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.models import AuditEntry
from hotelbot.prompt import service as prompt_service
from hotelbot.property.demo import DEMO_PROPERTY_ID, ensure_demo_property
from hotelbot.resources import Resources, open_resources
from hotelbot.settings import AdminSettings, Settings

TOKEN = "admin-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SYSTEM = f"/admin/v1/prompts/{DEMO_PROPERTY_ID}/es/system"


@pytest.fixture
async def admin(
    settings: Settings, engine: AsyncEngine
) -> AsyncIterator[tuple[httpx.AsyncClient, Resources]]:
    """The API over the test database (`engine` empties it afterwards on PostgreSQL)."""
    settings.admin = AdminSettings(token=SecretStr(TOKEN))
    async with open_resources(settings, InProcessQueue()) as resources:
        async with session_scope(resources.sessionmaker) as session:
            await ensure_demo_property(
                session, phone_number_id="109876543210987", display_phone_number="+1 555 0100"
            )
            await prompt_service.seed_defaults(session)
        transport = httpx.ASGITransport(app=create_api_app(resources))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, resources


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]
)
async def test_every_route_needs_the_token(
    admin: tuple[httpx.AsyncClient, Resources], headers: dict[str, str]
) -> None:
    client, _ = admin
    for method, path in [
        ("GET", "/admin/v1/prompts"),
        ("POST", SYSTEM),
        ("POST", "/admin/v1/prompts/render"),
    ]:
        response = await client.request(method, path, headers=headers, json={"body": "x"})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"] == "unauthorized"


async def test_the_defaults_are_seeded(admin: tuple[httpx.AsyncClient, Resources]) -> None:
    client, _ = admin
    rows = (await client.get("/admin/v1/prompts", headers=AUTH)).json()
    assert {(r["name"], r["version"], r["active"]) for r in rows} == {
        ("system", 1, True), ("understand", 1, True),
    }  # fmt: skip


async def test_edits_are_versioned_audited_and_rolled_back(
    admin: tuple[httpx.AsyncClient, Resources],
) -> None:
    client, resources = admin
    first = await client.post(
        SYSTEM, headers=AUTH, json={"body": "Eres el conserje de {{ hotel }}."}
    )
    second = await client.post(
        SYSTEM, headers=AUTH, json={"body": "Hola desde {{ hotel }} ({{ today }})."}
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    versions = (await client.get(SYSTEM, headers=AUTH)).json()
    assert [(v["version"], v["active"]) for v in versions] == [(1, False), (2, True)]

    rolled = await client.post(f"{SYSTEM}/rollback", headers=AUTH, json={"version": 1})
    assert rolled.status_code == 200 and rolled.json()["active"] is True
    async with session_scope(resources.sessionmaker) as session:
        used = await prompt_service.active_templates(session, DEMO_PROPERTY_ID)
        actions = list((await session.execute(select(AuditEntry.action, AuditEntry.actor))).all())
        chain = await audit_service.verify(session)
    assert used[("system", "es")] == "Eres el conserje de {{ hotel }}."
    mine = [a for a in actions if a[1].startswith("admin:")]
    assert [a[0] for a in mine] == [
        "prompt_template.created", "prompt_template.created", "prompt_template.rolled_back",
    ]  # fmt: skip
    assert TOKEN not in "".join(a[1] for a in actions)
    assert chain.intact


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("Hola {{ guest_phone }}", "unknown variable(s): guest_phone"),
        ("{% for x in facts %}", "syntax error on line 1"),
    ],
)
async def test_a_bad_template_is_refused_with_a_clear_422(
    admin: tuple[httpx.AsyncClient, Resources], body: str, detail: str
) -> None:
    client, _ = admin
    response = await client.post(SYSTEM, headers=AUTH, json={"body": body})
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert (await client.get(SYSTEM, headers=AUTH)).status_code == 404  # nothing was saved


async def test_dry_run_renders_without_saving(admin: tuple[httpx.AsyncClient, Resources]) -> None:
    client, _ = admin
    response = await client.post(
        "/admin/v1/prompts/render",
        headers=AUTH,
        json={
            "body": "{{ hotel }}: {{ facts.wifi }}",
            "variables": ["hotel", "facts"],
            "context": {"hotel": "Miramar", "facts": {"wifi": "password: hunter22"}},
        },
    )
    assert response.status_code == 200
    assert response.json() == {"rendered": "Miramar: password: [secret]"}
    missing = await client.post(
        "/admin/v1/prompts/render",
        headers=AUTH,
        json={"body": "{{ hotel }}", "variables": ["hotel"]},
    )
    assert missing.status_code == 422 and "hotel" in missing.json()["detail"]


async def test_admin_calls_and_wrong_tokens_are_limited_per_address(
    settings: Settings, engine: AsyncEngine
) -> None:
    settings.admin = AdminSettings(token=SecretStr(TOKEN))
    settings.limits.admin = "3/minute"
    settings.limits.login = "1/minute"
    async with open_resources(settings, InProcessQueue()) as resources:
        app = create_api_app(resources)

        async def calls(address: str, headers: dict[str, str]) -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return [await client.get("/admin/v1/prompts", headers=headers) for _ in range(4)]

        guessing = await calls("203.0.113.20", {"Authorization": "Bearer guess"})
        busy = await calls("203.0.113.21", AUTH)

    assert [r.status_code for r in guessing] == [401, 429, 429, 429]
    assert [r.status_code for r in busy] == [200, 200, 200, 429]
    assert int(busy[-1].headers["Retry-After"]) >= 1
