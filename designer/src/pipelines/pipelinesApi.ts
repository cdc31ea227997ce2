/**
 * The platform API's universal-pipeline routes (`/api/pipelines`, `/api/templates`, `/api/entities`,
 * `/api/artifacts`), typed. The Pipelines page's one module that knows their URLs and shapes.
 */
import { request } from "../api";

export type Strategy = "dom_selection" | "json_path" | "table_detection" | "key_value" | "ocr_text" | "ai_extraction";
export type FieldType = "string" | "integer" | "decimal" | "date" | "boolean";
export type TransformKind = "trim" | "lower" | "upper" | "regex_replace" | "parse_number";

export interface Transform {
  kind: TransformKind;
  pattern?: string | null;
  replacement?: string;
  locale?: "en" | "de" | "fr";
}

export interface TemplateField {
  name: string;
  field_type: FieldType;
  selector?: string | null;
  required: boolean;
  transforms?: Transform[];
  default_value?: unknown;
  date_formats?: string[];
}

/** What every document must yield, or its artifact fails (fail_fast) or is counted as failed (continue). */
export interface Expect {
  min_records?: number | null;
  every_page?: boolean;
}

/** The body of POST/PUT /api/templates. */
export interface TemplateInput {
  name: string;
  description: string;
  extraction_strategy: Strategy;
  strategy_config: Record<string, unknown>;
  fields: TemplateField[];
  expect?: Expect | null;
  /** A disabled template's pipelines are not launched. */
  enabled?: boolean;
}

export interface Template extends TemplateInput {
  id: number;
}

export type ColumnType = "text" | "integer" | "bigint" | "decimal" | "double" | "date" | "timestamp" | "boolean" | "json";

export interface EntityColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

/** The body of POST/PUT /api/entities. */
export interface EntityInput {
  name: string;
  schema_name: string;
  table_name: string;
  columns: EntityColumn[];
  unique_fields: string[];
}

export interface Entity extends EntityInput {
  id: number;
}

/** The body of PUT /api/artifacts/{id}: a new name or media type (or a registered one's path/URL). */
export interface ArtifactInput {
  name: string;
  media_type: string;
  location?: string | null;
  enabled?: boolean;
}

export interface Artifact {
  id: number;
  name: string;
  media_type: string;
  location?: string | null;
  size_bytes?: number | null;
  sha256?: string | null;
  stored: boolean;
  enabled?: boolean;
  created_at?: string | null;
}

export type LoadStrategy = "append" | "upsert" | "replace";
export type FailurePolicy = "fail_fast" | "continue";

export interface PipelineInput {
  name: string;
  description: string;
  template_id: number | null;
  entity_id: number | null;
  artifact_ids: number[];
  load_strategy: LoadStrategy;
  batch_size: number;
  failure_policy: FailurePolicy;
  enabled: boolean;
}

export interface Pipeline extends PipelineInput {
  id: number;
  template_id: number;
  entity_id: number;
  last_run_id?: string | null;
  last_run_status?: string | null;
}

export interface PipelineRun {
  dagster_run_id: string;
  pipeline_id: number | null;
  status: string;
  started_at?: string | null;
  completed_at?: string | null;
  records_extracted?: number | null;
  records_loaded?: number | null;
  records_failed?: number | null;
  error?: string | null;
  /** While the run runs: how far it is (records so far, artifact k of n). */
  progress?: Record<string, unknown> | null;
  /** Tables and rows found, used and skipped (with reasons), once known. */
  counts?: Record<string, unknown> | null;
}

/** One event of a run's log, as the logs route sends it. */
export interface LogEvent {
  type: string;
  message: string;
  timestamp?: number | null;
  level?: string | null;
  step_key?: string | null;
  error?: string | null;
}

export interface ArtifactLink {
  name: string;
  media_type: string;
  location: string;
}

/** A box in PDF points, origin top-left: [x0, top, x1, bottom]. */
export type Box = [number, number, number, number];

export interface PreviewRecord {
  values: Record<string, unknown>;
  errors: Record<string, string>;
  /** Each field's text as read, before transforms and conversion. */
  raw?: Record<string, unknown>;
  page?: number | null;
  table_index?: number | null;
  row_index?: number | null;
  /** The box of the rows the record was read from, on its page (PDF tables; a wrapped row's lines included). */
  box?: Box | null;
}

export interface PreviewTable {
  page: number;
  index: number;
  bbox: Box | null;
  header: string[];
  row_count: number;
  used: boolean;
  reason: string | null;
  stitched_to: number | null;
}

export interface PreviewPage {
  number: number;
  width: number;
  height: number;
  /** False: outside strategy_config.pages. */
  read?: boolean;
  /** Read by OCR. */
  scanned?: boolean;
}

/** What a template reads from one artifact: POST /api/templates/{id}/preview and /api/templates/preview. */
export interface Preview {
  records: PreviewRecord[];
  record_count: number;
  tables: PreviewTable[];
  pages: PreviewPage[];
  counts: Record<string, unknown>;
  skipped: unknown[];
  /** What the document fails of the template's `expect` (a run would fail or count the artifact). */
  problems?: string[];
  elapsed_ms: number;
}

export const PREVIEW_LIMIT = 20;
export const PAGE_IMAGE_SCALE = 1.5;

const pipelineUrl = (id: number) => `/api/pipelines/${id}`;
const runUrl = (pipelineId: number, runId: string) => `${pipelineUrl(pipelineId)}/runs/${encodeURIComponent(runId)}`;

export const pipelinesApi = {
  pipelines: () => request<Pipeline[]>("GET", "/api/pipelines"),
  templates: () => request<Template[]>("GET", "/api/templates"),
  entities: () => request<Entity[]>("GET", "/api/entities"),
  artifacts: () => request<Artifact[]>("GET", "/api/artifacts"),

  createPipeline: (input: PipelineInput) => request<Pipeline>("POST", "/api/pipelines", input),
  updatePipeline: (id: number, input: PipelineInput) => request<Pipeline>("PUT", pipelineUrl(id), input),
  deletePipeline: (id: number) => request<void>("DELETE", pipelineUrl(id)),

  createTemplate: (input: TemplateInput) => request<Template>("POST", "/api/templates", input),
  updateTemplate: (id: number, input: TemplateInput) => request<Template>("PUT", `/api/templates/${id}`, input),
  deleteTemplate: (id: number) => request<void>("DELETE", `/api/templates/${id}`),

  createEntity: (input: EntityInput) => request<Entity>("POST", "/api/entities", input),
  updateEntity: (id: number, input: EntityInput) => request<Entity>("PUT", `/api/entities/${id}`, input),
  deleteEntity: (id: number) => request<void>("DELETE", `/api/entities/${id}`),

  registerArtifact: (link: ArtifactLink) => request<Artifact>("POST", "/api/artifacts", link),
  uploadArtifact(file: File, name: string): Promise<Artifact> {
    const form = new FormData();
    form.append("file", file);
    if (name) form.append("name", name);
    if (file.type) form.append("media_type", file.type);
    return request<Artifact>("POST", "/api/artifacts", form);
  },
  updateArtifact: (id: number, input: ArtifactInput) => request<Artifact>("PUT", `/api/artifacts/${id}`, input),
  deleteArtifact: (id: number) => request<void>("DELETE", `/api/artifacts/${id}`),

  /** A saved template's preview on one artifact. */
  preview: (templateId: number, artifactId: number, limit = PREVIEW_LIMIT) =>
    request<Preview>("POST", `/api/templates/${templateId}/preview`, { artifact_id: artifactId, limit }),
  /** An unsaved template's preview: the same body as POST /api/templates. */
  previewDraft: (template: TemplateInput, artifactId: number, limit = PREVIEW_LIMIT) =>
    request<Preview>("POST", "/api/templates/preview", { template, artifact_id: artifactId, limit }),
  /** A PDF page rendered as PNG (an <img> sends the token cookie, as EventSource does). */
  pageImageUrl: (artifactId: number, page: number, scale = PAGE_IMAGE_SCALE) => `/api/artifacts/${artifactId}/pages/${page}.png?scale=${scale}`,

  launch: (pipelineId: number) => request<{ run_id: string; status: string }>("POST", `${pipelineUrl(pipelineId)}/runs`),
  runs: (pipelineId: number) => request<PipelineRun[]>("GET", `${pipelineUrl(pipelineId)}/runs?limit=20`),
  run: (pipelineId: number, runId: string) => request<PipelineRun>("GET", runUrl(pipelineId, runId)),
  cancel: (pipelineId: number, runId: string) => request<PipelineRun>("POST", `${runUrl(pipelineId, runId)}/cancel`),
  /** Server-sent events until the run ends; EventSource resumes with Last-Event-ID after a drop. */
  followLogsUrl: (pipelineId: number, runId: string) => `${runUrl(pipelineId, runId)}/logs?follow=true`,
};
