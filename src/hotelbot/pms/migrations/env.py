"""Alembic environment of the PMS service: its own MetaData and version table."""

from __future__ import annotations

from hotelbot.kit.migrations import run_env
from hotelbot.pms.adapters.builtin.models import PmsBase
from hotelbot.pms.migrate import VERSION_TABLE


def _include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    # The chatbot's tables may share this database; only ours are compared.
    return type_ != "table" or bool(name and name.startswith("pms_"))


run_env(PmsBase.metadata, version_table=VERSION_TABLE, include_object=_include_object)
