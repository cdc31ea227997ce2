"""Component instances of this location: one folder per defs.yaml (`dg scaffold defs TYPE PATH` adds one)."""
