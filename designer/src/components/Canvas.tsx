import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Node, type NodeTypes } from "@xyflow/react";
import { useCallback, useEffect, useMemo } from "react";

import { layout, nodeId, previewToGraph } from "../graph";
import { assetOfHandle, connectionProblem, styleEdges } from "../lineageEdges";
import { useLineage } from "../lineageStore";
import { unsavedPaths, useDesigner } from "../store";
import { InstanceNodeView } from "./InstanceNodeView";
import { LineagePanel } from "./LineagePanel";
import { DRAG_TYPE } from "./Palette";

const nodeTypes: NodeTypes = { instance: InstanceNodeView };

function Flow({ onAdd }: { onAdd: (type: string) => void }) {
  const { instances, assets, errors, drafts, selected, select, location, previewError } = useDesigner();
  const { fitView } = useReactFlow();
  const onSelectionChange = useCallback(({ nodes: picked }: { nodes: Node[] }) => {
    if (picked.length === 1 && picked[0].data.path) useDesigner.getState().select(picked[0].data.path as string);
  }, []);
  const lineage = useLineage((state) => state.edges);
  const selectedEdge = useLineage((state) => state.selectedEdge);
  useEffect(() => void useLineage.getState().load(location), [location, assets]);
  const graph = useMemo(() => {
    const errorsByPath = Object.fromEntries(Object.entries(errors).map(([path, items]) => [path, items.length]));
    const { nodes, edges } = previewToGraph({ instances, assets, errorsByPath, dirtyPaths: unsavedPaths({ drafts, instances }) });
    return { nodes: layout(nodes, edges), edges };
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
  // refit when nodes, their assets or the edges change (a drawn edge moves nodes into new ranks)
  const shape = graph.nodes.map((node) => `${node.id}:${node.data.assets.length}`).join(",") + `|${graph.edges.length}`;
  useEffect(() => {
    const frame = window.requestAnimationFrame(() => void fitView({ padding: 0.15, duration: 0 }));
    return () => window.cancelAnimationFrame(frame);
  }, [shape, fitView]);

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
        onPaneClick={() => {
          select(null);
          useLineage.getState().selectEdge(null);
        }}
        proOptions={{ hideAttribution: true }}
        fitView
      >
        <Background />
        <Controls showInteractive={false} />
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
