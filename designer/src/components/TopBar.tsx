import { useState } from "react";

import { api } from "../api";
import { locationNameError } from "../names";
import { hasUnsaved, messageOf, useDesigner } from "../store";
import { Dialog } from "./Dialog";
import { GitDialog } from "./GitDialog";
import { PageNav } from "./PageNav";
import { RunButton } from "./RunButton";

function NewLocationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const locations = useDesigner((state) => state.locations);
  const [name, setName] = useState("");
  const [template, setTemplate] = useState("empty");
  const templates = api.templates();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const invalid = name ? locationNameError(name, locations.map((location) => location.name)) : null;

  async function create(event: React.FormEvent) {
    event.preventDefault();
    const problem = locationNameError(name, locations.map((location) => location.name));
    if (problem) return setError(problem);
    setBusy(true);
    setError(null);
    try {
      await api.createLocation(name, template);
      const store = useDesigner.getState();
      await store.loadLocations();
      await store.openLocation(name);
      store.notify("info", `Created location ${name}.`);
      setName("");
      onClose();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="New location" open={open} onClose={onClose}>
      <form onSubmit={create}>
        <label>
          Name
          <input
            name="location-name"
            value={name}
            autoFocus
            aria-invalid={Boolean(invalid)}
            aria-describedby="new-location-error"
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label>
          Template
          <select name="location-template" value={template} onChange={(event) => setTemplate(event.target.value)}>
            {templates.map((item) => (
              <option key={item}>{item}</option>
            ))}
          </select>
        </label>
        <p id="new-location-error" className="error" role="alert">
          {error ?? invalid ?? ""}
        </p>
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || Boolean(invalid)}>
            {busy ? "Creating…" : "Create location"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function TopBar() {
  const { locations, location, openLocation, undo, redo, refreshPreview, previewLoading } = useDesigner();
  const unsaved = useDesigner(hasUnsaved);
  const canUndo = useDesigner((state) => state.past.length > 0);
  const canRedo = useDesigner((state) => state.future.length > 0);
  const [creating, setCreating] = useState(false);
  const [git, setGit] = useState(false);
  const current = locations.find((item) => item.name === location);

  function pick(name: string) {
    if (unsaved && !window.confirm("Leave this location? Its unsaved changes will be lost.")) return;
    void openLocation(name || null);
  }

  return (
    <header className="topbar">
      <h1>Designer</h1>
      <PageNav current="Designer" />
      <label>
        Location
        <select aria-label="Location" value={location ?? ""} onChange={(event) => pick(event.target.value)}>
          <option value="">Choose a location…</option>
          {locations.map((item) => (
            <option key={item.name} value={item.name}>
              {item.name} ({item.status})
            </option>
          ))}
        </select>
      </label>
      {current && (
        <span className={`status status-${current.status}`} title={current.error ?? current.description ?? ""}>
          {current.status}
        </span>
      )}
      <button type="button" onClick={() => setCreating(true)}>
        New location
      </button>
      <span className="spacer" />
      {unsaved && (
        <span className="unsaved" role="status">
          ● Unsaved changes
        </span>
      )}
      <button type="button" onClick={undo} disabled={!canUndo} aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">
        Undo
      </button>
      <button type="button" onClick={redo} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">
        Redo
      </button>
      <button type="button" onClick={() => void refreshPreview()} disabled={!location || previewLoading}>
        {previewLoading ? "Previewing…" : "Preview"}
      </button>
      {location ? (
        <a className="button" href={api.exportUrl(location)} download={`${location}.zip`}>
          Export ZIP
        </a>
      ) : (
        <button type="button" disabled>
          Export ZIP
        </button>
      )}
      <button type="button" onClick={() => setGit(true)} disabled={!location}>
        Git
      </button>
      <RunButton key={location ?? ""} />
      <NewLocationDialog open={creating} onClose={() => setCreating(false)} />
      {location && <GitDialog open={git} location={location} onClose={() => setGit(false)} />}
    </header>
  );
}
