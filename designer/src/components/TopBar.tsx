import { useState } from "react";

import { api } from "../api";
import { redoLatest, undoLatest } from "../instanceActions";
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

function HistoryButton(props: { label: string; keys: string; title: string; enabled: boolean; onClick: () => Promise<void> }) {
  return (
    <button type="button" onClick={() => void props.onClick()} disabled={!props.enabled} aria-keyshortcuts={props.keys} title={props.title}>
      {props.label}
    </button>
  );
}

export function TopBar() {
  const { locations, location, openLocation, refreshPreview, previewLoading, busy, history } = useDesigner();
  const unsaved = useDesigner(hasUnsaved);
  const draftUndo = useDesigner((state) => state.past.length > 0);
  const draftRedo = useDesigner((state) => state.future.length > 0);
  // unsaved form edits are undone first, then the saved steps of the server's journal
  const undoTitle = draftUndo ? "Undo the last edit" : history.undo ? `Undo: ${history.undo}` : "Nothing to undo";
  const redoTitle = draftRedo ? "Redo the edit" : history.redo ? `Redo: ${history.redo}` : "Nothing to redo";
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
      {busy && (
        <span className="busy" role="status" aria-label="Busy">
          <span className="spinner" aria-hidden="true" /> {busy}
        </span>
      )}
      <HistoryButton label="Undo" keys="Control+Z" title={`${undoTitle} (Ctrl+Z)`} enabled={!busy && (draftUndo || history.undo !== null)} onClick={undoLatest} />
      <HistoryButton label="Redo" keys="Control+Shift+Z" title={`${redoTitle} (Ctrl+Shift+Z)`} enabled={!busy && (draftRedo || history.redo !== null)} onClick={redoLatest} />
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
