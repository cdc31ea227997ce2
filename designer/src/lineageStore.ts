/**
 * State of lineage edits and primitives (zustand), beside the designer's main store: the location's
 * edges with their origins, its jobs/schedules/sensors, the assets picked on the canvas for a new job,
 * the drawn edge selected for removal and the edge into a dbt model under review (its diff shown before
 * it is written). Every write goes to the API, then the canvas is redrawn.
 */
import { create } from "zustand";

import { type Definitions, type LineageEdge, lineageApi, type NewSchedule } from "./lineageApi";
import { drawMode } from "./lineageEdges";
import { messageOf, tracked, useDesigner } from "./store";

interface LineageState {
  location: string | null;
  edges: LineageEdge[];
  definitions: Definitions;
  picking: boolean;
  picked: string[];
  selectedEdge: { source: string; target: string } | null;
  busy: boolean;
  /** A dependency into a dbt model, with the diff it would write, waiting for Write or Cancel. */
  review: EdgeReview | null;

  load(location: string | null): Promise<void>;
  /** Write the dependency; into a dbt model, fetch its diff for review first (true: written or under review). */
  draw(source: string, target: string): Promise<boolean>;
  writeReviewed(): Promise<boolean>;
  cancelReview(): void;
  removeSelected(): Promise<void>;
  selectEdge(edge: { source: string; target: string } | null): void;
  startPicking(): void;
  stopPicking(): void;
  togglePick(key: string): void;
  createJob(job: string): Promise<boolean>;
  createSchedule(schedule: NewSchedule): Promise<string | null>;
  createSensor(sensor: string, asset: string, job: string): Promise<string | null>;
}

export interface EdgeReview {
  source: string;
  target: string;
  diff: string;
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
  review: null,

  async load(location) {
    if (location !== get().location) set({ location, edges: [], definitions: EMPTY, picked: [], picking: false, selectedEdge: null, review: null });
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
    if (!location || get().busy || get().review) return false;
    if (drawMode(target, useDesigner.getState().assets) === "write") return writeEdge(location, source, target, set);
    set({ busy: true });
    try {
      const diff = await tracked(`Preparing the dbt source of ${target}…`, () => lineageApi.edgeDiff(location, source, target));
      if (get().location === location) set({ review: { source, target, diff } });
      return true;
    } catch (error) {
      useDesigner.getState().notify("error", `Dependency not added: ${messageOf(error)}`);
      return false;
    } finally {
      set({ busy: false });
    }
  },

  async writeReviewed() {
    const { location, review } = get();
    if (!location || !review || get().busy) return false;
    try {
      return await writeEdge(location, review.source, review.target, set, review.diff); // what was shown, or nothing
    } finally {
      set({ review: null });
    }
  },

  cancelReview() {
    const review = get().review;
    if (!review || get().busy) return; // a write under way closes the dialog itself
    set({ review: null });
    useDesigner.getState().notify("info", `Nothing written: ${review.target} does not depend on ${review.source}.`);
  },

  async removeSelected() {
    const { location, selectedEdge } = get();
    if (!location || !selectedEdge) return;
    const { source, target } = selectedEdge;
    const refused = await whileBusy(set, location, "Removing the dependency…", () => lineageApi.removeEdge(location, source, target), {
      done: `Removed the dependency of ${target} on ${source}.`,
      then: () => set({ selectedEdge: null }),
    });
    if (refused !== null) useDesigner.getState().notify("error", `Dependency not removed: ${refused}`);
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
    const refused = await whileBusy(set, location, `Creating job ${job}…`, () => lineageApi.createJob(location, job, picked), {
      done: `Created job ${job} (${picked.length} assets).`,
      then: () => set({ picking: false, picked: [] }),
    });
    if (refused !== null) useDesigner.getState().notify("error", `Job not created: ${refused}`);
    return refused === null;
  },

  async createSchedule(schedule) {
    return runCreate(get().location, () => lineageApi.createSchedule(get().location!, schedule), `Created schedule ${schedule.name}.`, set);
  },

  async createSensor(sensor, asset, job) {
    return runCreate(get().location, () => lineageApi.createSensor(get().location!, sensor, asset, job), `Created sensor ${sensor}.`, set);
  },
}));

/** Write a drawn dependency (one undoable step of the server's journal), then redraw; false when refused. */
async function writeEdge(
  location: string,
  source: string,
  target: string,
  set: (state: Partial<LineageState>) => void,
  expectedDiff?: string,
): Promise<boolean> {
  const add = () =>
    expectedDiff === undefined ? lineageApi.addEdge(location, source, target) : lineageApi.addEdge(location, source, target, expectedDiff);
  const refused = await whileBusy(set, location, `Adding the dependency of ${target}…`, add, { done: `Saved: ${target} now depends on ${source}.` });
  if (refused !== null) useDesigner.getState().notify("error", `Dependency not added: ${refused}`);
  return refused === null;
}

/** Run a create call; null when it worked, else the API's message in words. */
function runCreate(location: string | null, call: () => Promise<unknown>, done: string, set: (state: Partial<LineageState>) => void): Promise<string | null> {
  if (!location) return Promise.resolve("Choose a location first.");
  return whileBusy(set, location, "Creating…", call, { done });
}

/**
 * One write of the lineage: busy while `call` runs (shown as `label` when slow), then `then`, the canvas redrawn
 * and `done` said. null when it worked, else the API's refusal in words (the caller says it its way).
 */
async function whileBusy(
  set: (state: Partial<LineageState>) => void,
  location: string,
  label: string,
  call: () => Promise<unknown>,
  { done, then }: { done: string; then?: () => void },
): Promise<string | null> {
  set({ busy: true });
  try {
    await tracked(label, call);
    then?.();
    await afterWrite(location, done);
    return null;
  } catch (error) {
    return messageOf(error);
  } finally {
    set({ busy: false });
  }
}
