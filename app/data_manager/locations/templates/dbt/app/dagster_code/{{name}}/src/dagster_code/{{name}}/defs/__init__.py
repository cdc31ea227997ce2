"""Component instances of this location: add a folder with a defs.yaml to sync data here
(`dg scaffold defs TYPE PATH`; see the airbyte and sql templates); this transform-only location starts with none."""
