import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";

import { assetHandle, type InstanceNode } from "../graph";
import { pickOnShiftClick } from "../liveState";
import { AssetPick, AssetStateBadge, NodePick } from "./AssetLiveMarks";
import { JobAssetPick } from "./AssetPick";

/** One component instance: its name and type, then one row per asset with its kinds and checks. */
function InstanceNodeViewBase({ data, selected }: NodeProps<InstanceNode>) {
  const classes = ["instance-node", data.path ? "" : "instance-node-other", data.errorCount ? "has-errors" : "", selected ? "selected" : ""];
  return (
    <div className={classes.join(" ")} data-testid={`node-${data.label}`} aria-label={`${data.label}, ${data.type}, ${data.assets.length} assets`}>
      <div className="instance-header">
        <NodePick label={data.label} assetKeys={data.assets.map((asset) => asset.key)} />
        <strong>{data.label}</strong>
        {data.dirty && <span title="Unsaved changes"> ●</span>}
        {data.errorCount > 0 && (
          <span className="badge badge-error" title="Errors">
            {data.errorCount} error{data.errorCount > 1 ? "s" : ""}
          </span>
        )}
        <div className="instance-type">{data.type.split(".").pop()}</div>
      </div>
      <ul className="asset-rows">
        {data.assets.map((asset) => (
          <li
            key={asset.key}
            className="asset-row"
            data-asset={asset.key}
            title={asset.description ? `${asset.key}\n${asset.description}` : asset.key}
            onClick={pickOnShiftClick(asset.key)}
          >
            <Handle type="target" position={Position.Left} id={assetHandle("in", asset.key)} />
            <JobAssetPick assetKey={asset.key} />
            <AssetPick assetKey={asset.key} />
            <span className="asset-key">{asset.key}</span>
            <AssetStateBadge assetKey={asset.key} />
            {asset.kinds.map((kind) => (
              <span key={kind} className={`kind kind-${kind}`}>
                {kind}
              </span>
            ))}
            {asset.checks.length > 0 && (
              <span className="checks" title={asset.checks.join(", ")}>
                ✓{asset.checks.length}
              </span>
            )}
            <Handle type="source" position={Position.Right} id={assetHandle("out", asset.key)} />
          </li>
        ))}
        {!data.assets.length && <li className="asset-row empty">no assets yet</li>}
      </ul>
    </div>
  );
}

export const InstanceNodeView = memo(InstanceNodeViewBase);
