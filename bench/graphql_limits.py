"""The GraphQL attacks of issue 7, timed against the PMS app with its limits on and off.

In-process: the real PMS app over `httpx.ASGITransport` on a fresh SQLite file with the demo
hotel. Prints one line per request: HTTP status, milliseconds, answered or the refusal.
`--off` raises every limit out of reach, to see what the requests cost without them.

    .venv/bin/python bench/graphql_limits.py [--off]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from hotelbot import embedded
from hotelbot.pms.app import create_pms_app, open_runtime
from hotelbot.settings import PmsSettings, Settings, WhatsAppSettings

TOKEN = "bench-token"
PROPERTY = "demo-miramar"
OUT_OF_REACH = {
    "graphql_max_depth": 10**6,
    "graphql_max_aliases": 10**6,
    "graphql_max_tokens": 10**7,
    "graphql_max_cost": 10**9,
}


def requests() -> dict[str, str]:
    check_in = dt.date.today() + dt.timedelta(days=30)
    check_out = check_in + dt.timedelta(days=30)
    room_types = f'room_types(property: "{PROPERTY}") {{ code name max_occupancy }}'
    month = (
        f'availability(property: "{PROPERTY}", check_in: "{check_in}", check_out: '
        f'"{check_out}", occupancy: {{adults: 2}}) {{ offers {{ room_type_code total }} }}'
    )
    nested = "name " + "ofType { " * 60 + "name" + " }" * 60
    many_room_types = " ".join(f"r{n}: {room_types}" for n in range(2000))
    many_months = " ".join(f"a{n}: {month}" for n in range(300))
    return {
        "README room_types": f"{{ {room_types} }}",
        "one 30-night availability": f"{{ a: {month} }}",
        "2,000 aliased room_types": f"{{ {many_room_types} }}",
        "300 aliased 30-night availability": f"{{ {many_months} }}",
        "60 levels of introspection ofType": f"{{ __schema {{ types {{ {nested} }} }} }}",
    }


async def run(limits_off: bool) -> None:
    pms = PmsSettings(token=SecretStr(TOKEN), **(OUT_OF_REACH if limits_off else {}))
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="hotelbot-bench-")),
        whatsapp=WhatsAppSettings(sandbox=True),
        pms=pms,
    )
    embedded.load_or_create_local_keys(settings, create=True)
    async with open_runtime(settings) as runtime:
        app = create_pms_app(settings, runtime=runtime)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://pms.bench",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=600,
        ) as client:
            for name, query in requests().items():
                started = time.perf_counter()
                response = await client.post("/pms/graphql", json={"query": query})
                elapsed = (time.perf_counter() - started) * 1000
                errors = response.json().get("errors")
                outcome = f"refused: {errors[0]['message'][:72]}" if errors else "answered"
                print(f"{name:36} {response.status_code} {elapsed:9.1f} ms  {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--off", action="store_true", help="raise every limit out of reach")
    asyncio.run(run(parser.parse_args().off))


if __name__ == "__main__":
    main()
