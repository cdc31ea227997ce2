import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, useStore, type Node, type NodeTypes } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef } from "react";

import { estimateTextWidth, layout, nodeId, previewToGraph, type TextWidth } from "../graph";
import { assetOfHandle, connectionProblem, styleEdges } from "../lineageEdges";
import { useLineage } from "../lineageStore";
import { unsavedPaths, useDesigner } from "../store";
import { readViewport, revealBox, type Viewport, viewportStore, writeViewport } from "../viewport";
import { InstanceNodeView } from "./InstanceNodeView";
import { LineagePanel } from "./LineagePanel";
import { DRAG_TYPE } from "./Palette";

const nodeTypes: NodeTypes = { instance: InstanceNodeView };

const FONTS = { mono: "12px ui-monospace, monospace", small: "11px system-ui, sans-serif", bold: "bold 12px system-ui, sans-serif" };
let measuring: CanvasRenderingContext2D | null | undefined;
/** Text widths as the browser draws them (a canvas's measureText), so a node fits its longest asset key. */
const measuredTextWidth: TextWidth = (text, font) => {
  if (measuring === undefined) measuring = document.createElement("canvas").getContext("2d");
  if (!measuring) return estimateTextWidth(text, font);
  measuring.font = FONTS[font];
  return measuring.measureText(text).width;
};

function Flow({ onAdd }: { onAdd: (type: string) => void }) {
  const { instances, assets, errors, drafts, selected, select, location, previewError, previewLoading } = useDesigner();
  const { fitView, setViewport, getViewport } = useReactFlow();
  const onSelectionChange = useCallback(({ nodes: picked }: { nodes: Node[] }) => {
    if (picked.length === 1 && picked[0].data.path) useDesigner.getState().select(picked[0].data.path as string);
  }, []);
  const lineage = useLineage((state) => state.edges);
  const selectedEdge = useLineage((state) => state.selectedEdge);
  useEffect(() => void useLineage.getState().load(location), [location, assets]);
  const graph = useMemo(() => {
    const errorsByPath = Object.fromEntries(Object.entries(errors).map(([path, items]) => [path, items.length]));
    const { nodes, edges } = previewToGraph({ instances, assets, errorsByPath, dirtyPaths: unsavedPaths({ drafts, instances }) });
    return { nodes: layout(nodes, edges, measuredTextWidth), edges };
  }, [instances, assets, errors, drafts]);
  const edges = useMemo(
    () =>
      styleEdges(graph.edges, lineage, assets).map((edge) => ({
        ...edge,
        selected: selectedEdge !== null && edge.id === `${selectedEdge.source}->${selectedEdge.target}`,
      })),
    [graph.edges, lineage, assets, selectedEdge],
  );
  const nodes = useMemo(
    () => graph.nodes.map((node) => ({ ...node, selected: selected !== null && node.id === nodeId(selected) })),
    [graph.nodes, selected],
  );
  // The view is placed once per location: where the user left it (kept across edits and reloads), else fitted.
  // Edits never refit (a big graph fitted after each edit shrank its text to a few pixels): the Fit control does.
  const placed = useRef<string | null>(null);
  const moveStart = useRef<Viewport | null>(null);
  const hasNodes = graph.nodes.length > 0;
  useEffect(() => {
    // once the preview is in: the instances come first, their assets (and the nodes' sizes) after
    if (!location || !hasNodes || previewLoading || placed.current === location) return;
    const frame = window.requestAnimationFrame(() => {
      placed.current = location;
      const kept = readViewport(viewportStore(), location);
      void (kept ? setViewport(kept) : fitView({ padding: 0.15, duration: 0, maxZoom: 1 }));
    });
    return () => window.cancelAnimationFrame(frame);
  }, [location, hasNodes, previewLoading, fitView, setViewport]);

  // A node an edit adds (Add, Duplicate, Rename) comes selected; out of the view it is panned in, at the same zoom,
  // again once the preview has its assets (they resize the nodes and move them in the layout).
  const drawnIds = useRef<Set<string>>(new Set());
  const revealing = useRef<string | null>(null);
  const width = useStore((state) => state.width);
  const height = useStore((state) => state.height);
  useEffect(() => {
    const before = drawnIds.current;
    drawnIds.current = new Set(graph.nodes.map((node) => node.id));
    const id = selected === null ? null : nodeId(selected);
    if (!location || placed.current !== location || id === null) return void (revealing.current = null);
    if (before.size > 0 && !before.has(id) && drawnIds.current.has(id)) revealing.current = id; // it just appeared
    const node = graph.nodes.find((item) => item.id === id);
    if (revealing.current !== id || !node) return;
    if (!previewLoading) revealing.current = null; // its size and place are final
    const box = { ...node.position, width: node.width ?? 0, height: node.height ?? 0 };
    const next = revealBox(getViewport(), box, { width, height });
    if (next) void setViewport(next, { duration: 200 }).then(() => writeViewport(viewportStore(), location, next));
  }, [graph.nodes, selected, location, previewLoading, width, height, getViewport, setViewport]);

  /** After a Controls button's animated move: keep where it ended. */
  const keepLater = () =>
    window.setTimeout(() => {
      if (location && placed.current === location) writeViewport(viewportStore(), location, getViewport());
    }, 400);

  return (
    <section
      className="canvas"
      aria-label="Canvas"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes(DRAG_TYPE)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
        }
      }}
      onDrop={(event) => {
        const type = event.dataTransfer.getData(DRAG_TYPE);
        if (type && location) {
          event.preventDefault();
          onAdd(type);
        }
      }}
    >
      {!location && <p className="canvas-hint">Choose a location, or create one, to start.</p>}
      {location && previewError && (
        <p className="canvas-hint error" role="alert">
          Preview failed: {previewError}
        </p>
      )}
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        nodesConnectable={Boolean(location)}
        isValidConnection={({ source, target, sourceHandle, targetHandle }) =>
          connectionProblem({ source, target, sourceHandle: sourceHandle ?? null, targetHandle: targetHandle ?? null }, assets) === null
        }
        onConnect={(connection) => {
          const source = assetOfHandle(connection.sourceHandle);
          const target = assetOfHandle(connection.targetHandle);
          if (source && target) void useLineage.getState().draw(source, target);
        }}
        onConnectEnd={(_, state) => {
          if (state.toHandle && !state.isValid) {
            const problem = connectionProblem({ source: state.fromNode?.id ?? "", target: state.toNode?.id ?? "", sourceHandle: state.fromHandle?.id ?? null, targetHandle: state.toHandle.id ?? null }, assets);
            if (problem) useDesigner.getState().notify("error", `Dependency not added: ${problem}`);
          }
        }}
        onEdgeClick={(_, edge) => {
          const data = edge.data as { from: string; to: string; origin: string };
          useLineage.getState().selectEdge(data.origin === "drawn" ? { source: data.from, target: data.to } : null);
        }}
        nodesDraggable={false}
        onlyRenderVisibleElements
        minZoom={0.05}
        onNodeClick={(_, node) => select(node.data.path as string | null)}
        onSelectionChange={onSelectionChange}
        onMoveStart={(_, viewport) => {
          moveStart.current = viewport;
        }}
        onMoveEnd={(event, viewport) => {
          // the user's own pan or zoom that moved the view (a programmatic move has no event: the first fit, a
          // restore; a click on the pane starts and ends a move that goes nowhere)
          const start = moveStart.current;
          const moved = !start || start.x !== viewport.x || start.y !== viewport.y || start.zoom !== viewport.zoom;
          if (event && moved && location && placed.current === location) writeViewport(viewportStore(), location, viewport);
        }}
        onPaneClick={() => {
          select(null);
          useLineage.getState().selectEdge(null);
        }}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} onZoomIn={keepLater} onZoomOut={keepLater} onFitView={keepLater} />
        <MiniMap pannable zoomable ariaLabel="Minimap" />
        <LineagePanel />
      </ReactFlow>
    </section>
  );
}

export function Canvas({ onAdd }: { onAdd: (type: string) => void }) {
  return (
    <ReactFlowProvider>
      <Flow onAdd={onAdd} />
    </ReactFlowProvider>
  );
}
