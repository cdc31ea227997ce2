"""Dagster components for this platform, registered for `dg list components`.

Importing this package must stay cheap: no airbyte, pandas or database drivers.
"""

from data_manager.components.airbyte_sync import AirbyteSyncComponent as AirbyteSyncComponent
from data_manager.components.asset_job import AssetJobComponent as AssetJobComponent
from data_manager.components.asset_sensor import AssetSensorComponent as AssetSensorComponent
from data_manager.components.cron_schedule import CronScheduleComponent as CronScheduleComponent
from data_manager.components.postgres_connection import PostgresConnectionComponent as PostgresConnectionComponent
from data_manager.components.sql_table_sync import SqlTableSyncComponent as SqlTableSyncComponent
