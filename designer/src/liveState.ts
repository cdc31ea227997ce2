/**
 * What the running platform says about the open location's assets (materialized, stale, failed...), and
 * the assets picked on the canvas to materialize together. Kept apart from the editing store: none of it is
 * an edit, nothing here is undone.
 */
import { create } from "zustand";

import { api, type AssetLiveState } from "./api";

interface LiveState {
  location: string | null;
  /** Live state per asset key; empty while the webserver is down or the state is loading. */
  states: Record<string, AssetLiveState>;
  /** Asset keys picked for the next run, in the order they were picked. */
  picked: string[];
  reset(location: string | null): void;
  load(): Promise<void>;
  toggle(key: string): void;
  /** Pick every one of `keys` (a node's assets), or unpick them all when all are picked already. */
  toggleAll(keys: string[]): void;
}

export const useLive = create<LiveState>()((set, get) => ({
  location: null,
  states: {},
  picked: [],

  reset(location) {
    set({ location, states: {}, picked: [] });
  },

  async load() {
    const location = get().location;
    if (!location) return;
    try {
      if (!(await api.webserverUp())) return;
      const states = await api.liveState(location);
      if (get().location === location) set({ states: Object.fromEntries(states.map((item) => [item.key, item])) });
    } catch {
      // the live state is a hint on the canvas: without it the designer works as before
    }
  },

  toggle(key) {
    const picked = get().picked;
    set({ picked: picked.includes(key) ? picked.filter((item) => item !== key) : [...picked, key] });
  },

  toggleAll(keys) {
    const picked = get().picked;
    const all = keys.length > 0 && keys.every((key) => picked.includes(key));
    set({ picked: all ? picked.filter((item) => !keys.includes(item)) : [...picked, ...keys.filter((key) => !picked.includes(key))] });
  },
}));

/** Shift-click on an asset row picks it, as its checkbox does. */
export function pickOnShiftClick(assetKey: string) {
  return (event: { shiftKey: boolean; stopPropagation(): void }) => {
    if (!event.shiftKey) return;
    event.stopPropagation();
    useLive.getState().toggle(assetKey);
  };
}

/** "materialized 3 min ago, by run 1a2b3c4d (SUCCESS)": the state in words, for a tooltip. */
export function describeState(state: AssetLiveState, now = Date.now()): string {
  const parts = [state.state];
  if (state.materializedAt) parts.push(`materialized ${ago(state.materializedAt * 1000, now)}`);
  if (state.lastRun) parts.push(`last run ${state.lastRun.runId.slice(0, 8)} ${state.lastRun.status ?? ""}`.trim());
  return parts.join(", ");
}

function ago(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}
