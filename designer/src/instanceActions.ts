/**
 * Delete, rename and duplicate of a written instance, and undo/redo over the server's journal of saved steps.
 * Each write goes to the API (checked there, one undoable step), then the canvas and the lineage are reloaded.
 * Which instance action's dialog is open lives here too, so the property panel's buttons and the Delete key
 * open the same dialog.
 */
import { create } from "zustand";

import { api } from "./api";
import { useLineage } from "./lineageStore";
import { messageOf, tracked, useDesigner } from "./store";

export type InstanceActionKind = "delete" | "rename" | "duplicate";

interface PendingAction {
  kind: InstanceActionKind;
  path: string;
}

export const useInstanceAction = create<{ pending: PendingAction | null; ask(kind: InstanceActionKind, path: string): void; close(): void }>()(
  (set) => ({
    pending: null,
    ask(kind, path) {
      const instance = useDesigner.getState().instances.find((item) => item.path === path);
      // an unwritten draft has nothing on the server: its Discard removes it
      if (instance && !instance.unwritten) set({ pending: { kind, path } });
    },
    close() {
      set({ pending: null });
    },
  }),
);

/** After a server write: drafts' own undo history no longer applies; the canvas, lineage and journal reload. */
export async function afterServerWrite(message: string, select: string | null) {
  const designer = useDesigner.getState();
  useDesigner.setState({ past: [], future: [], selected: select });
  await designer.refresh();
  await useLineage.getState().load(designer.location);
  designer.notify("info", message);
}

function currentLocation(): string {
  const location = useDesigner.getState().location;
  if (!location) throw new Error("Choose a location first.");
  return location;
}

/** Delete `path`; with `cascade`, what refers to it goes (or is edited) in the same step. Throws ApiError. */
export async function deleteInstance(path: string, cascade: boolean): Promise<void> {
  const location = currentLocation();
  await tracked(`Deleting ${path}…`, () => api.deleteInstance(location, path, cascade));
  const drafts = { ...useDesigner.getState().drafts };
  delete drafts[path];
  useDesigner.setState({ drafts });
  await afterServerWrite(`Deleted ${path}. Undo puts it back.`, null);
}

export async function renameInstance(path: string, newPath: string): Promise<void> {
  const location = currentLocation();
  await tracked(`Renaming ${path}…`, () => api.renameInstance(location, path, newPath));
  await afterServerWrite(`Renamed ${path} to ${newPath}.`, newPath);
}

export async function duplicateInstance(path: string, newPath: string): Promise<void> {
  const location = currentLocation();
  await tracked(`Duplicating ${path}…`, () => api.duplicateInstance(location, path, newPath));
  await afterServerWrite(`Duplicated ${path} as ${newPath}.`, newPath);
}

/**
 * Undo the latest change: unsaved form edits first (the drafts' own history), else the server's last saved
 * step (its files back byte for byte). Errors go to the notice bar.
 */
export async function undoLatest(): Promise<void> {
  if (useDesigner.getState().past.length) return useDesigner.getState().undo();
  await replay("undo");
}

export async function redoLatest(): Promise<void> {
  if (useDesigner.getState().future.length) return useDesigner.getState().redo();
  await replay("redo");
}

async function replay(direction: "undo" | "redo") {
  const { location, history, busy, notify } = useDesigner.getState();
  const label = direction === "undo" ? history.undo : history.redo;
  if (!location || !label || busy) return;
  try {
    await tracked(`${direction === "undo" ? "Undoing" : "Redoing"} ${label}…`, () => api.replay(location, direction));
    await afterServerWrite(`${direction === "undo" ? "Undone" : "Redone"}: ${label}.`, useDesigner.getState().selected);
  } catch (error) {
    notify("error", `Not ${direction === "undo" ? "undone" : "redone"}: ${messageOf(error)}`);
  }
}
