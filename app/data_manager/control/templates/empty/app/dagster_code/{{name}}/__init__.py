"""Code location `{{name}}`: replace the example asset with your own."""

import dagster as dg

from dagster_code.{{name}}.assets import example_asset

{{name}}_job = dg.define_asset_job(
    name="{{name}}_job",
    selection=[example_asset],
    description="Materializes every asset of the {{name}} location.",
    # One process for the whole run: fastest for small jobs. Remove this line to run steps in parallel processes.
    executor_def=dg.in_process_executor,
)

defs = dg.Definitions(assets=[example_asset], jobs=[{{name}}_job])
