/**
 * The platform API's universal-pipeline routes (`/api/pipelines`, `/api/templates`, `/api/entities`,
 * `/api/artifacts`), typed. The Pipelines page's one module that knows their URLs and shapes.
 */
import { request } from "../api";

export interface Template {
  id: number;
  name: string;
  extraction_strategy: string;
  fields: { name: string }[];
}

export interface Entity {
  id: number;
  name: string;
  schema_name: string;
  table_name: string;
}

export interface Artifact {
  id: number;
  name: string;
  media_type: string;
  location?: string | null;
  size_bytes?: number | null;
  stored: boolean;
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

const pipelineUrl = (id: number) => `/api/pipelines/${id}`;
const runUrl = (pipelineId: number, runId: string) => `${pipelineUrl(pipelineId)}/runs/${encodeURIComponent(runId)}`;

export const pipelinesApi = {
  pipelines: () => request<Pipeline[]>("GET", "/api/pipelines"),
  templates: () => request<Template[]>("GET", "/api/templates"),
  entities: () => request<Entity[]>("GET", "/api/entities"),
  artifacts: () => request<Artifact[]>("GET", "/api/artifacts"),
  createPipeline: (input: PipelineInput) => request<Pipeline>("POST", "/api/pipelines", input),
  registerArtifact: (link: ArtifactLink) => request<Artifact>("POST", "/api/artifacts", link),
  uploadArtifact(file: File, name: string): Promise<Artifact> {
    const form = new FormData();
    form.append("file", file);
    if (name) form.append("name", name);
    if (file.type) form.append("media_type", file.type);
    return request<Artifact>("POST", "/api/artifacts", form);
  },
  launch: (pipelineId: number) => request<{ run_id: string; status: string }>("POST", `${pipelineUrl(pipelineId)}/runs`),
  runs: (pipelineId: number) => request<PipelineRun[]>("GET", `${pipelineUrl(pipelineId)}/runs?limit=20`),
  run: (pipelineId: number, runId: string) => request<PipelineRun>("GET", runUrl(pipelineId, runId)),
  cancel: (pipelineId: number, runId: string) => request<PipelineRun>("POST", `${runUrl(pipelineId, runId)}/cancel`),
  /** Server-sent events until the run ends; EventSource resumes with Last-Event-ID after a drop. */
  followLogsUrl: (pipelineId: number, runId: string) => `${runUrl(pipelineId, runId)}/logs?follow=true`,
};
