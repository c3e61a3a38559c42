"""Alembic environment of the chatbot's tables (one MetaData: `kit.db.Base`)."""

from hotelbot import models  # noqa: F401  (registers every table)
from hotelbot.kit.db import Base
from hotelbot.kit.migrations import run_env

run_env(Base.metadata)
