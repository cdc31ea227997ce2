"""`PostgresConnectionComponent`: the platform's Postgres as a SQL connection for `dagster.TemplatedSqlComponent`.

    # defs/warehouse/defs.yaml
    type: data_manager.components.PostgresConnectionComponent
    attributes: {}                      # the POSTGRES_* variables, like every other part of the platform

    # defs/daily_totals/defs.yaml
    type: dagster.TemplatedSqlComponent
    attributes:
      connection: "{{ context.load_component('warehouse') }}"
      sql_template: "create table if not exists reporting.daily_totals as select ..."
      assets: [{key: reporting/daily_totals}]

It defines no assets itself. psycopg is imported only when SQL runs.
"""

from __future__ import annotations

import dagster as dg
from dagster.components.lib.sql_component.sql_client import SQLClient
from pydantic import Field


class PostgresConnectionComponent(dg.Component, dg.Model, dg.Resolvable, SQLClient):
    """Runs SQL on the platform's Postgres (POSTGRES_HOST/PORT/USER/PASSWORD/DB), in one transaction."""

    database_env: str = Field(default="POSTGRES_DB", description="Variable naming the database (default POSTGRES_DB)")

    def connect_and_execute(self, sql: str) -> None:
        from data_manager.db import connect
        from data_manager.settings import PostgresSettings

        with connect(PostgresSettings.from_env(self.database_env)) as connection:
            connection.execute(sql)

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        return dg.Definitions()
