import { useMemo, useState } from "react";

import { useDesigner } from "../store";

export const DRAG_TYPE = "application/x-designer-component";

/** Every component type of the catalog; drag one onto the canvas (or press Add) to start a new instance. */
export function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const catalog = useDesigner((state) => state.catalog);
  const location = useDesigner((state) => state.location);
  const [query, setQuery] = useState("");
  const [pkg, setPkg] = useState("");
  const packages = useMemo(() => [...new Set(catalog.map((type) => type.package))].sort(), [catalog]);
  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return catalog.filter(
      (type) =>
        (!pkg || type.package === pkg) &&
        words.every((word) => `${type.key} ${type.summary}`.toLowerCase().includes(word)),
    );
  }, [catalog, query, pkg]);

  return (
    <aside className="palette" aria-label="Component palette">
      <h2>Components</h2>
      <input type="search" aria-label="Search components" placeholder="Search…" value={query} onChange={(event) => setQuery(event.target.value)} />
      <select aria-label="Filter by package" value={pkg} onChange={(event) => setPkg(event.target.value)}>
        <option value="">All packages</option>
        {packages.map((name) => (
          <option key={name}>{name}</option>
        ))}
      </select>
      <ul>
        {shown.map((type) => (
          <li
            key={type.key}
            className="palette-item"
            draggable={Boolean(location)}
            data-type={type.key}
            onDragStart={(event) => {
              event.dataTransfer.setData(DRAG_TYPE, type.key);
              event.dataTransfer.effectAllowed = "copy";
            }}
          >
            <div className="palette-title">
              <strong>{type.key.split(".").pop()}</strong>
              <button type="button" disabled={!location} onClick={() => onAdd(type.key)} aria-label={`Add ${type.key}`}>
                Add
              </button>
            </div>
            <small className="package">{type.package}</small>
            <p>{type.summary}</p>
          </li>
        ))}
        {!shown.length && <li className="empty">No component matches.</li>}
      </ul>
    </aside>
  );
}
