"""Assets of this location (in its group automatically). Keep heavy imports inside the asset functions."""

import dagster as dg

from data_manager.locations.definitions import location_of

location = location_of(__name__)


@dg.asset(key_prefix=location.name, kinds={"python"})
def example_asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """A trivial asset that proves the location loads and runs."""
    rows = 3
    context.log.info(f"example asset of {location.name} materialized")
    return dg.MaterializeResult(metadata={"rows": rows})
