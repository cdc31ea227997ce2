/**
 * From a location's preview (its assets) and component instances to the canvas: one node per
 * component instance holding the assets it produces, edges for asset dependencies, laid out by dagre.
 * Assets no instance claims are grouped by their group (dbt models, say); dependencies on assets
 * outside the location land in one "upstream" node.
 */
import dagre from "@dagrejs/dagre";
import type { Edge, Node } from "@xyflow/react";

import type { ComponentInstance, PreviewAsset } from "./api";

export interface AssetRow {
  key: string;
  kinds: string[];
  checks: string[];
  group?: string | null;
  description?: string | null;
  deps: string[];
}

export interface InstanceNodeData extends Record<string, unknown> {
  label: string;
  type: string;
  /** The component instance's path, or null for a node of unclaimed or upstream assets. */
  path: string | null;
  assets: AssetRow[];
  errorCount: number;
  dirty: boolean;
}

export type InstanceNode = Node<InstanceNodeData, "instance">;

/** The narrowest node; a node is as wide as its longest asset row (its key whole), up to MAX_NODE_WIDTH. */
export const NODE_WIDTH = 300;
export const MAX_NODE_WIDTH = 900;
const HEADER_HEIGHT = 52;
const ROW_HEIGHT = 30;
export const UPSTREAM_ID = "upstream";

export const nodeId = (path: string) => `instance:${path}`;
export const groupNodeId = (group: string) => `group:${group}`;
export const assetHandle = (side: "in" | "out", key: string) => `${side}:${key}`;

/** The instance that produced an asset: exact path, or the instance whose path ends the producer's path. */
export function ownerPath(asset: PreviewAsset, paths: string[]): string | null {
  const producer = asset.component?.replace(/\\/g, "/").replace(/\/(defs|component)\.ya?ml$/, "");
  if (!producer) return null;
  if (paths.includes(producer)) return producer;
  const matches = paths.filter((path) => producer.endsWith(`/${path}`) || path.endsWith(`/${producer}`));
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}

export interface GraphInput {
  instances: ComponentInstance[];
  assets: PreviewAsset[];
  errorsByPath?: Record<string, number>;
  dirtyPaths?: Set<string>;
}

/** Nodes (unpositioned) and edges for the canvas. */
export function previewToGraph({ instances, assets, errorsByPath = {}, dirtyPaths = new Set() }: GraphInput): {
  nodes: InstanceNode[];
  edges: Edge[];
} {
  const paths = instances.map((instance) => instance.path);
  const nodes = new Map<string, InstanceNode>();
  const make = (id: string, data: Pick<InstanceNodeData, "label" | "type" | "path"> & Partial<InstanceNodeData>) => {
    const node: InstanceNode = {
      id,
      type: "instance",
      position: { x: 0, y: 0 },
      data: { assets: [], errorCount: 0, dirty: false, ...data },
    };
    nodes.set(id, node);
    return node;
  };
  for (const instance of instances) {
    make(nodeId(instance.path), {
      label: instance.path,
      type: instance.type,
      path: instance.path,
      errorCount: errorsByPath[instance.path] ?? 0,
      dirty: dirtyPaths.has(instance.path),
    });
  }
  const ownerOf = new Map<string, string>();
  for (const asset of assets) {
    const owner = ownerPath(asset, paths);
    const id = owner ? nodeId(owner) : groupNodeId(asset.group ?? "default");
    const node =
      nodes.get(id) ??
      make(id, { label: asset.group ?? "default", type: asset.kinds.includes("dbt") ? "dbt models" : "assets", path: null });
    node.data.assets.push({
      key: asset.key,
      kinds: asset.kinds,
      checks: asset.checks,
      group: asset.group,
      description: asset.description,
      deps: asset.deps,
    });
    ownerOf.set(asset.key, id);
  }
  const edges = new Map<string, Edge>();
  for (const asset of assets) {
    const target = ownerOf.get(asset.key)!;
    for (const dep of asset.deps) {
      let source = ownerOf.get(dep);
      if (!source) {
        const upstream = nodes.get(UPSTREAM_ID) ?? make(UPSTREAM_ID, { label: "upstream", type: "outside this location", path: null });
        upstream.data.assets.push({ key: dep, kinds: [], checks: [], deps: [] });
        ownerOf.set(dep, UPSTREAM_ID);
        source = UPSTREAM_ID;
      }
      const id = `${dep}->${asset.key}`;
      edges.set(id, {
        id,
        source,
        target,
        sourceHandle: assetHandle("out", dep),
        targetHandle: assetHandle("in", asset.key),
        data: { from: dep, to: asset.key },
      });
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

export function nodeHeight(node: InstanceNode): number {
  return HEADER_HEIGHT + Math.max(1, node.data.assets.length) * ROW_HEIGHT + 8;
}

/** A text's width in CSS pixels: an asset key ("mono", 12px monospace), a kind badge ("small", 11px), a node's name ("bold", 12px). */
export type TextWidth = (text: string, font: "mono" | "small" | "bold") => number;

/** Without a browser to measure in: a generous average per character. */
export const estimateTextWidth: TextWidth = (text, font) => text.length * (font === "mono" ? 7.3 : font === "bold" ? 7.4 : 6.6);

// An asset row around its key (InstanceNodeView, styles.css): padding, the run pick and the job pick
// (while picking), gaps, room for the live state badge ("materialized"), each kind badge, the checks.
const ROW_FIXED = 20 + 2 * 24 + 4 * 4;
const STATE_BADGE = "materialized";

/** How wide a node must be to show its name and every asset row whole (between NODE_WIDTH and MAX_NODE_WIDTH). */
export function nodeWidth(node: InstanceNode, textWidth: TextWidth = estimateTextWidth): number {
  const badge = (text: string) => textWidth(text, "small") + 16;
  const rows = node.data.assets.map(
    (asset) =>
      ROW_FIXED +
      textWidth(asset.key, "mono") +
      badge(STATE_BADGE) +
      asset.kinds.reduce((sum, kind) => sum + badge(kind), 0) +
      (asset.checks.length ? textWidth(`✓${asset.checks.length}`, "small") + 8 : 0),
  );
  const header = 16 + textWidth(node.data.label, "bold") + (node.data.errorCount ? 80 : 0) + (node.data.dirty ? 16 : 0);
  return Math.ceil(Math.min(MAX_NODE_WIDTH, Math.max(NODE_WIDTH, header, ...rows)));
}

/** Positions from dagre, left to right; edges between the same two nodes weigh as one. Each node is as wide
 * as its content (nodeWidth, with `textWidth` measuring in the browser). */
export function layout(nodes: InstanceNode[], edges: Edge[], textWidth: TextWidth = estimateTextWidth): InstanceNode[] {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 120, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  const widths = new Map(nodes.map((node) => [node.id, nodeWidth(node, textWidth)]));
  for (const node of nodes) graph.setNode(node.id, { width: widths.get(node.id)!, height: nodeHeight(node) });
  for (const edge of edges) if (edge.source !== edge.target) graph.setEdge(edge.source, edge.target);
  dagre.layout(graph);
  return nodes.map((node) => {
    const placed = graph.node(node.id);
    const width = widths.get(node.id)!;
    return {
      ...node,
      position: { x: placed.x - width / 2, y: placed.y - nodeHeight(node) / 2 },
      width,
      height: nodeHeight(node),
    };
  });
}

/** A synthetic preview: `count` assets in instances of `perInstance`, each depending on the one before. */
export function syntheticPreview(count: number, perInstance = 20): { instances: ComponentInstance[]; assets: PreviewAsset[] } {
  const instances: ComponentInstance[] = [];
  const assets: PreviewAsset[] = [];
  for (let index = 0; index < count; index++) {
    const group = Math.floor(index / perInstance);
    const path = `sync_${group}`;
    if (index % perInstance === 0) instances.push({ path, type: "data_manager.components.SqlTableSyncComponent", attributes: {} });
    const deps = group > 0 ? [`cache/table_${index - perInstance}`] : [];
    assets.push({ key: `cache/table_${index}`, deps, group: path, kinds: ["postgres"], checks: [], component: path });
  }
  return { instances, assets };
}
