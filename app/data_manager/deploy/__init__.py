"""Deployments beyond Compose, derived from the registry and the settings (the Dagster Helm chart)."""
