"""Code locations: the registry that lists them, one `Location` object per location, and their lifecycle.

`registry` (the `code-locations.json` model), `registry_store` (reading and writing that file), `workspace_file`
(the generated `workspace.yaml`) and `model` are cheap to import (paths, pydantic; no dagster). `lifecycle` adds,
removes, renders and checks locations, from the `templates/` that `scaffold` fills in and, on purge, with what
`ownership` says a location owns. `definitions` imports dagster and assembles a location's Definitions, for the
location packages themselves.
"""
