/**
 * The canvas's viewport (pan and zoom) kept per location, so an edit or a reload of the graph leaves the view
 * where the user put it: the canvas fits the graph only when a location has no kept viewport (its first load)
 * or on the Fit control.
 */
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

type Store = Pick<Storage, "getItem" | "setItem">;

const key = (location: string) => `designer.viewport.${location}`;

/** The viewport kept for `location`, or null (none kept, or not a viewport: a stale or hand-edited entry). */
export function readViewport(storage: Store | null | undefined, location: string): Viewport | null {
  let kept: unknown;
  try {
    kept = JSON.parse(storage?.getItem(key(location)) ?? "null");
  } catch {
    return null;
  }
  if (!kept || typeof kept !== "object") return null;
  const { x, y, zoom } = kept as Record<string, unknown>;
  const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
  return finite(x) && finite(y) && finite(zoom) && zoom > 0 ? { x, y, zoom } : null;
}

/** Keeps `viewport` for `location` (a full or refused storage keeps nothing: the canvas then fits again). */
export function writeViewport(storage: Store | null | undefined, location: string, { x, y, zoom }: Viewport): void {
  try {
    storage?.setItem(key(location), JSON.stringify({ x, y, zoom }));
  } catch {
    // private mode or quota: nothing kept
  }
}

/** The browser's localStorage, or null where there is none (tests, a locked-down browser). */
export function viewportStore(): Store | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null;
  }
}
