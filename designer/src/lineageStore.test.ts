import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { PreviewAsset } from "./api";
import { lineageApi } from "./lineageApi";
import { useLineage } from "./lineageStore";
import { useDesigner } from "./store";

const asset = (key: string, component: string | null, kinds: string[] = []): PreviewAsset => ({ key, component, deps: [], kinds, checks: [] });
const DIFF = "--- a/dbt_models/models/staging/x/designer_sources.yml\n+++ b/dbt_models/models/staging/x/designer_sources.yml\n";

describe("drawing a dependency", () => {
  let notices: string[];
  beforeEach(() => {
    notices = [];
    useDesigner.setState({
      assets: [asset("cache/a", "a_sync"), asset("cache/b", "b_sync"), asset("staging/m", null, ["dbt"])],
      refresh: async () => {},
      notify: (kind, text) => void notices.push(`${kind}: ${text}`),
    });
    useLineage.setState({ location: "x", busy: false, review: null });
    vi.spyOn(lineageApi, "edges").mockResolvedValue([]);
    vi.spyOn(lineageApi, "definitions").mockResolvedValue({ jobs: [], schedules: [], sensors: [] });
  });
  afterEach(() => vi.restoreAllMocks());

  it("writes an edge between components at once", async () => {
    const add = vi.spyOn(lineageApi, "addEdge").mockResolvedValue([]);
    const diff = vi.spyOn(lineageApi, "edgeDiff");
    expect(await useLineage.getState().draw("cache/a", "cache/b")).toBe(true);
    expect(add).toHaveBeenCalledWith("x", "cache/a", "cache/b");
    expect(diff).not.toHaveBeenCalled();
    expect(useLineage.getState().review).toBeNull();
  });

  it("shows the diff of an edge into a dbt model, and Cancel writes nothing", async () => {
    const add = vi.spyOn(lineageApi, "addEdge").mockResolvedValue([]);
    vi.spyOn(lineageApi, "edgeDiff").mockResolvedValue(DIFF);
    expect(await useLineage.getState().draw("cache/a", "staging/m")).toBe(true);
    expect(useLineage.getState().review).toEqual({ source: "cache/a", target: "staging/m", diff: DIFF });
    expect(await useLineage.getState().draw("cache/b", "staging/m")).toBe(false); // one review at a time
    useLineage.getState().cancelReview();
    expect(useLineage.getState().review).toBeNull();
    expect(add).not.toHaveBeenCalled();
    expect(notices).toEqual(["info: Nothing written: staging/m does not depend on cache/a."]);
  });

  it("writes the reviewed edge on Write, then closes the review", async () => {
    const add = vi.spyOn(lineageApi, "addEdge").mockResolvedValue([]);
    vi.spyOn(lineageApi, "edgeDiff").mockResolvedValue(DIFF);
    await useLineage.getState().draw("cache/a", "staging/m");
    expect(await useLineage.getState().writeReviewed()).toBe(true);
    expect(add).toHaveBeenCalledWith("x", "cache/a", "staging/m", DIFF); // the reviewed diff, or nothing
    expect(useLineage.getState().review).toBeNull();
    expect(notices).toEqual(["info: Saved: staging/m now depends on cache/a."]);
  });

  it("says so when the files changed since the diff was shown", async () => {
    vi.spyOn(lineageApi, "addEdge").mockRejectedValue(new Error("x.sql changed since the diff was shown: nothing written"));
    vi.spyOn(lineageApi, "edgeDiff").mockResolvedValue(DIFF);
    await useLineage.getState().draw("cache/a", "staging/m");
    expect(await useLineage.getState().writeReviewed()).toBe(false);
    expect(useLineage.getState().review).toBeNull();
    expect(notices).toEqual(["error: Dependency not added: x.sql changed since the diff was shown: nothing written"]);
  });

  it("opens no review when the dry run is refused", async () => {
    vi.spyOn(lineageApi, "edgeDiff").mockRejectedValue(new Error("a cycle"));
    expect(await useLineage.getState().draw("cache/a", "staging/m")).toBe(false);
    expect(useLineage.getState().review).toBeNull();
    expect(notices).toEqual(["error: Dependency not added: a cycle"]);
  });
});
