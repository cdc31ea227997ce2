"""The platform Postgres that holds the pipeline records and the entity tables."""

import dagster as dg

from data_manager.pipelines.store import PipelineStore
from data_manager.settings import PostgresSettings


class PipelinesDatabase(dg.ConfigurableResource):
    """Connection settings from the POSTGRES_* environment variables (the password never enters run config)."""

    def settings(self) -> PostgresSettings:
        return PostgresSettings.from_env()

    def store(self) -> PipelineStore:
        return PipelineStore(self.settings())
