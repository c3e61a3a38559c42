"""Column helpers shared by the table modules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy.orm import mapped_column

from hotelbot.kit.types import UtcDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


UuidPk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=uuid.uuid4)]
CreatedAt = Annotated[datetime, mapped_column(UtcDateTime(), default=utcnow, nullable=False)]
