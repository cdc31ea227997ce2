"""Dagster components for this platform, registered for `dg list components`.

Importing this package must stay cheap: no airbyte, pandas or database drivers.
"""
