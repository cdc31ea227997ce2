"""Component instances of the {{name}} location: one folder per defs.yaml."""
