"""Properties: find the hotel a WhatsApp number belongs to, create hotels.

Every webhook is routed by `phone_number_id`, and that mapping almost never changes, so the id
lookup is cached in-process for a short time, per database engine (tests and tools open many
databases in one process; a cache shared between them would route to ids that do not exist).
"""

from __future__ import annotations

import time
import uuid
import weakref
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotelbot.models import Property

#: How long a phone_number_id → property id answer is trusted, in seconds.
CACHE_TTL_SECONDS = 60.0

_Cache = dict[str, tuple[uuid.UUID, float]]
_caches: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()


async def get_by_phone_number_id(session: AsyncSession, phone_number_id: str) -> Property | None:
    query = select(Property).where(Property.phone_number_id == phone_number_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get_id_by_phone_number_id(
    session: AsyncSession, phone_number_id: str
) -> uuid.UUID | None:
    """The property id for a WhatsApp number, from the cache when fresh. None: not ours."""
    cache = _cache_for(session)
    hit = cache.get(phone_number_id) if cache is not None else None
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    query = select(Property.id).where(Property.phone_number_id == phone_number_id)
    property_id = (await session.execute(query)).scalar_one_or_none()
    # Misses are not cached: a number added a moment ago must start routing at once.
    if property_id is not None and cache is not None:
        cache[phone_number_id] = (property_id, time.monotonic() + CACHE_TTL_SECONDS)
    return property_id


async def create_property(session: AsyncSession, **fields: Any) -> Property:
    """Insert a property (slug, name, phone_number_id, display_phone_number, ...) and flush."""
    prop = Property(**fields)
    session.add(prop)
    await session.flush()
    forget(session, prop.phone_number_id)
    return prop


def forget(session: AsyncSession, phone_number_id: str) -> None:
    """Drop a cached mapping (call after changing or deleting a property's number)."""
    cache = _cache_for(session)
    if cache is not None:
        cache.pop(phone_number_id, None)


def _cache_for(session: AsyncSession) -> _Cache | None:
    engine = session.bind
    if not isinstance(engine, AsyncEngine):
        return None
    # Keyed by the sync engine: AsyncEngine proxies are rebuilt, the sync engine is not.
    return _caches.setdefault(engine.sync_engine, {})
