"""The shipped Prometheus files against real servers: Debian's `prometheus` scrapes a real
`hotelbot api`, `hotelbot worker` and `hotelbot pms` on loopback with deploy/prometheus's scrape
config (targets pointed at the test's ports) and alert rules; after real traffic (guests through
the sandbox, Graph faults, PMS calls, a forged webhook) every Grafana panel query and every alert
expression must evaluate without error and return data.

Runs with HOTELBOT_TEST_DATABASE_URL (procrastinate needs PostgreSQL; CI sets it). `promtool`
checks the files in every run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from hotelbot.kit.db import session_scope
from hotelbot.property.demo import ensure_demo_property
from hotelbot.sandbox import DEMO_DISPLAY_NUMBER, DEMO_PHONE_NUMBER_ID
from tests.conftest import POSTGRES_URL
from tests.deploy.promql import with_bool_comparisons
from tests.deploy.stack import PMS_TOKEN, ROOT, Stack, free_port

DEPLOY = ROOT / "deploy"
SCRAPE_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "hotelbot.json"
#: What Grafana substitutes for `$__rate_interval`: at a 1 s scrape anything over 4 s works;
#: a wider window only averages more of the test's samples.
RATE_INTERVAL = "1m"
NOBODY = 65534


def _tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    assert Path(path).exists(), f"{name} is missing: apt-get install prometheus (.ci/run does)"
    return path


def test_promtool_accepts_the_shipped_rules_and_scrape_config() -> None:
    rules = subprocess.run(
        [_tool("promtool"), "check", "rules", str(ALERTS)], capture_output=True, text=True
    )
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = subprocess.run(
        [_tool("promtool"), "check", "config", "--syntax-only", str(SCRAPE_CONFIG)],
        capture_output=True,
        text=True,
    )
    assert config.returncode == 0, config.stdout + config.stderr


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) for every target of every panel, Grafana variables filled in."""
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [
        (panel["title"], target["expr"].replace("$__rate_interval", RATE_INTERVAL))
        for panel in panels
        for target in panel["targets"]
    ]


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


pg_only = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs HOTELBOT_TEST_DATABASE_URL pointing at PostgreSQL"
)


@pytest.fixture
def stack(db_url: str, engine: Any, tmp_path: Path) -> Iterator[Stack]:
    # Depends on `engine` so that the processes stop before the engine fixture truncates.
    processes = Stack(db_url, tmp_path)
    yield processes
    processes.stop_all()


def prometheus_config(stack: Stack, workdir: Path) -> Path:
    """The shipped scrape config with its targets on loopback and a 1 s beat."""
    config = yaml.safe_load(SCRAPE_CONFIG.read_text())
    ports = {
        "hotelbot-api": stack.api_port,
        "hotelbot-worker": stack.worker_port,
        "hotelbot-pms": stack.pms_port,
    }
    assert {job["job_name"] for job in config["scrape_configs"]} == set(ports)
    for job in config["scrape_configs"]:
        # Compose finds replicas by DNS; here each job has one process on a known port.
        job.pop("dns_sd_configs", None)
        job["static_configs"] = [{"targets": [f"127.0.0.1:{ports[job['job_name']]}"]}]
    config["global"] |= {"scrape_interval": "1s", "evaluation_interval": "1s"}
    shutil.copy(ALERTS, workdir / "alerts.yml")  # rule_files resolve beside the config
    path = workdir / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def prometheus_workdir() -> Iterator[Path]:
    # Not pytest's tmp_path: Prometheus runs as `nobody`, which cannot enter root's 0700 dirs.
    workdir = Path(tempfile.mkdtemp(prefix="hotelbot-prometheus-"))
    workdir.chmod(0o755)
    yield workdir
    shutil.rmtree(workdir, ignore_errors=True)


def start_prometheus(stack: Stack, workdir: Path) -> str:
    """Run Debian's prometheus unprivileged on its own data dir; returns its base URL."""
    config = prometheus_config(stack, workdir)
    data = workdir / "data"
    data.mkdir(mode=0o777)
    data.chmod(0o777)
    port = free_port()
    argv = [
        _tool("prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={data}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    if os.geteuid() == 0:
        argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]
    stack.start("prometheus", argv)
    return f"http://127.0.0.1:{port}"


async def _query(client: httpx.AsyncClient, expr: str) -> dict[str, Any]:
    answer: dict[str, Any] = (await client.get("/api/v1/query", params={"query": expr})).json()
    return answer


async def _empty_or_failing(client: httpx.AsyncClient, queries: list[tuple[str, str]]) -> list[str]:
    """The queries that Prometheus refuses or answers with no series, each with why."""
    problems = []
    for name, expr in queries:
        answer = await _query(client, expr)
        if answer["status"] != "success":
            problems.append(f"{name}: {answer.get('error')} ({expr})")
        elif not answer["data"]["result"]:
            problems.append(f"{name}: no data ({expr})")
    return problems


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def _send_traffic(stack: Stack, http: httpx.AsyncClient) -> None:
    """What a busy hour has: guests asking for rooms, Graph throttling and 5xx, a refusal for
    the 24-hour window, direct PMS API calls (one for a booking that does not exist), and a
    webhook with a forged signature."""
    api = f"http://127.0.0.1:{stack.api_port}"
    faults = {"throttle_rate": 0.25, "server_error_rate": 0.15, "status_delay_ms": 50, "seed": 7}
    await http.post(f"{api}/sandbox/api/faults", json=faults)
    check_in = dt.date.today() + dt.timedelta(days=30)
    check_out = check_in + dt.timedelta(days=2)
    question = f"Do you have a double room for 2 adults from {check_in} to {check_out}?"
    for n in range(6):
        for text in ("Hello", question):
            body = {"from": f"4477009{n:05d}", "name": "Guest", "text": text}
            assert (await http.post(f"{api}/sandbox/api/messages", json=body)).status_code == 202
    forged = await http.post(
        f"{api}/webhooks/whatsapp",
        content=b'{"object":"whatsapp_business_account","entry":[]}',
        headers={"X-Hub-Signature-256": "sha256=" + "0" * 64},
    )
    assert forged.status_code == 401
    pms = f"http://127.0.0.1:{stack.pms_port}/pms/v1/properties/demo-miramar"
    auth = {"Authorization": f"Bearer {PMS_TOKEN}"}
    params = {"check_in": str(check_in), "check_out": str(check_in + dt.timedelta(days=3))}
    assert (await http.get(f"{pms}/availability", params=params, headers=auth)).status_code == 200
    assert (await http.get(f"{pms}/reservations/NOPE-0000", headers=auth)).status_code == 404
    await asyncio.sleep(3)  # let the faulted sends above be retried before the window test
    await http.post(f"{api}/sandbox/api/faults", json={"outside_window": True})
    body = {"from": "447700999999", "name": "Guest", "text": "Hello"}
    assert (await http.post(f"{api}/sandbox/api/messages", json=body)).status_code == 202


async def _until_every_query_answers(
    client: httpx.AsyncClient, queries: list[tuple[str, str]], *, timeout: float
) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        problems = await _empty_or_failing(client, queries)
        if not problems or time.monotonic() > deadline:
            return problems
        await asyncio.sleep(1.0)


@pg_only
@pytest.mark.postgres
@pytest.mark.slow
async def test_every_dashboard_panel_and_alert_returns_data_from_real_servers(
    stack: Stack, sessionmaker: Any, http: httpx.AsyncClient, prometheus_workdir: Path
) -> None:
    async with session_scope(sessionmaker) as session:
        await ensure_demo_property(
            session, phone_number_id=DEMO_PHONE_NUMBER_ID, display_phone_number=DEMO_DISPLAY_NUMBER
        )
    stack.start_all()
    await stack.wait_until_up(f"http://127.0.0.1:{stack.pms_port}/healthz")
    await stack.wait_until_up(f"http://127.0.0.1:{stack.api_port}/healthz")
    await stack.wait_until_up(f"http://127.0.0.1:{stack.worker_port}/metrics")
    base = start_prometheus(stack, prometheus_workdir)
    await stack.wait_until_up(f"{base}/-/ready")
    await _send_traffic(stack, http)

    async with httpx.AsyncClient(base_url=base, timeout=10) as prometheus:
        alerts = [(rule["alert"], with_bool_comparisons(rule["expr"])) for rule in alert_rules()]
        problems = await _until_every_query_answers(
            prometheus, dashboard_queries() + alerts, timeout=90
        )
        assert not problems, "\n".join(problems)

        targets = (await prometheus.get("/api/v1/targets")).json()["data"]["activeTargets"]
        assert {t["labels"]["job"]: t["health"] for t in targets} == {
            "hotelbot-api": "up",
            "hotelbot-worker": "up",
            "hotelbot-pms": "up",
        }
        groups = (await prometheus.get("/api/v1/rules")).json()["data"]["groups"]
        rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
        assert set(rules) == {rule["alert"] for rule in alert_rules()}
        unhealthy = {n: r.get("lastError") for n, r in rules.items() if r["health"] != "ok"}
        assert not unhealthy
