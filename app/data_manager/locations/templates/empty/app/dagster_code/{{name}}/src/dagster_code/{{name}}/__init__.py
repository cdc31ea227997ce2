"""A code location: replace the example asset in defs/assets.py with your own, or add components
with `dg scaffold defs TYPE PATH` (run in this location's folder)."""

import dagster as dg

from data_manager.locations.definitions import location_definitions

defs = location_definitions(
    __name__,
    pipeline_description="Materializes every asset of this location.",
    # One process for the whole run: fastest for small jobs. Remove this line to run steps in parallel processes.
    executor_def=dg.in_process_executor,
)
