"""dbt integration: where the project lives, how it is prepared, and the per-location asset factory.

A location's Definitions are assembled in `data_manager.locations.definitions`.

`layout` and `cli` are cheap to import; `project` imports dagster-dbt and is meant for code locations.
"""
