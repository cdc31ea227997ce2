"""`python -m data_manager.control.forked_run_workers <dagster args>`: Dagster's CLI whose run workers start warm.

A Dagster code server starts each run in a fresh `spawn` interpreter, which imports Dagster, its Postgres
storage and the location's code all over again: seconds of every run's start on a small machine, before the
run is STARTED. Here the code server's multiprocessing context is the platform's forkserver (warm_forks.py),
importing those modules once, at the server's first run, so every later run worker is a fork of it (the
steps fork too: execution/executor.py). The location's code is the server's own: a reload starts a new
server process, and with it a new forkserver. Started at the first run, not with the server, it costs
neither memory (about 105 MB) nor start-up CPU (one more Dagster import per location, on a cold start of every
location at once) until a location runs something; the first run then costs what a spawned one does.
The run worker still runs `dagster._grpc.impl.start_run_in_subprocess` under the code server, with the same
event queue, termination event and exit status: multiprocessing's API does not change with the start method.

Dagster fixes the context in `DagsterApiServer.__init__` (dagster/_grpc/server.py) and starts the proxy's
`dagster api grpc` child as `python -m dagster`; both are replaced below, and `tests/control/
test_platform_forked_run_workers.py` fails if a Dagster upgrade moves them.

One more repair: the code server fails a run whose worker died (kill -9, out of memory) from a clean-up
thread that Dagster lets die on the first error. While Postgres restarts that report fails, the thread ends
and the run would stay STARTED forever; here a failed check is logged and tried again at the next tick.
"""

from __future__ import annotations

import functools
import sys

from data_manager import served_code_preload, warm_forks
from data_manager.dagster_private_api import RUN_WORKER_MODULE

MODULE = "data_manager.control.forked_run_workers"
# What every run worker imports before its run starts: the gRPC run entry point, the instance's storage, and
# the location's code (served_code_preload.py, told which by the server's command line).
PRELOAD = (RUN_WORKER_MODULE, "dagster_postgres", served_code_preload.__name__)


def command(executable: str = sys.executable) -> list[str]:
    """The command prefix that replaces `python -m dagster`."""
    return [executable, "-m", MODULE]


def install() -> None:
    """Make every DagsterApiServer of this process fork its run workers, and its proxy children do the same."""
    from data_manager.dagster_private_api import grpc_server as server

    served_code_preload.announce(sys.argv)  # before the forkserver starts, which inherits the environment
    context = warm_forks.forkserver(PRELOAD)
    dagster_init = server.DagsterApiServer.__init__

    @functools.wraps(dagster_init)
    def init(self, *args, **kwargs) -> None:
        dagster_init(self, *args, **kwargs)
        self._mp_ctx = context  # the forkserver starts with the first run worker, and again if it dies

    server.DagsterApiServer.__init__ = init
    server.get_python_environment_entry_point = command  # same signature: executable path -> command prefix
    check_orphaned_runs = server.DagsterApiServer._check_for_orphaned_runs

    @functools.wraps(check_orphaned_runs)
    def check_orphaned_runs_again_later(self) -> None:
        try:
            check_orphaned_runs(self)
        except Exception as exc:  # storage away: the dead run stays listed and is reported at the next tick
            self._logger.warning(f"could not report a dead run worker yet, trying again: {exc}".splitlines()[0])

    server.DagsterApiServer._check_for_orphaned_runs = check_orphaned_runs_again_later


def main() -> None:
    install()
    from data_manager.dagster_private_api import dagster_cli_main  # what `python -m dagster` runs

    dagster_cli_main()


if __name__ == "__main__":
    main()
