import { describe, expect, it } from "vitest";

import type { ComponentInstance, PreviewAsset } from "./api";
import { assetHandle, layout, MAX_NODE_WIDTH, NODE_WIDTH, nodeId, nodeWidth, ownerPath, previewToGraph, syntheticPreview, UPSTREAM_ID } from "./graph";

const instances: ComponentInstance[] = [
  { path: "shop_sync", type: "data_manager.components.SqlTableSyncComponent", attributes: {} },
  { path: "empty_one", type: "dagster.TemplatedSqlComponent", attributes: {} },
];
const asset = (key: string, deps: string[], extra: Partial<PreviewAsset> = {}): PreviewAsset => ({
  key,
  deps,
  kinds: [],
  checks: [],
  group: "g",
  ...extra,
});
const assets: PreviewAsset[] = [
  asset("cache/shop_orders", [], { component: "shop_sync", kinds: ["mysql", "postgres"] }),
  asset("cache/shop_customers", ["raw/crm"], { component: "defs/shop_sync", kinds: ["mysql", "postgres"] }),
  asset("stg_orders", ["cache/shop_orders"], { kinds: ["dbt", "postgres"], group: "staging", checks: ["not_null_id"] }),
];

describe("ownerPath", () => {
  it("matches the producing instance exactly or by path suffix", () => {
    expect(ownerPath(assets[0], ["shop_sync"])).toBe("shop_sync");
    expect(ownerPath(assets[1], ["shop_sync"])).toBe("shop_sync");
    expect(ownerPath({ ...assets[0], component: "app/loc/defs/shop_sync/defs.yaml" }, ["shop_sync", "sync"])).toBe("shop_sync");
    expect(ownerPath(assets[2], ["shop_sync"])).toBeNull();
  });
});

describe("previewToGraph", () => {
  const { nodes, edges } = previewToGraph({ instances, assets, errorsByPath: { empty_one: 2 }, dirtyPaths: new Set(["shop_sync"]) });
  const byId = Object.fromEntries(nodes.map((node) => [node.id, node]));

  it("makes one node per instance, holding its assets, even before it has any", () => {
    expect(byId[nodeId("shop_sync")].data.assets.map((row) => row.key)).toEqual(["cache/shop_orders", "cache/shop_customers"]);
    expect(byId[nodeId("empty_one")].data.assets).toEqual([]);
    expect(byId[nodeId("empty_one")].data.errorCount).toBe(2);
    expect(byId[nodeId("shop_sync")].data.dirty).toBe(true);
  });

  it("groups unclaimed assets by group and keeps their kinds and checks", () => {
    const staging = byId["group:staging"];
    expect(staging.data.type).toBe("dbt models");
    expect(staging.data.assets[0]).toMatchObject({ key: "stg_orders", kinds: ["dbt", "postgres"], checks: ["not_null_id"] });
  });

  it("draws asset deps as edges between asset handles, across nodes and from upstream", () => {
    expect(edges).toContainEqual(
      expect.objectContaining({
        source: nodeId("shop_sync"),
        target: "group:staging",
        sourceHandle: assetHandle("out", "cache/shop_orders"),
        targetHandle: assetHandle("in", "stg_orders"),
      }),
    );
    expect(byId[UPSTREAM_ID].data.assets.map((row) => row.key)).toEqual(["raw/crm"]);
    expect(edges.find((edge) => edge.source === UPSTREAM_ID)?.target).toBe(nodeId("shop_sync"));
    expect(edges).toHaveLength(2);
  });

  it("lays out left to right: a dependency sits left of what depends on it", () => {
    const placed = Object.fromEntries(layout(nodes, edges).map((node) => [node.id, node]));
    expect(placed[nodeId("shop_sync")].position.x).toBeLessThan(placed["group:staging"].position.x);
    expect(placed[UPSTREAM_ID].position.x).toBeLessThan(placed[nodeId("shop_sync")].position.x);
  });

  it("widens a node to its longest asset key, kinds and all, within bounds", () => {
    const node = (keys: string[], kinds: string[] = []) => ({
      id: "n",
      type: "instance" as const,
      position: { x: 0, y: 0 },
      data: { label: "sync", type: "t", path: "sync", errorCount: 0, dirty: false, assets: keys.map((key) => ({ key, kinds, checks: [], deps: [] })) },
    });
    const perChar = () => 10; // every character 10 px wide, to count by
    const short = nodeWidth(node(["a"]), perChar);
    expect(short).toBe(NODE_WIDTH);
    const long = "pyairbyte_cache/shop_customers_with_a_long_name"; // 47 characters
    const wide = nodeWidth(node([long]), (text) => text.length * 10);
    expect(wide).toBeGreaterThanOrEqual(470 + 20);
    expect(nodeWidth(node([long], ["postgres", "pyairbyte"]), (text) => text.length * 10)).toBeGreaterThan(wide);
    expect(nodeWidth(node(["x".repeat(500)]), (text) => text.length * 10)).toBe(MAX_NODE_WIDTH);
    // laid out at that width, so neighbours do not overlap it
    const [placed] = layout([node([long])], [], (text) => text.length * 10);
    expect(placed.width).toBe(wide);
  });

  it("handles 1000 assets", () => {
    const synthetic = syntheticPreview(1000);
    const graph = previewToGraph(synthetic);
    expect(graph.nodes).toHaveLength(50);
    expect(graph.edges).toHaveLength(980);
    expect(layout(graph.nodes, graph.edges).every((node) => Number.isFinite(node.position.x))).toBe(true);
  });
});
