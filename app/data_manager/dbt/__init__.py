"""dbt integration: where the project lives, how it is prepared, and the per-location asset factory.

`layout` and `cli` are cheap to import; `project` imports dagster-dbt and is meant for code locations.
"""
