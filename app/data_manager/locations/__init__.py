"""Code locations: one `Location` object per location, derived from its name.

`model` is cheap to import (paths, registry); `definitions` imports dagster and assembles a
location's Definitions, for the location packages themselves.
"""
