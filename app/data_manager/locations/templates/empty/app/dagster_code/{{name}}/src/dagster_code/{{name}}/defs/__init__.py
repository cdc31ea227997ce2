"""Assets and component instances of this location: Python files here and one folder per defs.yaml."""
