/** An entity as its form holds it (rows with stable keys, the unique key as a flag per column), and its API body. */
import { DEFAULT_ENTITY_SCHEMA, IDENTIFIER_MAX_LENGTH } from "../generated/facts";
import type { ColumnType, Entity, EntityInput } from "./pipelinesApi";

export { COLUMN_TYPES } from "../generated/facts";

/** An entity as the API answers it, without its id and times: every field there. */
export type SavedEntity = Pick<Entity, "name" | "schema_name" | "table_name" | "columns" | "unique_fields">;

export interface ColumnDraft {
  key: string;
  name: string;
  type: ColumnType;
  nullable: boolean;
  unique: boolean;
}

export interface EntityDraft {
  name: string;
  schema_name: string;
  /** Empty: derived from the name (see tableNameFor). */
  table_name: string;
  columns: ColumnDraft[];
}

let nextKey = 0;
export const emptyColumn = (name = "", type: ColumnType = "text"): ColumnDraft => ({ key: `column-${(nextKey += 1)}`, name, type, nullable: true, unique: false });

/** A Postgres identifier made from a display name: "Sales 2024 (EU)" -> "sales_2024_eu". */
export function tableNameFor(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!slug) return "";
  const start = /^[a-z_]/.test(slug) ? slug : `t_${slug}`;
  return start.slice(0, IDENTIFIER_MAX_LENGTH).replace(/_+$/, "");
}

export function entityDraft(entity?: SavedEntity): EntityDraft {
  if (!entity) return { name: "", schema_name: DEFAULT_ENTITY_SCHEMA, table_name: "", columns: [emptyColumn()] };
  const unique = new Set(entity.unique_fields);
  return {
    name: entity.name,
    schema_name: entity.schema_name,
    table_name: entity.table_name,
    columns: entity.columns.map((column) => ({ ...emptyColumn(column.name, column.type), nullable: column.nullable, unique: unique.has(column.name) })),
  };
}

export function entityInput(draft: EntityDraft): EntityInput {
  const columns = draft.columns.map((column) => ({ name: column.name.trim(), type: column.type, nullable: column.nullable }));
  return {
    name: draft.name.trim(),
    schema_name: draft.schema_name.trim() || DEFAULT_ENTITY_SCHEMA,
    table_name: draft.table_name.trim() || tableNameFor(draft.name),
    columns,
    unique_fields: draft.columns.filter((column) => column.unique).map((column) => column.name.trim()),
  };
}

/** Whether the form says something else than the entity it started from (compared as the API would get them). */
export function isEntityEdited(draft: EntityDraft, saved: SavedEntity | undefined): boolean {
  return JSON.stringify(entityInput(draft)) !== JSON.stringify(entityInput(entityDraft(saved)));
}
