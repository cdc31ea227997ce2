"""The Celery settings the runs that submit steps and the workers that take them share.

Both sides build their Celery app from `celery_app_config`, so a queue, a timeout or an ack mode cannot
differ between them. The broker's and backend's URLs are secrets: they stay in the environment (the
executor reads them through `{"env": ...}` config, so no run config, file or log line holds them) and
`safe_url` is the only way they are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from data_manager.errors import UserError
from data_manager.settings import env, env_int

# How often a worker renews the messages it holds, as a share of the visibility timeout.
RENEWALS_PER_TIMEOUT = 5


class CeleryNotConfigured(UserError):
    """EXECUTOR=celery without a broker (exit 2)."""


@dataclass(frozen=True)
class CelerySettings:
    broker_url: str
    backend_url: str
    visibility_timeout_s: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CelerySettings:
        broker = env("CELERY_BROKER_URL", environ)
        if not broker:
            raise CeleryNotConfigured("EXECUTOR=celery needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
        return cls(
            broker_url=broker,
            backend_url=env("CELERY_BACKEND_URL", environ) or broker,
            visibility_timeout_s=env_int("CELERY_VISIBILITY_TIMEOUT_S", environ),
        )

    @property
    def redis_broker(self) -> bool:
        return urlsplit(self.broker_url).scheme in ("redis", "rediss")


def backend_env_var(environ: Mapping[str, str] | None = None) -> str:
    """The variable the executor reads the backend from: CELERY_BACKEND_URL when set, else the broker's."""
    return "CELERY_BACKEND_URL" if env("CELERY_BACKEND_URL", environ) else "CELERY_BROKER_URL"


def celery_app_config(settings: CelerySettings, queue: str | None = None) -> dict[str, Any]:
    """Celery's lower-case settings, beside broker and backend (dagster-celery's `config_source`).

    acks_late + reject_on_worker_lost: a step's message is acknowledged only once the step ended, so
    the step of a worker that dies runs again on another one. On Redis an unacknowledged message comes
    back after `visibility_timeout` (kombu checks every second here); live workers renew the messages
    they hold (`data_manager.execution.worker`), so a long step is never handed out twice.
    """
    config: dict[str, Any] = {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_expires": 7 * 24 * 3600,
        # A broker restart: publishing and reading results wait and retry instead of failing the run.
        "result_backend_always_retry": True,
        "result_backend_max_retries": 30,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
            "max_retries": 30,
            "interval_start": 0,
            "interval_step": 1,
            "interval_max": 2,
        },
    }
    if queue is not None:
        config["task_default_queue"] = queue
    return config


def safe_url(url: str) -> str:
    """`url` without its password, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
