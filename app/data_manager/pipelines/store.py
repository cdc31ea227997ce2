"""Reading and writing the universal_pipelines records (psycopg 3, one short transaction per call).

Missing ids raise `NotFound`; references to missing records and name clashes raise `Conflict`, both
one-line `UserError`s the API turns into 404 / 409 and the CLI into exit code 2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from data_manager.db import connect
from data_manager.errors import UserError
from data_manager.pipelines.artifact_access import check_location, max_bytes
from data_manager.pipelines.entity_tables import ensure_entity_table
from data_manager.pipelines.models import (
    Artifact,
    ArtifactIn,
    Entity,
    EntityIn,
    Pipeline,
    PipelineIn,
    PipelineRun,
    Template,
    TemplateIn,
)
from data_manager.pipelines.schema import SCHEMA
from data_manager.pipelines.template_checks import check_template
from data_manager.settings import PostgresSettings

CHUNK_BYTES = 1024 * 1024  # an artifact's bytes are stored in rows of this size
INLINE_BYTES = 256 * 1024  # artifacts up to this size are read with their metadata, 100 at a time
ARTIFACT_COLUMNS = sql.SQL(
    "id, name, media_type, location, size_bytes, sha256, location IS NULL AS stored, enabled, created_at"
)


class NotFound(UserError):
    pass


class Conflict(UserError):
    pass


class ArtifactTooLarge(UserError):
    """An upload over ARTIFACT_MAX_MB (the API answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"file: larger than {limit // 2**20} MB, the limit (set ARTIFACT_MAX_MB to change it)")


class _Duplicate(Exception):
    def __init__(self, artifact_id: int) -> None:
        self.artifact_id = artifact_id


class MissingReferences(UserError):
    """A pipeline names templates, entities or artifacts that do not exist; `errors` lists each one."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def table(name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name))


class PipelineStore:
    def __init__(self, settings: PostgresSettings | None = None) -> None:
        self.settings = settings or PostgresSettings.from_env()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        try:
            with connect(self.settings, row_factory=dict_row) as conn, conn.transaction():
                yield conn
        except psycopg.errors.UndefinedTable:
            raise UserError(
                f"the {SCHEMA} schema is missing in {self.settings.safe_description()}: run `data-manager pipelines migrate`"
            ) from None
        except psycopg.errors.UndefinedColumn:
            raise UserError(
                f"the {SCHEMA} schema in {self.settings.safe_description()} is older than this code: "
                "run `data-manager pipelines migrate`"
            ) from None
        except psycopg.errors.UniqueViolation as exc:
            raise Conflict(f"already exists: {_detail(exc)}") from None
        except psycopg.errors.ForeignKeyViolation as exc:
            raise Conflict(f"reference problem: {_detail(exc)}") from None

    # -- templates ---------------------------------------------------------------------------------
    def create_template(self, data: TemplateIn) -> Template:
        """Store a template; InvalidTemplate lists every problem first (nothing is stored then)."""
        check_template(data)
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (name, description, extraction_strategy, strategy_config, enabled, expect) "
                    "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
                ).format(table("templates")),
                (*_template_values(data),),
            ).fetchone()
            self._write_fields(conn, row["id"], data)
            return self._template(conn, row["id"])

    def update_template(self, template_id: int, data: TemplateIn) -> Template:
        check_template(data)
        with self.transaction() as conn:
            updated = conn.execute(
                sql.SQL(
                    "UPDATE {} SET name = %s, description = %s, extraction_strategy = %s, strategy_config = %s, "
                    "enabled = %s, expect = %s, updated_at = now() WHERE id = %s"
                ).format(table("templates")),
                (*_template_values(data), template_id),
            ).rowcount
            if not updated:
                raise NotFound(f"no template with id {template_id}")
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE template_id = %s").format(table("template_fields")), (template_id,)
            )
            self._write_fields(conn, template_id, data)
            return self._template(conn, template_id)

    def get_template(self, template_id: int) -> Template:
        with self.transaction() as conn:
            return self._template(conn, template_id)

    def list_templates(self) -> list[Template]:
        with self.transaction() as conn:
            ids = [r["id"] for r in conn.execute(sql.SQL("SELECT id FROM {} ORDER BY id").format(table("templates")))]
            return [self._template(conn, i) for i in ids]

    def delete_template(self, template_id: int) -> None:
        self._delete("templates", "template", template_id)

    def _write_fields(self, conn: psycopg.Connection, template_id: int, data: TemplateIn) -> None:
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL(
                    "INSERT INTO {} (template_id, position, name, field_type, selector, required, transforms, "
                    "default_value, date_formats) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                ).format(table("template_fields")),
                [
                    (
                        template_id,
                        position,
                        f.name,
                        f.field_type,
                        f.selector,
                        f.required,
                        Jsonb([t.model_dump() for t in f.transforms]),
                        Jsonb(f.default_value) if f.default_value is not None else None,
                        Jsonb(f.date_formats),
                    )
                    for position, f in enumerate(data.fields)
                ],
            )

    def _template(self, conn: psycopg.Connection, template_id: int) -> Template:
        row = conn.execute(
            sql.SQL("SELECT * FROM {} WHERE id = %s").format(table("templates")), (template_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no template with id {template_id}")
        fields = conn.execute(
            sql.SQL(
                "SELECT name, field_type, selector, required, transforms, default_value, date_formats "
                "FROM {} WHERE template_id = %s ORDER BY position"
            ).format(table("template_fields")),
            (template_id,),
        ).fetchall()
        return Template(**row, fields=fields)

    # -- entities ----------------------------------------------------------------------------------
    def create_entity(self, data: EntityIn) -> Entity:
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (name, schema_name, table_name, columns, unique_fields) "
                    "VALUES (%s, %s, %s, %s, %s) RETURNING *"
                ).format(table("entities")),
                (data.name, data.schema_name, data.table_name, _columns(data), Jsonb(data.unique_fields)),
            ).fetchone()
            entity = Entity(**row)
            ensure_entity_table(conn, entity)
            return entity

    def update_entity(self, entity_id: int, data: EntityIn) -> Entity:
        """Change an entity; its table gains new columns and unique keys (columns are never dropped)."""
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "UPDATE {} SET name = %s, schema_name = %s, table_name = %s, columns = %s, unique_fields = %s, "
                    "updated_at = now() WHERE id = %s RETURNING *"
                ).format(table("entities")),
                (data.name, data.schema_name, data.table_name, _columns(data), Jsonb(data.unique_fields), entity_id),
            ).fetchone()
            if row is None:
                raise NotFound(f"no entity with id {entity_id}")
            entity = Entity(**row)
            ensure_entity_table(conn, entity)
            return entity

    def get_entity(self, entity_id: int) -> Entity:
        return Entity(**self._get("entities", "entity", entity_id))

    def list_entities(self) -> list[Entity]:
        return [Entity(**row) for row in self._list("entities")]

    def delete_entity(self, entity_id: int) -> None:
        """Forget the entity record; its table and rows stay (drop them yourself if you mean to)."""
        self._delete("entities", "entity", entity_id)

    # -- artifacts ---------------------------------------------------------------------------------
    def create_artifact(self, data: ArtifactIn, content: bytes | None = None) -> Artifact:
        """A stored document (`content`) or a registered path/URL (`data.location`, checked against the roots)."""
        if (content is None) == (data.location is None):
            raise UserError("an artifact needs either uploaded content or a `location` (file path or URL), not both")
        if content is not None:
            return self.store_artifact(data, [content])[0]
        location = check_location(data.location or "")
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (name, media_type, location, enabled) VALUES (%s, %s, %s, %s) RETURNING {}"
                ).format(table("artifacts"), ARTIFACT_COLUMNS),
                (data.name, data.media_type, location, data.enabled),
            ).fetchone()
            return Artifact(**row)

    def store_artifact(self, data: ArtifactIn, chunks: Iterable[bytes]) -> tuple[Artifact, bool]:
        """Stream a document's bytes into storage, CHUNK_BYTES in memory at a time, in one transaction.

        Returns the artifact and whether it is new: the same bytes stored before (same sha256) are that
        artifact, and nothing is added. Over ARTIFACT_MAX_MB: ArtifactTooLarge, nothing stored.
        """
        limit = max_bytes()
        try:
            with self.transaction() as conn:
                artifact_id = conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (name, media_type, size_bytes, enabled) VALUES (%s, %s, 0, %s) RETURNING id"
                    ).format(table("artifacts")),
                    (data.name, data.media_type, data.enabled),
                ).fetchone()["id"]
                digest, size, position, pending = hashlib.sha256(), 0, 0, bytearray()
                insert = sql.SQL("INSERT INTO {} (artifact_id, position, data) VALUES (%s, %s, %s)").format(
                    table("artifact_chunks")
                )
                for chunk in chunks:
                    size += len(chunk)
                    if size > limit:
                        raise ArtifactTooLarge(limit)
                    digest.update(chunk)
                    pending += chunk
                    while len(pending) >= CHUNK_BYTES:
                        conn.execute(insert, (artifact_id, position, bytes(pending[:CHUNK_BYTES])))
                        del pending[:CHUNK_BYTES]
                        position += 1
                if pending:
                    conn.execute(insert, (artifact_id, position, bytes(pending)))
                sha256 = digest.hexdigest()
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"artifact {sha256}",))
                same = conn.execute(
                    sql.SQL("SELECT min(id) AS id FROM {} WHERE sha256 = %s AND location IS NULL AND id <> %s").format(
                        table("artifacts")
                    ),
                    (sha256, artifact_id),
                ).fetchone()["id"]
                if same is not None:
                    raise _Duplicate(same)
                row = conn.execute(
                    sql.SQL("UPDATE {} SET sha256 = %s, size_bytes = %s WHERE id = %s RETURNING {}").format(
                        table("artifacts"), ARTIFACT_COLUMNS
                    ),
                    (sha256, size, artifact_id),
                ).fetchone()
                return Artifact(**row), True
        except _Duplicate as duplicate:
            return self.get_artifact(duplicate.artifact_id), False

    def update_artifact(self, artifact_id: int, data: ArtifactIn) -> Artifact:
        """Rename, change the media type, enable or disable an artifact; a registered one may point elsewhere
        (checked again)."""
        current = self.get_artifact(artifact_id)
        if current.stored and data.location is not None:
            raise UserError("location: a stored artifact has no location; upload a new artifact instead")
        if not current.stored and data.location is None:
            raise UserError("location: a registered artifact needs its path or URL")
        location = check_location(data.location) if data.location is not None else None
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "UPDATE {} SET name = %s, media_type = %s, location = %s, enabled = %s WHERE id = %s RETURNING {}"
                ).format(table("artifacts"), ARTIFACT_COLUMNS),
                (data.name, data.media_type, location, data.enabled, artifact_id),
            ).fetchone()
        if row is None:
            raise NotFound(f"no artifact with id {artifact_id}")
        return Artifact(**row)

    def get_artifact(self, artifact_id: int) -> Artifact:
        return self.artifacts([artifact_id], missing_ok=False)[0]

    def artifacts(self, ids: list[int], missing_ok: bool = True) -> list[Artifact]:
        with self.transaction() as conn:
            rows = conn.execute(
                sql.SQL("SELECT {} FROM {} WHERE id = ANY(%s) ORDER BY id").format(
                    ARTIFACT_COLUMNS, table("artifacts")
                ),
                (ids,),
            ).fetchall()
        if not missing_ok and len(rows) != len(set(ids)):
            found = {r["id"] for r in rows}
            raise NotFound(f"no artifact with id {', '.join(str(i) for i in ids if i not in found)}")
        return [Artifact(**row) for row in rows]

    def list_artifacts(self) -> list[Artifact]:
        with self.transaction() as conn:
            rows = conn.execute(
                sql.SQL("SELECT {} FROM {} ORDER BY id").format(ARTIFACT_COLUMNS, table("artifacts"))
            ).fetchall()
        return [Artifact(**row) for row in rows]

    def artifact_content(self, artifact_id: int) -> bytes | None:
        """Stored bytes, or None for an artifact read from its location at run time."""
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL("SELECT location FROM {} WHERE id = %s").format(table("artifacts")), (artifact_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no artifact with id {artifact_id}")
            if row["location"] is not None:
                return None
            with conn.cursor(binary=True) as cursor:
                cursor.execute(
                    sql.SQL("SELECT data FROM {} WHERE artifact_id = %s ORDER BY position").format(
                        table("artifact_chunks")
                    ),
                    (artifact_id,),
                )
                return b"".join(bytes(r["data"]) for r in cursor)

    def artifact_sources(self, ids: list[int], chunk: int = 100) -> Iterator[dict[str, Any]]:
        """id, name, media_type, location, enabled of each artifact (in the order given), `chunk` rows a query; stored
        ones up to INLINE_BYTES come with their `content` (a run of many small documents reads each in one go)."""
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            with self.transaction() as conn:
                rows = conn.execute(
                    sql.SQL(
                        "SELECT a.id, a.name, a.media_type, a.location, a.enabled, "
                        "CASE WHEN a.enabled AND a.location IS NULL AND a.size_bytes <= %s "
                        "THEN (SELECT coalesce(string_agg(c.data, ''::bytea ORDER BY c.position), ''::bytea) FROM {} c "
                        "WHERE c.artifact_id = a.id) END AS content FROM {} a WHERE a.id = ANY(%s)"
                    ).format(table("artifact_chunks"), table("artifacts")),
                    (INLINE_BYTES, part),
                ).fetchall()
            by_id = {row["id"]: row for row in rows}
            for artifact_id in part:
                yield by_id.get(artifact_id) or {"id": artifact_id, "missing": True}

    def delete_artifact(self, artifact_id: int) -> None:
        """Delete an artifact no pipeline uses (Conflict names the pipelines that do)."""
        with self.transaction() as conn:
            users = conn.execute(
                sql.SQL("SELECT id, name FROM {} WHERE %s = ANY(artifact_ids) ORDER BY id").format(table("pipelines")),
                (artifact_id,),
            ).fetchall()
        if users:
            named = ", ".join(f"{u['id']} ({u['name']})" for u in users)
            raise Conflict(f"artifact {artifact_id} is used by pipeline {named}: remove it from them first")
        self._delete("artifacts", "artifact", artifact_id)

    # -- pipelines ---------------------------------------------------------------------------------
    def create_pipeline(self, data: PipelineIn) -> Pipeline:
        self._check_references(data)
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (name, description, template_id, entity_id, artifact_ids, load_strategy, "
                    "batch_size, failure_policy, enabled) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *"
                ).format(table("pipelines")),
                _pipeline_values(data),
            ).fetchone()
            return Pipeline(**row)

    def update_pipeline(self, pipeline_id: int, data: PipelineIn) -> Pipeline:
        self._check_references(data)
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL(
                    "UPDATE {} SET name = %s, description = %s, template_id = %s, entity_id = %s, artifact_ids = %s, "
                    "load_strategy = %s, batch_size = %s, failure_policy = %s, enabled = %s, updated_at = now() "
                    "WHERE id = %s RETURNING *"
                ).format(table("pipelines")),
                (*_pipeline_values(data), pipeline_id),
            ).fetchone()
            if row is None:
                raise NotFound(f"no pipeline with id {pipeline_id}")
            return Pipeline(**row)

    def get_pipeline(self, pipeline_id: int) -> Pipeline:
        return Pipeline(**self._get("pipelines", "pipeline", pipeline_id))

    def list_pipelines(self) -> list[Pipeline]:
        """Every pipeline with the id and status of its newest run (None before its first)."""
        query = sql.SQL(
            "SELECT p.*, r.dagster_run_id AS last_run_id, r.status AS last_run_status FROM {} p "
            "LEFT JOIN LATERAL (SELECT dagster_run_id, status FROM {} WHERE pipeline_id = p.id "
            "ORDER BY created_at DESC, id DESC LIMIT 1) r ON true ORDER BY p.id"
        ).format(table("pipelines"), table("pipeline_runs"))
        with self.transaction() as conn:
            return [Pipeline(**row) for row in conn.execute(query).fetchall()]

    def delete_pipeline(self, pipeline_id: int) -> None:
        self._delete("pipelines", "pipeline", pipeline_id)

    def _check_references(self, data: PipelineIn) -> None:
        errors = []
        with self.transaction() as conn:
            for name, ids in (("template", [data.template_id]), ("entity", [data.entity_id])):
                plural = "templates" if name == "template" else "entities"
                if not conn.execute(sql.SQL("SELECT 1 FROM {} WHERE id = %s").format(table(plural)), ids).fetchone():
                    errors.append(f"{name}_id: no {name} with id {ids[0]}")
            found = {
                r["id"]
                for r in conn.execute(
                    sql.SQL("SELECT id FROM {} WHERE id = ANY(%s)").format(table("artifacts")), (data.artifact_ids,)
                )
            }
            missing = [str(i) for i in data.artifact_ids if i not in found]
            if missing:
                errors.append(f"artifact_ids: no artifact with id {', '.join(missing)}")
        if errors:
            raise MissingReferences(errors)

    # -- runs --------------------------------------------------------------------------------------
    def record_run(self, pipeline_id: int | None, dagster_run_id: str, status: str, **values: Any) -> PipelineRun:
        """Insert or update the run's row; only the given values change (the sensor and the launcher both call this)."""
        columns = {"pipeline_id": pipeline_id, "status": status, **values}
        for name in ("logs", "counts"):
            if name in columns:
                columns[name] = Jsonb(columns[name])
        names = list(columns)
        updates = [n for n in names if not (n == "pipeline_id" and pipeline_id is None)]
        query = sql.SQL(
            "INSERT INTO {table} (dagster_run_id, {cols}) VALUES (%s, {vals}) ON CONFLICT (dagster_run_id) DO UPDATE "
            "SET {sets}, updated_at = now() RETURNING *"
        ).format(
            table=table("pipeline_runs"),
            cols=sql.SQL(", ").join(map(sql.Identifier, names)),
            vals=sql.SQL(", ").join(sql.Placeholder() * len(names)),
            sets=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n)) for n in updates),
        )
        with self.transaction() as conn:
            row = conn.execute(query, [dagster_run_id, *columns.values()]).fetchone()
        return PipelineRun(**row)

    def get_run(self, dagster_run_id: str, pipeline_id: int | None = None) -> PipelineRun:
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL("SELECT * FROM {} WHERE dagster_run_id = %s").format(table("pipeline_runs")), (dagster_run_id,)
            ).fetchone()
        if row is None or (pipeline_id is not None and row["pipeline_id"] != pipeline_id):
            where = f" of pipeline {pipeline_id}" if pipeline_id is not None else ""
            raise NotFound(f"no run {dagster_run_id}{where}")
        return PipelineRun(**row)

    def list_runs(self, pipeline_id: int, limit: int = 50) -> list[PipelineRun]:
        with self.transaction() as conn:
            rows = conn.execute(
                sql.SQL("SELECT * FROM {} WHERE pipeline_id = %s ORDER BY created_at DESC, id DESC LIMIT %s").format(
                    table("pipeline_runs")
                ),
                (pipeline_id, limit),
            ).fetchall()
        return [PipelineRun(**row) for row in rows]

    # -- shared ------------------------------------------------------------------------------------
    def _get(self, name: str, singular: str, record_id: int, columns: str = "*") -> dict[str, Any]:
        with self.transaction() as conn:
            row = conn.execute(
                sql.SQL("SELECT {} FROM {} WHERE id = %s").format(sql.SQL(columns), table(name)), (record_id,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no {singular} with id {record_id}")
        return row

    def _list(self, name: str) -> list[dict[str, Any]]:
        with self.transaction() as conn:
            return conn.execute(sql.SQL("SELECT * FROM {} ORDER BY id").format(table(name))).fetchall()

    def _delete(self, name: str, singular: str, record_id: int) -> None:
        with self.transaction() as conn:
            if not conn.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(table(name)), (record_id,)).rowcount:
                raise NotFound(f"no {singular} with id {record_id}")


def _template_values(data: TemplateIn) -> tuple[Any, ...]:
    expect = Jsonb(data.expect.model_dump(exclude_none=True)) if data.expect else None
    return (data.name, data.description, data.extraction_strategy, Jsonb(data.strategy_config), data.enabled, expect)


def _columns(data: EntityIn) -> Jsonb:
    return Jsonb([c.model_dump() for c in data.columns])


def _pipeline_values(data: PipelineIn) -> tuple[Any, ...]:
    return (
        data.name,
        data.description,
        data.template_id,
        data.entity_id,
        data.artifact_ids,
        data.load_strategy,
        data.batch_size,
        data.failure_policy,
        data.enabled,
    )


def _detail(exc: psycopg.Error) -> str:
    diag = exc.diag
    return diag.message_detail or diag.message_primary or type(exc).__name__
