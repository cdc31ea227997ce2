"""Alembic environment: runs on the connection `migrate.upgrade` hands over (online mode only)."""

from alembic import context

from data_manager.pipelines.migrate import VERSION_TABLE
from data_manager.pipelines.schema import SCHEMA

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    version_table_schema=SCHEMA,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
