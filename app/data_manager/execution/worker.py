"""`data-manager worker`: a Celery worker that runs the steps of the locations it serves.

It runs dagster-celery's own step task (`execute_plan`), with three additions for workers that die:

- `LeasedStep`, the task's base class: a step of a run that already finished is dropped, and a step
  runs under its lease (`step_lease`), so a message delivered twice never runs the step twice at once;
- `RenewHeldMessages`: on Redis, a message a worker holds comes back to the queue after the visibility
  timeout unless acknowledged. Acknowledged late (after the step), a long step would be handed to a
  second worker while it runs; the worker renews every message it holds, so only a dead worker's
  messages come back, within CELERY_VISIBILITY_TIMEOUT_S;
- `task_acks_late` / `task_reject_on_worker_lost` (`celery_app_config`): a step whose process died
  goes back to the queue at once.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from typing import Any

from celery import Celery, Task, bootsteps
from celery.exceptions import Ignore

from daglab.models import FINISHED_STATUSES
from data_manager.execution.celery_config import (
    RENEWALS_PER_TIMEOUT,
    CelerySettings,
    celery_app_config,
    safe_url,
)
from data_manager.execution.step_lease import StepLease, take_lease

logger = logging.getLogger(__name__)
STEP_TASK = "execute_plan"  # dagster-celery's task name; it routes with `<queue>.execute_plan`


class LeasedStep(Task):
    """dagster-celery's step task, run under its lease and never for a finished run."""

    _lease: StepLease | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from data_manager.dagster_private_api import ExecuteStepArgs, unpack_value

        step = unpack_value(kwargs["execute_step_args_packed"], as_type=ExecuteStepArgs)
        steps = ", ".join(step.step_keys_to_execute or [])
        task_id = self.request.id
        lease = take_lease(
            task_id,
            on_wait=lambda: logger.warning("step %s of run %s runs on another worker: waiting", steps, step.run_id),
        )
        status = lease.run_status(step.run_id)
        if status in FINISHED_STATUSES or status is None:
            lease.release()  # an ignored task gets no after_return
            logger.warning("dropping step %s: run %s is %s", steps, step.run_id, status or "gone")
            raise Ignore()
        if lease.waited and self.AsyncResult(task_id).ready():
            lease.release()
            logger.warning("step %s of run %s already ran on another worker", steps, step.run_id)
            raise Ignore()
        self._lease = lease
        return super().__call__(*args, **kwargs)

    def after_return(self, *args: Any, **kwargs: Any) -> None:
        """After the result is stored: only now may a duplicate of this message look at it."""
        if self._lease is not None:
            self._lease.release()
            self._lease = None


class RenewHeldMessages(bootsteps.StartStopStep):
    """Redis only: keep the messages this worker holds (running or reserved) from coming back to the queue."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer_ref = None

    def start(self, consumer: Any) -> None:
        timeout = consumer.app.conf.broker_transport_options.get("visibility_timeout", 3600)
        self.timer_ref = consumer.timer.call_repeatedly(
            max(timeout / RENEWALS_PER_TIMEOUT, 0.5), self.renew, (consumer,), priority=10
        )

    def renew(self, consumer: Any) -> None:
        channel = consumer.task_consumer.channel
        qos = channel.qos
        index = getattr(qos, "unacked_index_key", None)  # kombu's Redis transport keeps the unacked here
        if index is None:
            return
        held = [tag for tag in list(qos._delivered) if tag not in qos._dirty]
        if not held:
            return
        try:
            with channel.conn_or_acquire() as client:
                client.zadd(index, dict.fromkeys(held, time.time()), xx=True)
        except Exception as exc:  # the broker is away: the next renewal tries again
            logger.warning("could not renew %d held message(s): %s", len(held), exc)

    def stop(self, consumer: Any) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None


def worker_app(settings: CelerySettings, locations: Sequence[str]) -> Celery:
    """The Celery app of a worker consuming the queues of `locations`."""
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task
    from kombu import Exchange, Queue

    app = make_app(
        {"broker": settings.broker_url, "backend": settings.backend_url, "config_source": celery_app_config(settings)}
    )
    # The executor publishes a step to exchange `<queue>` with routing key `<queue>.execute_plan`.
    app.conf.task_queues = [
        Queue(name, Exchange(name, type="direct"), routing_key=f"{name}.{STEP_TASK}") for name in locations
    ]
    app.conf.task_default_queue = locations[0]
    create_task(app, base=LeasedStep)
    app.steps["consumer"].add(RenewHeldMessages)
    return app


def run_worker(locations: Sequence[str], concurrency: int, name: str | None = None) -> None:
    """Run a worker in this process until it is stopped (TERM: warm shutdown, the running steps finish)."""
    settings = CelerySettings.from_env()
    node = name or f"{'-'.join(locations)[:40]}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
    app = worker_app(settings, locations)
    print(
        f"worker {node} (pid {os.getpid()}): steps of {', '.join(locations)}, {concurrency} at a time;"
        f" broker {safe_url(settings.broker_url)}",
        flush=True,
    )
    app.worker_main(
        [
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--hostname", node,
            "--without-gossip",
            "--without-mingle",
            "--prefetch-multiplier=1",
        ]
    )  # fmt: skip
