import { describe, expect, it } from "vitest";

import { readViewport, revealBox, writeViewport } from "./viewport";

function memory(): Pick<Storage, "getItem" | "setItem"> {
  const items = new Map<string, string>();
  return { getItem: (name) => items.get(name) ?? null, setItem: (name, value) => void items.set(name, value) };
}

describe("the canvas viewport kept per location", () => {
  it("reads back what was kept, per location", () => {
    const storage = memory();
    writeViewport(storage, "sales", { x: -120.5, y: 40, zoom: 1.25 });
    expect(readViewport(storage, "sales")).toEqual({ x: -120.5, y: 40, zoom: 1.25 });
    expect(readViewport(storage, "other")).toBeNull(); // never kept: the canvas fits it
  });

  it("ignores what is not a viewport", () => {
    const storage = memory();
    for (const text of ["{", "null", "[1,2]", '{"x":1,"y":2}', '{"x":1,"y":2,"zoom":0}', '{"x":"1","y":2,"zoom":1}']) {
      storage.setItem("designer.viewport.sales", text);
      expect(readViewport(storage, "sales")).toBeNull();
    }
    expect(readViewport(null, "sales")).toBeNull();
  });

  it("keeps nothing, quietly, where storage refuses", () => {
    const refusing = { getItem: () => null, setItem: () => { throw new Error("quota"); } };
    expect(() => writeViewport(refusing, "sales", { x: 0, y: 0, zoom: 1 })).not.toThrow();
  });
});

describe("a node brought into view", () => {
  const view = { width: 1000, height: 600 };

  it("leaves the view alone when the node shows whole", () => {
    expect(revealBox({ x: 0, y: 0, zoom: 1 }, { x: 100, y: 100, width: 200, height: 80 }, view)).toBeNull();
  });

  it("pans just enough, at the same zoom, for a node right of or below the view", () => {
    // at zoom 2 the node spans 2000..2400 x 1000..1160 on screen: moved to end 24 px inside the view
    expect(revealBox({ x: 0, y: 0, zoom: 2 }, { x: 1000, y: 500, width: 200, height: 80 }, view)).toEqual({ x: -1424, y: -584, zoom: 2 });
  });

  it("pans for a node left of or above the view, and shows a node wider than the view from its left", () => {
    expect(revealBox({ x: 0, y: 0, zoom: 1 }, { x: -300, y: -50, width: 200, height: 80 }, view)).toEqual({ x: 324, y: 74, zoom: 1 });
    expect(revealBox({ x: 0, y: 0, zoom: 1 }, { x: 500, y: 100, width: 1200, height: 80 }, view)).toEqual({ x: -476, y: 0, zoom: 1 });
  });
});
