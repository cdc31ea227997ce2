"""Alembic migrations of the universal_pipelines schema (applied by `data-manager pipelines migrate`)."""
