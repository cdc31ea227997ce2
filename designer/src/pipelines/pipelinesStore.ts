/**
 * The Pipelines page's state (zustand, apart from the designer's): the records the API holds, the
 * pipeline whose runs are shown, the run being watched, the pipeline being edited, and the page's notice.
 */
import { create } from "zustand";

import { messageOf } from "../store";
import { artifactInput, pipelineInput, templateBody } from "./pipelineMapping";
import { type Artifact, type Entity, type Pipeline, pipelinesApi, type Template } from "./pipelinesApi";

export type RecordKind = "pipeline" | "template" | "entity" | "artifact";

/** Each kind of record: the state key of its list, how the API lists and deletes it. */
const RECORDS = {
  pipeline: { key: "pipelines", list: pipelinesApi.pipelines, remove: pipelinesApi.deletePipeline },
  template: { key: "templates", list: pipelinesApi.templates, remove: pipelinesApi.deleteTemplate },
  entity: { key: "entities", list: pipelinesApi.entities, remove: pipelinesApi.deleteEntity },
  artifact: { key: "artifacts", list: pipelinesApi.artifacts, remove: pipelinesApi.deleteArtifact },
} as const;

export interface PageNotice {
  kind: "info" | "error";
  text: string;
}

interface PipelinesState {
  pipelines: Pipeline[];
  templates: Template[];
  entities: Entity[];
  artifacts: Artifact[];
  loaded: boolean;
  selectedPipeline: number | null;
  watchedRun: string | null;
  /** The pipeline the form edits (null: the form creates one). */
  editingPipeline: number | null;
  /** The artifact the template editor previews on (kept while the editor moves between templates). */
  previewArtifact: number | null;
  notice: PageNotice | null;

  load(): Promise<void>;
  /** List one kind of record again (after a change). */
  refresh(kind: RecordKind): Promise<void>;
  watch(pipelineId: number, runId: string | null): void;
  editPipeline(pipelineId: number | null): void;
  choosePreviewArtifact(artifactId: number | null): void;
  /** Delete a record after the user confirmed; the list is refreshed and the notice says how it went. */
  remove(kind: RecordKind, id: number, name: string): Promise<boolean>;
  /** Enable or disable a pipeline, a template (a disabled one, or one of a disabled template, is not launched) or an
   * artifact (runs skip a disabled one, and say so in their counts). */
  setEnabled(kind: "pipeline" | "template" | "artifact", record: Pipeline | Template | Artifact, enabled: boolean): Promise<void>;
  notify(kind: PageNotice["kind"], text: string): void;
}

export const usePipelines = create<PipelinesState>()((set, get) => ({
  pipelines: [],
  templates: [],
  entities: [],
  artifacts: [],
  loaded: false,
  selectedPipeline: null,
  watchedRun: null,
  editingPipeline: null,
  previewArtifact: null,
  notice: null,

  async load() {
    try {
      const [pipelines, templates, entities, artifacts] = await Promise.all([
        pipelinesApi.pipelines(),
        pipelinesApi.templates(),
        pipelinesApi.entities(),
        pipelinesApi.artifacts(),
      ]);
      set({ pipelines, templates, entities, artifacts, loaded: true });
    } catch (error) {
      get().notify("error", `The pipelines could not be loaded: ${messageOf(error)}`);
    }
  },

  async refresh(kind) {
    const { key, list } = RECORDS[kind];
    try {
      set({ [key]: await list() } as Partial<PipelinesState>);
    } catch (error) {
      get().notify("error", `The ${key} could not be listed: ${messageOf(error)}`);
    }
  },

  watch(pipelineId, runId) {
    set({ selectedPipeline: pipelineId, watchedRun: runId });
  },

  editPipeline(pipelineId) {
    set({ editingPipeline: pipelineId });
  },

  choosePreviewArtifact(artifactId) {
    set({ previewArtifact: artifactId });
  },

  async remove(kind, id, name) {
    try {
      await RECORDS[kind].remove(id);
    } catch (error) {
      get().notify("error", `The ${kind} ${name} was not deleted: ${messageOf(error)}`);
      return false;
    }
    const state = get();
    if (kind === "pipeline") {
      if (state.selectedPipeline === id) set({ selectedPipeline: null, watchedRun: null });
      if (state.editingPipeline === id) set({ editingPipeline: null });
    }
    await state.refresh(kind);
    get().notify("info", `Deleted the ${kind} ${name}.`);
    return true;
  },

  async setEnabled(kind, record, enabled) {
    try {
      if (kind === "pipeline") await pipelinesApi.updatePipeline(record.id, pipelineInput(record as Pipeline, { enabled }));
      else if (kind === "template") await pipelinesApi.updateTemplate(record.id, templateBody(record as Template, { enabled }));
      else await pipelinesApi.updateArtifact(record.id, artifactInput(record as Artifact, { enabled }));
    } catch (error) {
      get().notify("error", `The ${kind} ${record.name} was not ${enabled ? "enabled" : "disabled"}: ${messageOf(error)}`);
      return;
    }
    await get().refresh(kind);
    get().notify("info", `${enabled ? "Enabled" : "Disabled"} the ${kind} ${record.name}.`);
  },

  notify(kind, text) {
    set({ notice: { kind, text } });
  },
}));
