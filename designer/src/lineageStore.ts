/**
 * State of lineage edits and primitives (zustand), beside the designer's main store: the location's
 * edges with their origins, its jobs/schedules/sensors, the assets picked on the canvas for a new job and
 * the drawn edge selected for removal. Every write goes to the API, then the canvas is redrawn.
 */
import { create } from "zustand";

import { type Definitions, type LineageEdge, lineageApi, type NewSchedule } from "./lineageApi";
import { messageOf, tracked, useDesigner } from "./store";

interface LineageState {
  location: string | null;
  edges: LineageEdge[];
  definitions: Definitions;
  picking: boolean;
  picked: string[];
  selectedEdge: { source: string; target: string } | null;
  busy: boolean;

  load(location: string | null): Promise<void>;
  draw(source: string, target: string): Promise<boolean>;
  removeSelected(): Promise<void>;
  selectEdge(edge: { source: string; target: string } | null): void;
  startPicking(): void;
  stopPicking(): void;
  togglePick(key: string): void;
  createJob(job: string): Promise<boolean>;
  createSchedule(schedule: NewSchedule): Promise<string | null>;
  createSensor(sensor: string, asset: string, job: string): Promise<string | null>;
}

const EMPTY: Definitions = { jobs: [], schedules: [], sensors: [] };

async function afterWrite(location: string, message: string) {
  const designer = useDesigner.getState();
  await designer.refresh();
  await useLineage.getState().load(location);
  designer.notify("info", message);
}

export const useLineage = create<LineageState>()((set, get) => ({
  location: null,
  edges: [],
  definitions: EMPTY,
  picking: false,
  picked: [],
  selectedEdge: null,
  busy: false,

  async load(location) {
    if (location !== get().location) set({ location, edges: [], definitions: EMPTY, picked: [], picking: false, selectedEdge: null });
    if (!location) return;
    try {
      const [edges, definitions] = await Promise.all([lineageApi.edges(location), lineageApi.definitions(location)]);
      if (get().location === location) set({ edges, definitions });
    } catch {
      // the preview's own error is shown by the canvas
    }
  },

  async draw(source, target) {
    const location = get().location;
    if (!location || get().busy) return false;
    set({ busy: true });
    try {
      await tracked(`Adding the dependency of ${target}…`, () => lineageApi.addEdge(location, source, target));
      await afterWrite(location, `Saved: ${target} now depends on ${source}.`);
      return true;
    } catch (error) {
      useDesigner.getState().notify("error", `Dependency not added: ${messageOf(error)}`);
      return false;
    } finally {
      set({ busy: false });
    }
  },

  async removeSelected() {
    const { location, selectedEdge } = get();
    if (!location || !selectedEdge) return;
    set({ busy: true });
    try {
      await tracked("Removing the dependency…", () => lineageApi.removeEdge(location, selectedEdge.source, selectedEdge.target));
      set({ selectedEdge: null });
      await afterWrite(location, `Removed the dependency of ${selectedEdge.target} on ${selectedEdge.source}.`);
    } catch (error) {
      useDesigner.getState().notify("error", `Dependency not removed: ${messageOf(error)}`);
    } finally {
      set({ busy: false });
    }
  },

  selectEdge(edge) {
    set({ selectedEdge: edge });
  },
  startPicking() {
    set({ picking: true, picked: [] });
  },
  stopPicking() {
    set({ picking: false, picked: [] });
  },
  togglePick(key) {
    const picked = get().picked;
    set({ picked: picked.includes(key) ? picked.filter((item) => item !== key) : [...picked, key] });
  },

  async createJob(job) {
    const { location, picked } = get();
    if (!location) return false;
    set({ busy: true });
    try {
      await tracked(`Creating job ${job}…`, () => lineageApi.createJob(location, job, picked));
      set({ picking: false, picked: [] });
      await afterWrite(location, `Created job ${job} (${picked.length} assets).`);
      return true;
    } catch (error) {
      useDesigner.getState().notify("error", `Job not created: ${messageOf(error)}`);
      return false;
    } finally {
      set({ busy: false });
    }
  },

  async createSchedule(schedule) {
    return runCreate(get().location, () => lineageApi.createSchedule(get().location!, schedule), `Created schedule ${schedule.name}.`, set);
  },

  async createSensor(sensor, asset, job) {
    return runCreate(get().location, () => lineageApi.createSensor(get().location!, sensor, asset, job), `Created sensor ${sensor}.`, set);
  },
}));

/** Run a create call; null when it worked, else the API's message in words. */
async function runCreate(
  location: string | null,
  call: () => Promise<unknown>,
  done: string,
  set: (state: Partial<LineageState>) => void,
): Promise<string | null> {
  if (!location) return "Choose a location first.";
  set({ busy: true });
  try {
    await tracked("Creating…", call);
    await afterWrite(location, done);
    return null;
  } catch (error) {
    return messageOf(error);
  } finally {
    set({ busy: false });
  }
}
