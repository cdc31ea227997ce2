"""Component instances of this location (one folder per defs.yaml)."""
