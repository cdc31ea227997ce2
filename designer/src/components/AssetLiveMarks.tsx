import { describeState, useLive } from "../liveState";

/** A checkbox on the canvas picking assets for the next run; a click on it is not a click on its node. */
function PickBox({ checked, onToggle, label }: { checked: boolean; onToggle: () => void; label: string }) {
  return (
    <input
      type="checkbox"
      className="asset-pick nodrag"
      checked={checked}
      onChange={onToggle}
      onClick={(event) => event.stopPropagation()}
      aria-label={label}
      title={label}
    />
  );
}

/** Picks an asset for the next run (shift-click on the row does the same). */
export function AssetPick({ assetKey }: { assetKey: string }) {
  const picked = useLive((state) => state.picked.includes(assetKey));
  const toggle = useLive((state) => state.toggle);
  return <PickBox checked={picked} onToggle={() => toggle(assetKey)} label={`Select ${assetKey} for a run`} />;
}

/** A node's checkbox: picks all of its assets for the next run (materialize the node), or none. */
export function NodePick({ label, assetKeys }: { label: string; assetKeys: string[] }) {
  const all = useLive((state) => assetKeys.length > 0 && assetKeys.every((key) => state.picked.includes(key)));
  const toggleAll = useLive((state) => state.toggleAll);
  if (!assetKeys.length) return null;
  return <PickBox checked={all} onToggle={() => toggleAll(assetKeys)} label={`Select every asset of ${label} for a run`} />;
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
