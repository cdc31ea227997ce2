"""`AirbyteSyncComponent`: a PyAirbyte connector's streams as Dagster assets, declared in a `defs.yaml`.

    type: data_manager.components.AirbyteSyncComponent
    attributes:
      connector: source-faker          # external-connectors/source-faker.yaml
      streams: [users, products]       # required: asset keys must be known without running the connector
      cache: default                   # optional named cache
      group_name: faker                # optional (default: the location's group)
      deps: [upstream/asset]           # optional asset keys ("a/b" strings)
      full_refresh: false              # optional

Asset keys are stable: `[<cache schema>, <table_prefix_for(connector)><stream>]`, e.g.
`["pyairbyte_cache", "faker_users"]`, so dbt sources can point at them via `meta.dagster.asset_key`.
Loading definitions stays light: airbyte, pandas and database drivers are imported only inside the run.
"""

from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from data_manager.components.definition_names import GROUP_NAME
from data_manager.execution.pools import sync_pool
from data_manager.ingestion.airbyte.caches import DEFAULT_CACHE, cache_spec
from data_manager.ingestion.airbyte.connectors import get_connector_by_name
from data_manager.ingestion.naming import OwnedTable, table_name_for, table_prefix_for


class AirbyteSyncComponent(dg.Component, dg.Model, dg.Resolvable):
    """Sync a PyAirbyte connector into the Postgres cache: one asset per stream, one run syncs the selected streams."""

    connector: str = Field(description="Connector name: the file external-connectors/<connector>.yaml")
    streams: list[str] = Field(description="Streams to sync; each becomes an asset", min_length=1)
    cache: str = Field(default=DEFAULT_CACHE, description="Named cache (see data_manager.ingestion.airbyte.caches)")
    group_name: str | None = Field(
        default=None, pattern=GROUP_NAME, description="Asset group (default: the location's): letters, digits, _"
    )
    deps: list[str] = Field(default_factory=list, description="Upstream asset keys, as 'a/b' strings")
    full_refresh: bool = Field(default=False, description="Ignore saved state and re-read every stream")

    def asset_key(self, stream: str) -> dg.AssetKey:
        return dg.AssetKey([cache_spec(self.cache).schema, f"{table_prefix_for(self.connector)}{stream}"])

    def owned_tables(self) -> list[OwnedTable]:
        """The cache tables this component writes: `locations remove --purge` drops exactly these."""
        schema = cache_spec(self.cache).schema
        return [OwnedTable(schema, table_name_for(self.connector, s), "airbyte", self.cache) for s in self.streams]

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        get_connector_by_name(self.connector)  # a typo fails at load time, naming the file (cheap: YAML only)
        spec = cache_spec(self.cache)
        prefix = table_prefix_for(self.connector)
        deps = [dg.AssetKey.from_user_string(dep) for dep in self.deps]
        key_to_stream = {self.asset_key(stream): stream for stream in self.streams}
        specs = [
            dg.AssetSpec(
                key=key,
                group_name=self.group_name,
                deps=deps,
                kinds={"airbyte", "postgres"},
                description=f"Stream `{stream}` of connector `{self.connector}`, synced by PyAirbyte.",
                metadata={
                    "connector": self.connector,
                    "schema": spec.schema,
                    "table": table_name_for(self.connector, stream),
                },
            )
            for key, stream in key_to_stream.items()
        ]
        suffix = "" if self.cache == DEFAULT_CACHE else f"_{self.cache}"
        component = self

        @dg.multi_asset(
            name=f"airbyte_sync_{prefix.rstrip('_')}{suffix}",
            specs=specs,
            can_subset=True,
            pool=sync_pool("airbyte", spec.schema, self.connector),  # runs take turns writing these tables
        )
        def airbyte_sync(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
            selected = [stream for key, stream in key_to_stream.items() if key in context.selected_asset_keys]
            yield from component.run_sync(context, selected, key_to_stream)

        return dg.Definitions(assets=[airbyte_sync])

    def run_sync(
        self, context: dg.AssetExecutionContext, streams: list[str], key_to_stream: dict[dg.AssetKey, str]
    ) -> Iterator[dg.MaterializeResult]:
        """Run the sync (heavy imports happen here, in the run) and report one materialization per stream."""
        from data_manager.errors import UserError
        from data_manager.ingestion.airbyte.sync import sync_connector

        context.log.info(f"syncing {self.connector} streams {', '.join(streams)} into cache {self.cache!r}")
        try:
            result = sync_connector(self.connector, streams, full_refresh=self.full_refresh, cache_name=self.cache)
        except UserError as exc:
            raise dg.Failure(description=f"airbyte sync of {self.connector} failed: {exc}") from None
        if not result.ok:
            raise dg.Failure(
                description=f"airbyte sync of {self.connector} failed: {result.error}",
                metadata={"stage": result.stage, "duration_s": result.duration_s},
            )
        stream_to_key = {stream: key for key, stream in key_to_stream.items()}
        for table in result.tables:
            yield dg.MaterializeResult(
                asset_key=stream_to_key[table.source_table],
                metadata={
                    "rows": dg.MetadataValue.int(table.rows),
                    "duration_s": dg.MetadataValue.float(result.duration_s),
                    "schema": dg.MetadataValue.text(result.target_schema),
                    "table": dg.MetadataValue.text(table.target_table.split(".", 1)[1]),
                },
            )
