"""Values for Dagster's Helm chart (`dagster/dagster`), derived from the registry and the settings.

One user deployment per enabled location (the data-manager image, `dagster api grpc -m <module>` on the
location's port, as CODE_SERVER_MODE=direct), the run launcher, the run queue and run monitoring of
platform/dagster.yaml, and the external Postgres. Settings go in as plain `env` entries; secrets never
do: every pod reads them from one Kubernetes Secret (`secret_name`), which holds the SECRET_VARS keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import yaml

from data_manager.locations.registry import Registry
from data_manager.settings import SECRET_VARS, env

# What code servers, runs and workers read (secrets come from the Secret). POSTGRES_HOST and the other
# connection settings also go into the chart's own `postgresql` section, for the webserver and daemon.
CARRIED_SETTINGS = (
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "POSTGRES_USER",
    "POSTGRES_DB",
    "DAGSTER_POSTGRES_DB",
    "CACHE_SCHEMA",
    "SAMPLE_API_URL",
    "MYSQL_HOST",
    "MYSQL_PORT",
    "MYSQL_USER",
    "MYSQL_DB",
    "EXECUTOR",
    "CELERY_VISIBILITY_TIMEOUT_S",
    "CELERY_WORKER_CONCURRENCY",
)
RUN_LAUNCHERS = ("k8s", "celery-k8s")


def deployment_name(location: str) -> str:
    return location.replace("_", "-")


def split_image(image: str) -> dict[str, str]:
    repository, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
    return {"repository": repository, "tag": tag, "pullPolicy": "IfNotPresent"}


def helm_values(
    registry: Registry,
    instance: Mapping[str, Any],
    image: str,
    run_launcher: str = "k8s",
    secret_name: str = "data-platform-secrets",
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The chart's values. `instance` is platform/dagster.yaml (its run monitoring is carried over)."""
    settings = [{"name": name, "value": env(name, environ)} for name in CARRIED_SETTINGS]
    secrets = [{"name": secret_name}]
    deployments = [
        {
            "name": deployment_name(location.name),
            "image": split_image(image),
            "dagsterApiGrpcArgs": ["-m", location.module, "--location-name", location.name],
            "port": location.port,
            "env": settings,
            "envSecrets": secrets,
            "includeConfigInLaunchedRuns": {"enabled": True},
        }
        for location in registry.enabled
    ]
    monitoring = instance.get("run_monitoring", {})
    values: dict[str, Any] = {
        "dagster-user-deployments": {"enabled": True, "enableSubchart": True, "deployments": deployments},
        "runLauncher": _run_launcher(run_launcher, registry, image, secrets),
        "dagsterDaemon": {
            "runCoordinator": {
                "enabled": True,
                "type": "QueuedRunCoordinator",
                "config": {"queuedRunCoordinator": {"maxConcurrentRuns": int(env("MAX_CONCURRENT_RUNS", environ))}},
            },
            "runMonitoring": {
                "enabled": bool(monitoring.get("enabled", False)),
                "startTimeoutSeconds": monitoring.get("start_timeout_seconds", 180),
                "pollIntervalSeconds": monitoring.get("poll_interval_seconds", 120),
            },
        },
        "postgresql": {
            "enabled": False,
            "postgresqlHost": env("POSTGRES_HOST", environ),
            "postgresqlUsername": env("POSTGRES_USER", environ),
            "postgresqlDatabase": env("DAGSTER_POSTGRES_DB", environ),
            "service": {"port": int(env("POSTGRES_PORT", environ))},
        },
        # The chart reads the Postgres password from this Secret's `postgresql-password` key.
        "global": {"postgresqlSecretName": "dagster-postgresql-secret"},
        "generatePostgresqlPasswordSecret": False,
    }
    if run_launcher == "celery-k8s":
        values.update(_celery_broker(environ))
    return values


def _run_launcher(kind: str, registry: Registry, image: str, secrets: list[dict[str, str]]) -> dict[str, Any]:
    if kind == "k8s":
        return {"type": "K8sRunLauncher", "config": {"k8sRunLauncher": {"envSecrets": secrets}}}
    # One Celery queue per location, as `data-manager worker --location` serves them here.
    return {
        "type": "CeleryK8sRunLauncher",
        "config": {
            "celeryK8sRunLauncher": {
                "image": split_image(image),
                "workerQueues": [{"name": location.name, "replicaCount": 1} for location in registry.enabled],
                "envSecrets": secrets,
            }
        },
    }


def _celery_broker(environ: Mapping[str, str] | None) -> dict[str, Any]:
    """The chart's external Redis: host, port and database of CELERY_BROKER_URL (a password stays out)."""
    broker = urlsplit(env("CELERY_BROKER_URL", environ) or "redis://redis:6379/0")
    database = int(broker.path.strip("/") or 0)
    return {
        "rabbitmq": {"enabled": False},
        "redis": {
            "enabled": True,
            "internal": False,
            "host": broker.hostname,
            "port": broker.port or 6379,
            "brokerDbNumber": database,
            "backendDbNumber": database,
        },
    }


def render_helm_values(values: Mapping[str, Any]) -> str:
    header = (
        "# GENERATED by `data-manager helm values` from code-locations.json and the settings; do not edit.\n"
        f"# Secrets ({', '.join(sorted(SECRET_VARS))}) are read from the Secret named in envSecrets, never written here.\n"
    )
    return header + yaml.dump(dict(values), Dumper=_PlainDumper, sort_keys=False)


class _PlainDumper(yaml.SafeDumper):
    """Repeated lists written out in full (no &id001 anchors): the file is read by people too."""

    def ignore_aliases(self, data: Any) -> bool:
        return True
