"""FastAPI dependencies as `Annotated` aliases: `DbSession`, `SettingsDep`, `StateDep`.

`DbSession` is one unit of work per request: it commits when the route returns, then hands the
jobs the route enqueued to the queue; on error it rolls back and drops them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.kit.db import session_scope
from hotelbot.resources import Resources
from hotelbot.settings import Settings


def get_state(request: Request) -> Resources:
    state: Resources = request.app.state.hotelbot
    return state


StateDep = Annotated[Resources, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with session_scope(state.sessionmaker) as session:
        yield session


# scope="function": commit before the response is sent, not after (the default for yield
# dependencies in this FastAPI), so a 2xx always means the write is durable.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
