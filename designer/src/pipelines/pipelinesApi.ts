/**
 * The platform API's universal-pipeline routes (`/api/pipelines`, `/api/templates`, `/api/entities`,
 * `/api/artifacts`), typed. The Pipelines page's one module that knows their URLs and shapes.
 */
import { request } from "../api";
import type { components } from "../generated/api";

/**
 * The API's models, as its OpenAPI schema says (src/generated/, `npm run gen:api`): a request's type (`…Input`)
 * may leave out what has a default, an answer's holds every field.
 */
type Schemas = components["schemas"];

export type Strategy = Schemas["TemplateIn"]["extraction_strategy"];
export type FieldType = NonNullable<Schemas["TemplateField-Input"]["field_type"]>;
export type TransformKind = Schemas["Transform-Input"]["kind"];
export type Transform = Schemas["Transform-Input"];
export type TemplateField = Schemas["TemplateField-Input"];
/** What every document must yield, or its artifact fails (fail_fast) or is counted as failed (continue). */
export type Expect = Schemas["Expect-Input"];
/** The body of POST/PUT /api/templates. */
export type TemplateInput = Schemas["TemplateIn"];
export type Template = Schemas["Template"];

export type ColumnType = Schemas["EntityColumn-Input"]["type"];
export type EntityColumn = Schemas["EntityColumn-Input"];
/** The body of POST/PUT /api/entities. */
export type EntityInput = Schemas["EntityIn"];
export type Entity = Schemas["Entity"];

/** The body of PUT /api/artifacts/{id}: a new name or media type (or a registered one's path/URL). */
export type ArtifactInput = Schemas["ArtifactIn"];
export type Artifact = Schemas["Artifact"];

export type LoadStrategy = NonNullable<Schemas["PipelineIn"]["load_strategy"]>;
export type FailurePolicy = NonNullable<Schemas["PipelineIn"]["failure_policy"]>;

/** The pipeline form's body of POST/PUT /api/pipelines: the template and entity are null until picked. */
export type PipelineInput = Required<Omit<Schemas["PipelineIn"], "template_id" | "entity_id">> & {
  template_id: number | null;
  entity_id: number | null;
};
export type Pipeline = Schemas["Pipeline"];
export type PipelineRun = Schemas["PipelineRun"];
/** Dagster's run statuses. */
export type RunStatus = PipelineRun["status"];

/** One event of a run's log, as the logs route sends it. */
export interface LogEvent {
  type: string;
  message: string;
  timestamp?: number | null;
  level?: string | null;
  step_key?: string | null;
  error?: string | null;
}

/** The JSON body of POST /api/artifacts (the route reads an upload or this, so the schema does not name it). */
export type ArtifactLink = Pick<ArtifactInput, "name" | "media_type"> & { location: string };

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
