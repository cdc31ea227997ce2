import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type NodeTypes } from "@xyflow/react";
import { useEffect, useMemo } from "react";

import { layout, nodeId, previewToGraph } from "../graph";
import { useDesigner } from "../store";
import { InstanceNodeView } from "./InstanceNodeView";
import { DRAG_TYPE } from "./Palette";

const nodeTypes: NodeTypes = { instance: InstanceNodeView };

function Flow({ onAdd }: { onAdd: (type: string) => void }) {
  const { instances, assets, errors, drafts, selected, select, location, previewError } = useDesigner();
  const { fitView } = useReactFlow();
  const graph = useMemo(() => {
    const errorsByPath = Object.fromEntries(Object.entries(errors).map(([path, items]) => [path, items.length]));
    const { nodes, edges } = previewToGraph({ instances, assets, errorsByPath, dirtyPaths: new Set(Object.keys(drafts)) });
    return { nodes: layout(nodes, edges), edges };
  }, [instances, assets, errors, drafts]);
  const nodes = useMemo(
    () => graph.nodes.map((node) => ({ ...node, selected: selected !== null && node.id === nodeId(selected) })),
    [graph.nodes, selected],
  );
  const shape = graph.nodes.map((node) => `${node.id}:${node.data.assets.length}`).join(",");
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
        edges={graph.edges}
        nodeTypes={nodeTypes}
        nodesConnectable={false}
        nodesDraggable={false}
        onlyRenderVisibleElements
        minZoom={0.05}
        onNodeClick={(_, node) => select(node.data.path as string | null)}
        onSelectionChange={({ nodes: picked }) => {
          if (picked.length === 1 && picked[0].data.path) select(picked[0].data.path as string);
        }}
        onPaneClick={() => select(null)}
        proOptions={{ hideAttribution: true }}
        fitView
      >
        <Background />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable ariaLabel="Minimap" />
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
