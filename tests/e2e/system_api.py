"""The API process of the Postgres system test: webhook + sandbox on one port, procrastinate
queue for enqueueing only (workers are separate processes). Run as `python -m tests.e2e.system_api`
with the HOTELBOT_* environment; stands in for `hotelbot api` plus `hotelbot sandbox`."""

from __future__ import annotations

import asyncio

import uvicorn

from hotelbot.api.app import create_api_app
from hotelbot.kit.logging import configure_logging
from hotelbot.resources import open_resources, queue_from
from hotelbot.sandbox.app import build_sandbox, install_sandbox
from hotelbot.settings import Settings


async def main() -> None:
    settings = Settings()
    configure_logging(settings.observability.log_level, settings.observability.log_format)
    async with open_resources(settings, queue_from(settings)) as resources:
        app = create_api_app(resources)
        sandbox = build_sandbox(settings)
        install_sandbox(app, sandbox)
        config = uvicorn.Config(
            app, host=settings.host, port=settings.port, log_config=None, access_log=False
        )
        await uvicorn.Server(config).serve()
        await sandbox.aclose()


if __name__ == "__main__":
    asyncio.run(main())
