import { useLineage } from "../lineageStore";

/** While a job is being made: the checkbox that picks this asset into it. */
export function JobAssetPick({ assetKey }: { assetKey: string }) {
  const picking = useLineage((state) => state.picking);
  const picked = useLineage((state) => state.picked.includes(assetKey));
  if (!picking) return null;
  return (
    <input
      type="checkbox"
      className="asset-pick nodrag nopan"
      aria-label={`Pick ${assetKey} for the job`}
      checked={picked}
      onChange={() => useLineage.getState().togglePick(assetKey)}
      onClick={(event) => event.stopPropagation()} // picking an asset does not select its node
    />
  );
}
