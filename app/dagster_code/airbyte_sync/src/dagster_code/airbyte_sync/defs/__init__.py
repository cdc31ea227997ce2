"""Component instances of the airbyte_sync location (one folder per defs.yaml)."""
