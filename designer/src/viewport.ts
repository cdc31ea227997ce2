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

/** A box in the graph's coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The viewport moved as little as it takes to show `box` whole, `margin` pixels inside a `size` view, at the same
 * zoom (a box larger than the view shows its top left); null when it shows whole already. A node an edit adds
 * out of view is brought in this way, without refitting the whole graph.
 */
export function revealBox(viewport: Viewport, box: Box, size: { width: number; height: number }, margin = 24): Viewport | null {
  const shift = (start: number, length: number, view: number) => {
    if (start < margin || length > view - 2 * margin) return margin - start;
    return start + length > view - margin ? view - margin - (start + length) : 0;
  };
  const dx = shift(box.x * viewport.zoom + viewport.x, box.width * viewport.zoom, size.width);
  const dy = shift(box.y * viewport.zoom + viewport.y, box.height * viewport.zoom, size.height);
  return dx === 0 && dy === 0 ? null : { x: viewport.x + dx, y: viewport.y + dy, zoom: viewport.zoom };
}
