"""`data-manager helm values`: the Dagster chart's values carry every location and setting, and no secret."""

from __future__ import annotations

from pathlib import Path

import yaml

from data_manager.deploy.helm import CARRIED_SETTINGS, helm_values, render_helm_values
from data_manager.locations.registry_store import load_registry
from platform_support import REPO_ROOT, run_cli

ENVIRON = {
    "POSTGRES_HOST": "pg.internal",
    "POSTGRES_PORT": "6432",
    "POSTGRES_USER": "platform",
    "POSTGRES_PASSWORD": "Sekr1t-pg",
    "DAGSTER_POSTGRES_DB": "dagster_prod",
    "MAX_CONCURRENT_RUNS": "7",
    "EXECUTOR": "celery",
    "CELERY_BROKER_URL": "redis://:Sekr1t-redis@redis.internal:6380/3",
    "MYSQL_PASSWORD": "Sekr1t-my",
}


def values(run_launcher: str = "k8s") -> dict:
    registry = load_registry(REPO_ROOT / "code-locations.json")
    instance = yaml.safe_load((REPO_ROOT / "platform" / "dagster.yaml").read_text())
    return helm_values(registry, instance, "reg.example/dm:1.2", run_launcher, "dp-secrets", ENVIRON)


def test_one_user_deployment_per_enabled_location_with_its_module_port_image_and_settings() -> None:
    registry = load_registry(REPO_ROOT / "code-locations.json")
    deployments = values()["dagster-user-deployments"]["deployments"]
    assert [d["name"] for d in deployments] == [loc.name.replace("_", "-") for loc in registry.enabled]
    for deployment, location in zip(deployments, registry.enabled, strict=True):
        assert deployment["dagsterApiGrpcArgs"][:2] == ["-m", location.module]
        assert deployment["port"] == location.port
        assert deployment["image"] == {"repository": "reg.example/dm", "tag": "1.2", "pullPolicy": "IfNotPresent"}
        env = {item["name"]: item["value"] for item in deployment["env"]}
        assert set(env) == set(CARRIED_SETTINGS)
        assert env["EXECUTOR"] == "celery" and env["POSTGRES_HOST"] == "pg.internal"
        assert deployment["envSecrets"] == [{"name": "dp-secrets"}]
        assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}


def test_instance_settings_come_from_the_settings_and_dagster_yaml() -> None:
    instance = yaml.safe_load((REPO_ROOT / "platform" / "dagster.yaml").read_text())
    result = values()
    daemon = result["dagsterDaemon"]
    assert daemon["runCoordinator"]["config"]["queuedRunCoordinator"]["maxConcurrentRuns"] == 7
    assert daemon["runMonitoring"]["startTimeoutSeconds"] == instance["run_monitoring"]["start_timeout_seconds"]
    assert result["postgresql"]["postgresqlHost"] == "pg.internal"
    assert result["postgresql"]["postgresqlDatabase"] == "dagster_prod"
    assert result["postgresql"]["service"]["port"] == 6432
    assert result["runLauncher"]["type"] == "K8sRunLauncher"


def test_celery_k8s_launcher_has_a_queue_per_location_and_the_external_redis() -> None:
    registry = load_registry(REPO_ROOT / "code-locations.json")
    result = values("celery-k8s")
    launcher = result["runLauncher"]["config"]["celeryK8sRunLauncher"]
    assert [queue["name"] for queue in launcher["workerQueues"]] == [loc.name for loc in registry.enabled]
    assert result["redis"] | {} == {
        "enabled": True, "internal": False, "host": "redis.internal", "port": 6380, "brokerDbNumber": 3,
        "backendDbNumber": 3,
    }  # fmt: skip


def test_no_secret_value_is_written() -> None:
    for launcher in ("k8s", "celery-k8s"):
        text = render_helm_values(values(launcher))
        assert "Sekr1t" not in text and "&id" not in text


def test_cli_writes_the_file_and_refuses_an_unknown_launcher(tmp_path: Path) -> None:
    out = tmp_path / "values.yaml"
    result = run_cli(REPO_ROOT, "helm", "values", "--image", "reg.example/dm:9", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(out.read_text())["dagster-user-deployments"]["deployments"][0]["image"]["tag"] == "9"
    bad = run_cli(REPO_ROOT, "helm", "values", "--run-launcher", "nomad")
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "--run-launcher" in bad.stderr
