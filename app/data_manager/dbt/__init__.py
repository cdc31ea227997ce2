"""dbt integration: where the project lives, how it is prepared, and the per-location asset factory.

A location's Definitions are assembled in `data_manager.locations.definitions`.

`layout` is cheap to import (the `data-manager dbt` commands live in `control.dbt_cli`); `project` imports dagster-dbt and is meant for code locations.
"""
