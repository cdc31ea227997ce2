/**
 * The designer's state (zustand): what the server holds (locations, instances, preview) and the
 * user's unsaved edits (drafts per instance), with undo/redo over those drafts.
 *
 * A component added on the canvas is only a draft until its first Save: nothing is written before the
 * server has checked its attributes (schema and the staged `dg check defs`), so the location never holds
 * a half-made component.
 */
import { create } from "zustand";

import {
  api,
  ApiError,
  type ApiErrorItem,
  type ComponentInstance,
  type ComponentType,
  type EnvVar,
  type History,
  type Location,
  type PreviewAsset,
} from "./api";

type Drafts = Record<string, Record<string, unknown>>;

export interface Notice {
  kind: "info" | "error";
  text: string;
}

interface DesignerState {
  catalog: ComponentType[];
  locations: Location[];
  location: string | null;
  instances: ComponentInstance[];
  assets: PreviewAsset[];
  previewError: string | null;
  previewLoading: boolean;
  env: EnvVar[];
  selected: string | null;
  drafts: Drafts;
  past: Drafts[];
  future: Drafts[];
  errors: Record<string, ApiErrorItem[]>;
  notice: Notice | null;
  saving: boolean;
  /** The location's server-side undo journal (saved steps, as opposed to the unsaved drafts' past/future). */
  history: History;
  /** What a write that has taken over 300 ms is doing, for the busy indicator; null when none. */
  busy: string | null;

  loadCatalog(): Promise<void>;
  loadLocations(): Promise<void>;
  openLocation(name: string | null): Promise<void>;
  refresh(): Promise<void>;
  refreshPreview(): Promise<void>;
  select(path: string | null): void;
  edit(path: string, attributes: Record<string, unknown>): void;
  undo(): void;
  redo(): void;
  discard(path: string): void;
  save(path: string, attributes: Record<string, unknown>): Promise<boolean>;
  setErrors(path: string, errors: ApiErrorItem[]): void;
  /** Put a new, unwritten instance on the canvas and select it; its first Save creates it. */
  addDraft(type: string, path: string): void;
  notify(kind: Notice["kind"], text: string): void;
}

const NO_HISTORY: History = { undo: null, redo: null };
/** A write shows the busy indicator only when it takes longer than this: quick ones do not flicker. */
const BUSY_AFTER_MS = 300;

const HISTORY_LIMIT = 100;

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message.split("\n")[0];
  return String(error);
}

export const useDesigner = create<DesignerState>()((set, get) => ({
  catalog: [],
  locations: [],
  location: null,
  instances: [],
  assets: [],
  previewError: null,
  previewLoading: false,
  env: [],
  selected: null,
  drafts: {},
  past: [],
  future: [],
  errors: {},
  notice: null,
  saving: false,
  history: NO_HISTORY,
  busy: null,

  async loadCatalog() {
    try {
      set({ catalog: await api.components() });
    } catch (error) {
      get().notify("error", `The component catalog could not be loaded: ${messageOf(error)}`);
    }
  },

  async loadLocations() {
    try {
      set({ locations: await api.locations() });
    } catch (error) {
      get().notify("error", `The locations could not be listed: ${messageOf(error)}`);
    }
  },

  async openLocation(name) {
    set({
      location: name,
      instances: [],
      assets: [],
      env: [],
      selected: null,
      drafts: {},
      past: [],
      future: [],
      errors: {},
      previewError: null,
      history: NO_HISTORY,
    });
    if (name) await get().refresh();
  },

  async refresh() {
    const name = get().location;
    if (!name) return;
    try {
      const [instances, env, history] = await Promise.all([
        api.instances(name),
        api.env(name).catch(() => []),
        api.history(name).catch(() => NO_HISTORY),
      ]);
      if (get().location !== name) return;
      const unwritten = get().instances.filter((item) => item.unwritten && !instances.some((other) => other.path === item.path));
      set({ instances: [...instances, ...unwritten], env, history });
    } catch (error) {
      get().notify("error", `The components of ${name} could not be listed: ${messageOf(error)}`);
    }
    await get().refreshPreview();
  },

  async refreshPreview() {
    const name = get().location;
    if (!name) return;
    set({ previewLoading: true });
    try {
      const preview = await api.preview(name);
      if (get().location !== name) return;
      set({ assets: preview.assets, previewError: null });
      performance.mark("designer:preview-loaded"); // read by make bench-designer
    } catch (error) {
      if (get().location !== name) return;
      set({ previewError: messageOf(error) });
      if (error instanceof ApiError) {
        const byPath: Record<string, ApiErrorItem[]> = {};
        for (const item of error.errors) {
          const owner = get().instances.find((instance) => item.file?.includes(`${instance.path}/`));
          if (owner) byPath[owner.path] = [...(byPath[owner.path] ?? []), item];
        }
        set((state) => ({ errors: { ...state.errors, ...byPath } }));
      }
    } finally {
      set({ previewLoading: false });
    }
  },

  select(path) {
    if (get().selected === path) return;
    performance.mark("designer:selected"); // read by make bench-designer
    set({ selected: path });
  },

  edit(path, attributes) {
    const { drafts, past, instances } = get();
    const saved = instances.find((instance) => instance.path === path)?.attributes ?? {};
    if (sameValue(drafts[path] ?? saved, attributes)) return;
    const next = { ...drafts, [path]: attributes };
    if (sameValue(saved, attributes)) delete next[path];
    set({ past: [...past, drafts].slice(-HISTORY_LIMIT), future: [], drafts: next });
  },

  undo() {
    const { past, drafts, future } = get();
    if (!past.length) return;
    set({ past: past.slice(0, -1), drafts: past[past.length - 1], future: [drafts, ...future] });
  },

  redo() {
    const { past, drafts, future } = get();
    if (!future.length) return;
    set({ past: [...past, drafts], drafts: future[0], future: future.slice(1) });
  },

  discard(path) {
    const drafts = { ...get().drafts };
    delete drafts[path];
    const unwritten = get().instances.find((item) => item.path === path)?.unwritten;
    if (unwritten) {
      const errors = { ...get().errors };
      delete errors[path];
      set({ drafts, errors, instances: get().instances.filter((item) => item.path !== path), selected: null });
    } else set({ drafts });
  },

  setErrors(path, errors) {
    set((state) => ({ errors: { ...state.errors, [path]: errors } }));
  },

  async save(path, attributes) {
    const name = get().location;
    if (!name) return false;
    set({ saving: true });
    const instance = get().instances.find((item) => item.path === path);
    try {
      if (instance?.unwritten) {
        await tracked(`Saving ${path}…`, () => api.createInstance(name, instance.type, path, attributes));
        set({ instances: get().instances.map((item) => (item.path === path ? { ...item, attributes, unwritten: false } : item)) });
      } else await tracked(`Saving ${path}…`, () => api.saveAttributes(name, path, attributes));
      const drafts = { ...get().drafts };
      delete drafts[path];
      const errors = { ...get().errors };
      delete errors[path];
      set({ drafts, errors, past: [], future: [] });
      get().notify("info", `Saved ${path}.`);
      await get().refresh();
      return true;
    } catch (error) {
      const items = error instanceof ApiError ? error.errors : [{ message: messageOf(error) }];
      get().setErrors(path, items);
      get().notify("error", `Not saved: ${items.map((item) => item.message).join("; ")}`);
      return false;
    } finally {
      set({ saving: false });
    }
  },

  addDraft(type, path) {
    if (!get().location) return;
    set({ instances: [...get().instances, { path, type, attributes: {}, unwritten: true }], selected: path });
    get().notify("info", `${path} is not written yet: fill in its form and Save to add it (Discard removes it).`);
  },

  notify(kind, text) {
    set({ notice: { kind, text } });
  },
}));

/** Run a write, showing `label` in the busy indicator when it takes longer than BUSY_AFTER_MS. */
export async function tracked<T>(label: string, write: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => useDesigner.setState({ busy: label }), BUSY_AFTER_MS);
  try {
    return await write();
  } finally {
    clearTimeout(timer);
    useDesigner.setState({ busy: null });
  }
}

/** Equal as JSON, whatever the key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** The instances with edits not yet saved, or added and not written yet. */
export const unsavedPaths = (state: Pick<DesignerState, "drafts" | "instances">): Set<string> =>
  new Set([...Object.keys(state.drafts), ...state.instances.filter((item) => item.unwritten).map((item) => item.path)]);

/** True when any instance has edits not yet saved, or was added and not written yet. */
export const hasUnsaved = (state: Pick<DesignerState, "drafts" | "instances">) => unsavedPaths(state).size > 0;
