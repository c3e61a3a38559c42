"""The admin REST API under `/admin/v1` (bearer token `admin.token`; empty = disabled).

Prompt templates: list, versions, create a version, roll back, dry-run render. A bad template
(syntax error, unknown variable) answers 422 with what is wrong; every change is audited as
`admin:<token fingerprint>`. The staff console (issue 11) adds the screens over these routes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from hotelbot import rate_limits
from hotelbot.api.deps import DbSession, SettingsDep
from hotelbot.errors import NotFound, Unauthorized
from hotelbot.models import PromptTemplate, Property
from hotelbot.prompt import service as prompt_service
from hotelbot.prompt.defaults import DEFAULTS
from hotelbot.prompt.render import TemplateError
from hotelbot.rate_limits import per_client_ip

# Per client address: `limits.admin` for every admin call (429 + Retry-After).
router = APIRouter(
    prefix="/admin/v1", tags=["admin"], dependencies=[Depends(per_client_ip("admin"))]
)
_NAME = r"^[a-z][a-z0-9_]{0,63}$"
_LANGUAGE = r"^[a-z]{2}$"


async def require_admin(request: Request, settings: SettingsDep) -> str:
    """The caller as an audit actor; 401 unless the bearer token is the configured one.

    A wrong token also counts against the address's `limits.login` (429 once over it), so the
    token cannot be guessed at speed.
    """
    expected = settings.admin.token.get_secret_value()
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not expected or not token or not hmac.compare_digest(token, expected):
        limiter = getattr(request.app.state, "rate_limiter", None)
        await rate_limits.enforce(limiter, "login", rate_limits.client_key(request))
        raise Unauthorized("a valid admin bearer token is required")
    return "admin:" + hashlib.sha256(token.encode()).hexdigest()[:12]


Admin = Annotated[str, Depends(require_admin)]


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000)
    #: Variables the template may use; default: those its name declares (`system`, ...).
    variables: list[str] | None = Field(None, max_length=50)


class RollbackIn(BaseModel):
    version: int = Field(ge=1)


class DryRunIn(TemplateIn):
    #: Values to render with; plain JSON only (strings are redacted before rendering).
    context: dict[str, Any] = Field(default_factory=dict)


class TemplateOut(BaseModel):
    id: uuid.UUID
    property_id: uuid.UUID | None
    language: str | None
    name: str
    version: int
    active: bool
    variables: list[str]
    body: str
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: PromptTemplate) -> TemplateOut:
        return cls(
            id=row.id,
            property_id=row.property_id,
            language=row.language,
            name=row.name,
            version=row.version,
            active=row.active,
            variables=list(row.variables),
            body=row.body,
            created_by=row.created_by,
            created_at=row.created_at,
        )


async def _property_id(session: DbSession, scope: str) -> uuid.UUID | None:
    """`*` = every property; else a property's id or slug."""
    if scope == prompt_service.ANY:
        return None
    try:
        query = select(Property.id).where(Property.id == uuid.UUID(scope))
    except ValueError:
        query = select(Property.id).where(Property.slug == scope)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("no such property")
    return found


def _language(language: str) -> str | None:
    return None if language == prompt_service.ANY else language


@router.get("/prompts")
async def list_templates(session: DbSession, _: Admin) -> list[TemplateOut]:
    """Every version of every template, newest version last."""
    query = select(PromptTemplate).order_by(
        PromptTemplate.property_key, PromptTemplate.language_key, PromptTemplate.name,
        PromptTemplate.version,
    )  # fmt: skip
    return [TemplateOut.of(row) for row in (await session.execute(query)).scalars()]


@router.get("/prompts/{scope}/{language}/{name}")
async def list_versions(
    scope: str, language: str, name: str, session: DbSession, _: Admin
) -> list[TemplateOut]:
    rows = await prompt_service.list_versions(
        session,
        property_id=await _property_id(session, scope),
        language=_language(language),
        name=name,
    )
    if not rows:
        raise NotFound("no such template")
    return [TemplateOut.of(row) for row in rows]


@router.post("/prompts/{scope}/{language}/{name}", status_code=201)
async def create_version(
    scope: str, language: str, name: str, body: TemplateIn, session: DbSession, actor: Admin
) -> TemplateOut:
    """A new version, active at once; 422 for a syntax error or an unknown variable."""
    row = await prompt_service.create_version(
        session,
        property_id=await _property_id(session, scope),
        language=_language(_checked(language, _LANGUAGE, "language")),
        name=_checked(name, _NAME, "name"),
        body=body.body,
        variables=body.variables,
        actor=actor,
    )
    return TemplateOut.of(row)


@router.post("/prompts/{scope}/{language}/{name}/rollback")
async def rollback(
    scope: str, language: str, name: str, body: RollbackIn, session: DbSession, actor: Admin
) -> TemplateOut:
    row = await prompt_service.rollback(
        session,
        property_id=await _property_id(session, scope),
        language=_language(language),
        name=name,
        version=body.version,
        actor=actor,
    )
    return TemplateOut.of(row)


@router.post("/prompts/render")
async def dry_run(body: DryRunIn, _: Admin, name: str = "system") -> dict[str, str]:
    """Render without saving, with the same checks as a save."""
    return {"rendered": prompt_service.dry_run(name, body.body, body.variables, body.context)}


@router.get("/prompts/variables")
async def declared_variables(_: Admin) -> dict[str, list[str]]:
    """The variables each built-in template name declares."""
    return {name: list(default.variables) for name, default in DEFAULTS.items()}


def _checked(value: str, pattern: str, what: str) -> str:
    if value != prompt_service.ANY and not re.fullmatch(pattern, value):
        raise TemplateError(f"invalid {what}: {value!r}")
    return value
