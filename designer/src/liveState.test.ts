import { describe, expect, it } from "vitest";

import { describeState, useLive } from "./liveState";

describe("live state", () => {
  it("describes an asset's state, materialization and last run in words", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const text = describeState(
      { key: "a/b", state: "stale", materializedAt: now / 1000 - 180, lastRun: { runId: "1a2b3c4d5e", status: "SUCCESS", at: null, url: "" } },
      now,
    );
    expect(text).toBe("stale, materialized 3 min ago, last run 1a2b3c4d SUCCESS");
  });

  it("picks and unpicks assets, and forgets them for another location", () => {
    const live = useLive.getState();
    live.reset("shop");
    live.toggle("a/b");
    live.toggle("c");
    useLive.getState().toggle("a/b");
    expect(useLive.getState().picked).toEqual(["c"]);
    useLive.getState().reset("other");
    expect(useLive.getState().picked).toEqual([]);
  });

  it("picks a node's assets together, and unpicks them when all were picked", () => {
    useLive.getState().reset("shop");
    useLive.getState().toggle("x");
    useLive.getState().toggle("n/1");
    useLive.getState().toggleAll(["n/1", "n/2"]); // one of them picked: pick the rest
    expect(useLive.getState().picked).toEqual(["x", "n/1", "n/2"]);
    useLive.getState().toggleAll(["n/1", "n/2"]); // all picked: unpick them, keep the others
    expect(useLive.getState().picked).toEqual(["x"]);
    useLive.getState().toggleAll([]);
    expect(useLive.getState().picked).toEqual(["x"]);
  });
});
