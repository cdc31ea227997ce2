/**
 * Lineage on the canvas: each dependency edge styled by where it comes from (drawn in the designer,
 * dbt's own, or declared by a component), which new connections may be drawn at all, and which are shown
 * as a diff before they are written (into a dbt model: a dbt source). The server refuses cycles itself; what is
 * refused here never reaches it.
 */
import type { Connection, Edge } from "@xyflow/react";

import type { PreviewAsset } from "./api";
import type { EdgeOrigin, LineageEdge } from "./lineageApi";

export const edgeKey = (source: string, target: string) => `${source}->${target}`;

/** The asset key behind a handle id such as `out:pyairbyte_cache/orders`. */
export function assetOfHandle(handle: string | null | undefined): string | null {
  if (!handle) return null;
  const colon = handle.indexOf(":");
  return colon > 0 ? handle.slice(colon + 1) : null;
}

/** Whether the asset is a dbt model (its kinds name dbt): a dependency drawn into it is written as a dbt source. */
export const isDbtModel = (asset: PreviewAsset | undefined): boolean => asset?.kinds.includes("dbt") ?? false;

/** How a drawn dependency is written: at once, or after its diff is reviewed (into a dbt model's project files). */
export function drawMode(target: string, assets: PreviewAsset[]): "write" | "review" {
  return isDbtModel(assets.find((asset) => asset.key === target)) ? "review" : "write";
}

/** An edge's origin from the server's lineage, else guessed from the preview (dbt models' deps are dbt's). */
export function originOf(source: string, target: string, lineage: LineageEdge[], assets: PreviewAsset[]): EdgeOrigin {
  const known = lineage.find((edge) => edge.source === source && edge.target === target);
  if (known) return known.origin;
  return isDbtModel(assets.find((asset) => asset.key === target)) ? "dbt" : "declared";
}

/** The canvas edges with a class and label per origin; drawn edges can be selected (to remove them). */
export function styleEdges(edges: Edge[], lineage: LineageEdge[], assets: PreviewAsset[]): Edge[] {
  return edges.map((edge) => {
    const { from, to } = edge.data as { from: string; to: string };
    const origin = originOf(from, to, lineage, assets);
    return {
      ...edge,
      className: `edge-${origin}`,
      selectable: origin === "drawn",
      label: origin === "dbt" ? "dbt" : origin === "drawn" ? "drawn" : undefined,
      ariaLabel: `${from} to ${to}, ${origin === "dbt" ? "dbt's own dependency" : origin}`,
      data: { ...edge.data, origin },
    };
  });
}

/** Why a connection may not be drawn, in words; null when it may (the server still checks for cycles). */
export function connectionProblem(connection: Pick<Connection, "source" | "target" | "sourceHandle" | "targetHandle">, assets: PreviewAsset[]): string | null {
  const source = assetOfHandle(connection.sourceHandle);
  const target = assetOfHandle(connection.targetHandle);
  if (!source || !target) return "Connect an asset's right handle to another asset's left handle.";
  if (source === target) return "An asset cannot depend on itself.";
  if (connection.source === connection.target) return "Draw between assets of different components.";
  const targetAsset = assets.find((asset) => asset.key === target);
  if (!targetAsset?.component && !isDbtModel(targetAsset)) return `${target} is neither produced by a component's YAML nor a dbt model, so no file can add to its deps.`;
  if (targetAsset?.deps.includes(source)) {
    const origin = isDbtModel(targetAsset) ? "dbt's own dependency" : "an existing dependency";
    return `${target} already depends on ${source} (${origin}).`;
  }
  return null;
}
