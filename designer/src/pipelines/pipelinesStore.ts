/**
 * The Pipelines page's state (zustand, apart from the designer's): the records the API holds, the
 * pipeline whose runs are shown, the run being watched, and the page's notice.
 */
import { create } from "zustand";

import { messageOf } from "../store";
import { type Artifact, type Entity, type Pipeline, pipelinesApi, type Template } from "./pipelinesApi";

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
  notice: PageNotice | null;

  load(): Promise<void>;
  refreshPipelines(): Promise<void>;
  refreshArtifacts(): Promise<void>;
  watch(pipelineId: number, runId: string | null): void;
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

  async refreshPipelines() {
    try {
      set({ pipelines: await pipelinesApi.pipelines() });
    } catch (error) {
      get().notify("error", `The pipelines could not be listed: ${messageOf(error)}`);
    }
  },

  async refreshArtifacts() {
    try {
      set({ artifacts: await pipelinesApi.artifacts() });
    } catch (error) {
      get().notify("error", `The artifacts could not be listed: ${messageOf(error)}`);
    }
  },

  watch(pipelineId, runId) {
    set({ selectedPipeline: pipelineId, watchedRun: runId });
  },

  notify(kind, text) {
    set({ notice: { kind, text } });
  },
}));
