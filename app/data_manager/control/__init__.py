"""Supervision of the code servers and the platform: serve, health, reload, validate, lost runs; and the CLI wiring."""
