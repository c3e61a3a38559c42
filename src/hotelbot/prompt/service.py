"""Prompt templates in the database: the active version per (property, language, name), new
versions, rollback and dry-run render. Every change is written to the audit log. Services flush,
never commit (the request or job commits)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.audit import service as audit_service
from hotelbot.errors import NotFound
from hotelbot.models import PromptTemplate
from hotelbot.prompt.defaults import DEFAULTS
from hotelbot.prompt.render import TemplateError, check, render

ANY = "*"


def keys(property_id: uuid.UUID | None, language: str | None) -> tuple[str, str]:
    return (str(property_id) if property_id else ANY, language or ANY)


async def active_templates(
    session: AsyncSession, property_id: uuid.UUID
) -> dict[tuple[str, str], str]:
    """Bodies in use for the property by (name, language): the property's own over the ones
    for every property; language "*" serves every language."""
    query = select(PromptTemplate).where(
        PromptTemplate.active.is_(True),
        PromptTemplate.property_key.in_((str(property_id), ANY)),
    )
    rows = sorted((await session.execute(query)).scalars(), key=lambda r: r.property_key != ANY)
    return {(row.name, row.language_key): row.body for row in rows}


async def list_versions(
    session: AsyncSession, *, property_id: uuid.UUID | None, language: str | None, name: str
) -> list[PromptTemplate]:
    property_key, language_key = keys(property_id, language)
    query = (
        select(PromptTemplate)
        .where(
            PromptTemplate.property_key == property_key,
            PromptTemplate.language_key == language_key,
            PromptTemplate.name == name,
        )
        .order_by(PromptTemplate.version)
    )
    return list((await session.execute(query)).scalars())


async def create_version(
    session: AsyncSession,
    *,
    property_id: uuid.UUID | None,
    language: str | None,
    name: str,
    body: str,
    variables: list[str] | None = None,
    actor: str,
) -> PromptTemplate:
    """A new active version; `TemplateError` (422) for a syntax error or an unknown variable.
    Variables default to the ones the template's name declares."""
    declared = _declared(name, variables)
    check(body, declared)
    property_key, language_key = keys(property_id, language)
    latest = await session.scalar(
        select(func.max(PromptTemplate.version)).where(
            PromptTemplate.property_key == property_key,
            PromptTemplate.language_key == language_key,
            PromptTemplate.name == name,
        )
    )
    await _deactivate(session, property_key, language_key, name)
    row = PromptTemplate(
        property_id=property_id,
        property_key=property_key,
        language=language,
        language_key=language_key,
        name=name,
        version=(latest or 0) + 1,
        body=body,
        variables=sorted(declared),
        active=True,
        created_by=actor,
    )
    session.add(row)
    await session.flush()
    await _audit(session, actor, "prompt_template.created", row)
    return row


async def rollback(
    session: AsyncSession,
    *,
    property_id: uuid.UUID | None,
    language: str | None,
    name: str,
    version: int,
    actor: str,
) -> PromptTemplate:
    """Make an earlier version the active one again (no row is changed but `active`)."""
    versions = await list_versions(session, property_id=property_id, language=language, name=name)
    target = next((v for v in versions if v.version == version), None)
    if target is None:
        raise NotFound(f"no version {version} of template {name}")
    await _deactivate(session, target.property_key, target.language_key, name)
    target.active = True
    await session.flush()
    await _audit(session, actor, "prompt_template.rolled_back", target)
    return target


def dry_run(name: str, body: str, variables: list[str] | None, context: Mapping[str, Any]) -> str:
    """Render without saving: the same checks as a save, then the sandboxed render."""
    declared = _declared(name, variables)
    check(body, declared)
    missing = sorted(set(declared) - set(context))
    if missing:
        raise TemplateError(f"no value for variable(s): {', '.join(missing)}")
    return render(body, context)


async def seed_defaults(session: AsyncSession) -> int:
    """Version 1 of every default template for every property and language, once."""
    added = 0
    for name, default in DEFAULTS.items():
        if await list_versions(session, property_id=None, language=None, name=name):
            continue
        await create_version(
            session,
            property_id=None,
            language=None,
            name=name,
            body=default.body,
            variables=list(default.variables),
            actor="system",
        )
        added += 1
    return added


def _declared(name: str, variables: list[str] | None) -> list[str]:
    if variables is not None:
        return variables
    if name in DEFAULTS:
        return list(DEFAULTS[name].variables)
    raise TemplateError(f"template {name} is not known: declare its variables")


async def _deactivate(
    session: AsyncSession, property_key: str, language_key: str, name: str
) -> None:
    await session.execute(
        update(PromptTemplate)
        .where(
            PromptTemplate.property_key == property_key,
            PromptTemplate.language_key == language_key,
            PromptTemplate.name == name,
        )
        .values(active=False)
    )


async def _audit(session: AsyncSession, actor: str, action: str, row: PromptTemplate) -> None:
    await audit_service.append(
        session,
        actor=actor,
        action=action,
        subject_type="prompt_template",
        subject_id=str(row.id),
        details={
            "name": row.name,
            "property": row.property_key,
            "language": row.language_key,
            "version": row.version,
        },
    )
