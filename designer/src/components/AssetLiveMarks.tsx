import { describeState, useLive } from "../liveState";

/** A checkbox picking an asset for the next run (shift-click on the row does the same). */
export function AssetPick({ assetKey }: { assetKey: string }) {
  const picked = useLive((state) => state.picked.includes(assetKey));
  const toggle = useLive((state) => state.toggle);
  return (
    <input
      type="checkbox"
      className="asset-pick nodrag"
      checked={picked}
      onChange={() => toggle(assetKey)}
      onClick={(event) => event.stopPropagation()}
      aria-label={`Select ${assetKey} for a run`}
    />
  );
}

/** The asset's live state from the running platform (nothing while the webserver is down). */
export function AssetStateBadge({ assetKey }: { assetKey: string }) {
  const state = useLive((live) => live.states[assetKey]);
  if (!state) return null;
  return (
    <span className={`asset-state asset-state-${state.state}`} title={describeState(state)} data-state={state.state}>
      {state.state}
    </span>
  );
}
