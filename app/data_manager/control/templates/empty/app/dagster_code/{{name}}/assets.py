"""Assets of the `{{name}}` location. Keep heavy imports inside the asset functions."""

import dagster as dg


@dg.asset(key_prefix="{{name}}", group_name="{{name}}", kinds={"python"})
def example_asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """A trivial asset that proves the location loads and runs."""
    rows = 3
    context.log.info("example asset of {{name}} materialized")
    return dg.MaterializeResult(metadata={"rows": rows})
