/**
 * Pure mappings of the Pipelines page: the API's error items onto form fields in plain words, run
 * statuses onto their look, log events onto lines, file names onto media types.
 */
import type { ApiErrorItem } from "../api";
import { IDENTIFIER_MAX_LENGTH, IDENTIFIER_PATTERN } from "../generated/facts";
import type { Artifact, ArtifactInput, Entity, LogEvent, Pipeline, PipelineInput, RunStatus, Template, TemplateInput } from "./pipelinesApi";

export const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  description: "Description",
  template_id: "Template",
  entity_id: "Entity",
  artifact_ids: "Artifacts",
  load_strategy: "Load strategy",
  batch_size: "Batch size",
  failure_policy: "Failure policy",
  enabled: "Enabled",
  fields: "Template fields",
  columns: "Columns",
  unique_fields: "Unique fields",
  strategy_config: "Strategy options",
  extraction_strategy: "Strategy",
  schema_name: "Schema",
  table_name: "Table",
  file: "File",
  media_type: "Media type",
  location: "Path or URL",
};

/** A list row's errors by column; "" holds those about the row as a whole. */
export type RowErrors = Record<string, string[]>;

export interface FormErrors {
  /** Messages for the form's own fields, by field name. */
  byField: Record<string, string[]>;
  /** Messages about no field of the form, each starting with what it is about. */
  general: string[];
  /** Messages about rows of the form's lists (`fields.2.selector`, `columns.sku.type`): list, row, column. */
  rows: Record<string, Record<number, RowErrors>>;
}

/** The row names of the form's lists (template fields, entity columns): the API names some rows by name. */
export type ListRows = Record<string, readonly string[]>;

const PREFIX = /^([a-z_][a-z0-9_]*(?:\.[A-Za-z0-9_]+)*): /;
/** Postgres's unique-key clash, as the API's 409 words it: "already exists: Key (name)=(x) already exists." */
const CLASH = /^already exists: Key \(([a-z_][a-z0-9_]*)\)=\((.*)\) already exists\.?$/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const REWRITES: [RegExp, string][] = [
  [/^Input should be greater than or equal to (\S+)$/, "Must be at least $1."],
  [/^Input should be greater than (\S+)$/, "Must be more than $1."],
  [/^Input should be less than or equal to (\S+)$/, "Must be at most $1."],
  [/^String should have at least 1 character$/, "Must not be empty."],
  [/^String should have at most (\d+) characters?$/, "Must be at most $1 characters long."],
  [/^Field required$/, "Required."],
  [new RegExp(`^String should match pattern '${escapeRegExp(IDENTIFIER_PATTERN)}'$`), `Must be a lower-case name: letters, digits and _, not starting with a digit, at most ${IDENTIFIER_MAX_LENGTH} characters.`],
  [/^Input should be a valid integer.*$/, "Must be a whole number."],
  [/^Input should be a valid number.*$/, "Must be a number."],
  [/^Input should be (('[^']+'(, | or )?)+)$/, "Must be one of $1."],
];

/** A reason as a sentence: pydantic's phrasing reworded, a capital first letter, a full stop. */
export function plainReason(reason: string): string {
  let text = reason.trim().replace(/^Value error, /, "");
  for (const [pattern, replacement] of REWRITES) {
    if (pattern.test(text)) {
      text = text.replace(pattern, replacement);
      break;
    }
  }
  if (!text) return "Invalid.";
  text = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The field path of an item: its `path` without the request part ("body"), else the message's `a.b:` prefix. */
export function fieldPath(item: ApiErrorItem): string[] {
  const path = (item.path ?? []).map(String);
  if (path.length) return path[0] === "body" || path[0] === "query" ? path.slice(1) : path;
  const match = PREFIX.exec(item.message) ?? CLASH.exec(item.message);
  return match ? match[1].split(".") : [];
}

/** The item's message without the path prefix it starts with. */
function reasonOf(item: ApiErrorItem): string {
  const clash = CLASH.exec(item.message);
  if (clash) return `already taken ("${clash[2]}"): choose another`;
  return item.message.replace(PREFIX, "");
}

/** Fields picked from a list: "not an integer" means nothing was picked. */
const CHOICES = new Set(["template_id", "entity_id"]);
const NO_CHOICE = /^(Input should be a valid integer|Field required)/;

/** The row a path into a list points at: `3` (pydantic's index) or `sku` (a row's name, as launch checks say). */
function rowIndex(key: string | undefined, names: readonly string[]): number | null {
  if (key === undefined) return null;
  if (/^\d+$/.test(key)) return Number(key);
  const index = names.indexOf(key);
  return index < 0 ? null : index;
}

/** Each error on the form field (or list row and column) it names, the rest in plain general lines. */
export function formErrors(items: ApiErrorItem[], fields: readonly string[], lists: ListRows = {}): FormErrors {
  const result: FormErrors = { byField: {}, general: [], rows: {} };
  for (const item of items) {
    const [field, ...rest] = fieldPath(item);
    const reason = field && CHOICES.has(field) && NO_CHOICE.test(reasonOf(item)) ? "Choose one." : plainReason(reasonOf(item));
    const row = field && field in lists ? rowIndex(rest[0], lists[field]) : null;
    if (row !== null) {
      const [column = "", ...deeper] = rest.slice(1);
      const rows = (result.rows[field] ??= {});
      const columns = (rows[row] ??= {});
      columns[column] = [...(columns[column] ?? []), deeper.length ? `${deeper.join(" › ")}: ${reason}` : reason];
      continue;
    }
    if (field && fields.includes(field)) {
      result.byField[field] = [...(result.byField[field] ?? []), rest.length ? `${rest.join(" › ")}: ${reason}` : reason];
      continue;
    }
    const about = field ? [FIELD_LABELS[field] ?? field, ...rest].join(" › ") : "";
    result.general.push(about ? `${about}: ${reason}` : reason);
  }
  return result;
}

/** A list row's errors as lines, each naming its column ("selector: …"); those about the whole row bare. */
export function rowMessages(errors: RowErrors | undefined): string[] {
  return Object.entries(errors ?? {}).flatMap(([column, list]) => list.map((message) => (column ? `${column}: ${message}` : message)));
}

/** How many errors a form has. */
export function errorCount(errors: FormErrors): number {
  const inRows = Object.values(errors.rows).flatMap((rows) => Object.values(rows).flatMap((columns) => Object.values(columns).flat()));
  return Object.values(errors.byField).flat().length + errors.general.length + inRows.length;
}

export type StatusKind = "none" | "queued" | "running" | "success" | "failure" | "canceled";

/** Every status Dagster has (the API's schema lists them: a new one fails the typecheck until it has a look). */
const STATUS_KINDS: Record<RunStatus, StatusKind> = {
  QUEUED: "queued",
  NOT_STARTED: "queued",
  MANAGED: "queued",
  SUSPENDED: "queued",
  STARTING: "running",
  STARTED: "running",
  CANCELING: "running",
  SUCCESS: "success",
  FAILURE: "failure",
  CANCELED: "canceled",
};

export function statusKind(status: string | null | undefined): StatusKind {
  return status ? (STATUS_KINDS[status as RunStatus] ?? "queued") : "none";
}

export function isFinished(status: string | null | undefined): boolean {
  const kind = statusKind(status);
  return kind === "success" || kind === "failure" || kind === "canceled";
}

/** `12:03:04 INFO extract_data: message` (time in UTC), with the event's error after the message. */
export function logLine(event: LogEvent): string {
  const time = event.timestamp ? new Date(event.timestamp * 1000).toISOString().slice(11, 19) : "--:--:--";
  const level = (event.level ?? "INFO").toUpperCase();
  const where = event.step_key ? ` ${event.step_key}:` : "";
  const text = event.message || event.type;
  return `${time} ${level}${where} ${text}${event.error ? ` (${event.error.split("\n")[0]})` : ""}`;
}

export interface PipelineRow {
  id: number;
  name: string;
  template: string;
  entity: string;
  enabled: boolean;
  lastRunStatus: string | null;
}

/** Pipelines with the names of their template and entity (`#id` when the record is gone). */
export function pipelineRows(pipelines: Pipeline[], templates: Template[], entities: Entity[]): PipelineRow[] {
  const templateNames = new Map(templates.map((template) => [template.id, template.name]));
  const entityNames = new Map(entities.map((entity) => [entity.id, `${entity.name} (${entity.schema_name}.${entity.table_name})`]));
  return pipelines.map((pipeline) => ({
    id: pipeline.id,
    name: pipeline.name,
    template: templateNames.get(pipeline.template_id) ?? `#${pipeline.template_id}`,
    entity: entityNames.get(pipeline.entity_id) ?? `#${pipeline.entity_id}`,
    enabled: pipeline.enabled,
    lastRunStatus: pipeline.last_run_status ?? null,
  }));
}

const MEDIA_TYPES: Record<string, string> = {
  html: "text/html",
  htm: "text/html",
  json: "application/json",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  tif: "image/tiff",
  tiff: "image/tiff",
  txt: "text/plain",
  csv: "text/csv",
};

/** The media type a path or URL's extension suggests, or "" when it suggests none. */
export function mediaTypeFor(pathOrUrl: string): string {
  const clean = pathOrUrl.split(/[?#]/)[0];
  const dot = clean.lastIndexOf(".");
  if (dot < 0 || dot < clean.lastIndexOf("/")) return "";
  return MEDIA_TYPES[clean.slice(dot + 1).toLowerCase()] ?? "";
}

/** The options of a select whose values are their own text. */
export const plainOptions = (values: readonly string[]) => values.map((value) => ({ value, text: value }));

const firstNumber = (record: Record<string, unknown>, keys: string[]) => {
  for (const key of keys) if (typeof record[key] === "number") return record[key] as number;
  return null;
};

/** A running run's progress in words: "412 records so far, 3 of 10 artifacts read" (null before any). */
export function progressLine(progress: Record<string, unknown> | null | undefined): string | null {
  if (!progress) return null;
  const records = firstNumber(progress, ["records", "records_so_far", "records_extracted"]);
  const done = firstNumber(progress, ["artifact", "artifacts_done", "artifact_index", "current_artifact"]);
  const total = firstNumber(progress, ["artifacts", "artifacts_total", "artifact_count", "total_artifacts"]);
  const parts = [];
  if (records !== null) parts.push(`${records} record${records === 1 ? "" : "s"} so far`);
  if (done !== null && total !== null) parts.push(`${done} of ${total} artifact${total === 1 ? "" : "s"} read`);
  else if (total !== null) parts.push(`${total} artifact${total === 1 ? "" : "s"}`);
  return parts.length ? parts.join(", ") : null;
}

/** The body a pipeline is saved with: its record without the keys the API adds. */
export function pipelineInput(pipeline: Pipeline, change: Partial<PipelineInput> = {}): PipelineInput {
  const { name, description, template_id, entity_id, artifact_ids, load_strategy, batch_size, failure_policy, enabled } = pipeline;
  return { name, description: description ?? "", template_id, entity_id, artifact_ids, load_strategy, batch_size, failure_policy, enabled, ...change };
}

/** The body a template is saved with: its record without the keys the API adds. */
export function templateBody(template: Template, change: Partial<TemplateInput> = {}): TemplateInput {
  const { name, description, extraction_strategy, strategy_config, fields, expect, enabled } = template;
  return { name, description, extraction_strategy, strategy_config, fields, expect: expect ?? null, enabled: enabled ?? true, ...change };
}

/** The body an artifact is saved with: its name, media type, path/URL (a registered one's) and state. */
export function artifactInput(artifact: Artifact, change: Partial<ArtifactInput> = {}): ArtifactInput {
  const { name, media_type, location, stored, enabled } = artifact;
  return { name, media_type, location: stored ? null : (location ?? null), enabled: enabled ?? true, ...change };
}

/** Whether the artifact edit form says something else than the artifact (an uploaded one's location is not edited). */
export function isArtifactEdited(artifact: Artifact, form: { name: string; media_type: string; location: string }): boolean {
  return form.name !== artifact.name || form.media_type !== artifact.media_type || (!artifact.stored && form.location !== (artifact.location ?? ""));
}

/** Whether the register form holds anything typed or chosen. */
export function isArtifactDrafted(form: { file: File | null; name: string; media_type: string; location: string }): boolean {
  return form.file !== null || [form.name, form.media_type, form.location].some((value) => value.trim() !== "");
}

/** The pipelines that name a record: a template, an entity or an artifact (deleting it would break them). */
export function usedBy(pipelines: Pipeline[], kind: "template" | "entity" | "artifact", id: number): string[] {
  return pipelines
    .filter((pipeline) => (kind === "template" ? pipeline.template_id === id : kind === "entity" ? pipeline.entity_id === id : pipeline.artifact_ids.includes(id)))
    .map((pipeline) => pipeline.name);
}

/** Whether the pipeline form says something else than it started with (artifacts in any order; the batch size as typed). */
export function isPipelineEdited(input: PipelineInput, batchText: string, initial: PipelineInput): boolean {
  const comparable = (value: PipelineInput, batch: string) => JSON.stringify({ ...value, artifact_ids: [...value.artifact_ids].sort((a, b) => a - b), batch_size: batch.trim() });
  return comparable(input, batchText) !== comparable(initial, String(initial.batch_size));
}
