"""Component instances of the {{name}} location: add a folder with a defs.yaml to sync data here
(see the airbyte and sql templates); this transform-only location starts with none."""
