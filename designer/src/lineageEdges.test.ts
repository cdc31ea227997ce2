import type { Edge } from "@xyflow/react";
import { describe, expect, it } from "vitest";

import type { PreviewAsset } from "./api";
import { assetOfHandle, connectionProblem, drawMode, isDbtModel, styleEdges } from "./lineageEdges";

const asset = (key: string, component: string | null, deps: string[] = [], kinds: string[] = []): PreviewAsset => ({
  key,
  component,
  deps,
  kinds,
  checks: [],
});

const assets = [
  asset("cache/a", "a_sync"),
  asset("cache/a2", "a_sync"),
  asset("cache/b", "b_sync", ["cache/a"]),
  asset("staging/b", null, ["cache/b"], ["dbt", "postgres"]),
  asset("upstream/raw", null),
];

const connect = (source: string, target: string, sourceNode = "n1", targetNode = "n2") => ({
  source: sourceNode,
  target: targetNode,
  sourceHandle: `out:${source}`,
  targetHandle: `in:${target}`,
});

describe("lineage on the canvas", () => {
  it("reads asset keys from handles", () => {
    expect(assetOfHandle("out:pyairbyte_cache/orders")).toBe("pyairbyte_cache/orders");
    expect(assetOfHandle(null)).toBeNull();
  });

  it("refuses self-loops, same-component, targets no file can change and duplicates", () => {
    expect(connectionProblem(connect("cache/a", "cache/a", "n1", "n1"), assets)).toMatch(/itself/);
    expect(connectionProblem(connect("cache/a", "cache/a2", "n1", "n1"), assets)).toMatch(/different components/);
    expect(connectionProblem(connect("cache/a", "upstream/raw"), assets)).toMatch(/neither produced by a component's YAML nor a dbt model/);
    expect(connectionProblem(connect("cache/a", "cache/b"), assets)).toMatch(/already depends/);
    expect(connectionProblem(connect("cache/b", "staging/b"), assets)).toMatch(/already depends on cache\/b \(dbt's own dependency\)/);
    expect(connectionProblem(connect("cache/a2", "cache/b"), assets)).toBeNull();
    expect(connectionProblem(connect("cache/b", "cache/a"), assets)).toBeNull(); // a cycle: the server refuses it
  });

  it("lets a dbt model (no component of its own) take a drawn dependency, as a dbt source", () => {
    expect(connectionProblem(connect("cache/a", "staging/b"), assets)).toBeNull();
  });

  it("reviews the diff first only for edges into a dbt model", () => {
    expect(isDbtModel(assets[3])).toBe(true);
    expect(isDbtModel(assets[0])).toBe(false);
    expect(isDbtModel(undefined)).toBe(false);
    expect(drawMode("staging/b", assets)).toBe("review");
    expect(drawMode("cache/b", assets)).toBe("write");
    expect(drawMode("not/in/preview", assets)).toBe("write"); // the server refuses it in words
  });

  it("styles edges by origin: drawn ones are selectable, dbt's are labelled", () => {
    const edges: Edge[] = [
      { id: "cache/a->cache/b", source: "n1", target: "n2", data: { from: "cache/a", to: "cache/b" } },
      { id: "cache/b->staging/b", source: "n2", target: "n3", data: { from: "cache/b", to: "staging/b" } },
    ];
    const styled = styleEdges(edges, [{ source: "cache/a", target: "cache/b", origin: "drawn" }], assets);
    expect(styled.map((edge) => [edge.className, edge.selectable, edge.label])).toEqual([
      ["edge-drawn", true, "drawn"],
      ["edge-dbt", false, "dbt"],
    ]);
  });
});
