import { describe, expect, it } from "vitest";

import { readViewport, writeViewport } from "./viewport";

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
