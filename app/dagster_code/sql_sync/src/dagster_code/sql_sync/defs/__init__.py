"""Component instances of the sql_sync location (one folder per defs.yaml)."""
