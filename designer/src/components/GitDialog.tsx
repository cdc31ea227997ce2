import { useEffect, useState } from "react";

import { api, type GitState } from "../api";
import { messageOf, useDesigner } from "../store";
import { Dialog } from "./Dialog";

export function GitDialog({ open, location, onClose }: { open: boolean; location: string; onClose: () => void }) {
  const [state, setState] = useState<GitState | null>(null);
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!open) return;
    let live = true;
    api.git(location).then(
      (loaded) => live && setState(loaded),
      (caught) => live && setError(messageOf(caught)),
    );
    return () => {
      live = false;
    };
  }, [open, location, version]);

  async function commit(event: React.FormEvent) {
    event.preventDefault();
    if (!message.trim()) return setError("Enter a commit message.");
    setBusy(true);
    try {
      await api.commit(location, message.trim());
      useDesigner.getState().notify("info", `Committed ${location}: ${message.trim()}`);
      setMessage("");
      setVersion((value) => value + 1);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Git: ${location}`} open={open} onClose={onClose}>
      <h3>Status</h3>
      <pre className="git-status">{state ? state.status || "nothing changed" : "loading…"}</pre>
      <h3>Diff</h3>
      <pre className="diff" aria-label="Diff" tabIndex={0}>
        {state?.diff || "no changes"}
      </pre>
      <form onSubmit={commit}>
        <label>
          Commit message
          <input name="commit-message" value={message} onChange={(event) => setMessage(event.target.value)} />
        </label>
        <p className="error" role="alert">
          {error ?? ""}
        </p>
        <div className="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" disabled={busy}>
            {busy ? "Committing…" : "Commit"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
