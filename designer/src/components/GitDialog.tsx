import { useEffect, useMemo, useState } from "react";

import { api, type GitState } from "../api";
import { commitBlocker, commitPaths, diffOf, splitDiff, unquote } from "../gitChanges";
import { messageOf, useDesigner } from "../store";
import { Dialog } from "./Dialog";
import { GitBranches } from "./GitBranches";
import { GitChangeList } from "./GitChangeList";

/** Review the location's changes file by file, commit the ticked ones with a message, and its branches. */
export function GitDialog({ open, location, onClose }: { open: boolean; location: string; onClose: () => void }) {
  // the panel mounts when the dialog opens: every opening starts afresh, all files ticked, no stale error
  return (
    <Dialog title={`Git: ${location}`} open={open} onClose={onClose}>
      <GitPanel key={location} location={location} onClose={onClose} />
    </Dialog>
  );
}

function GitPanel({ location, onClose }: { location: string; onClose: () => void }) {
  const [state, setState] = useState<GitState | null>(null);
  // unticked rather than ticked: every changed file, also one that appears on a reload, starts ticked
  const [unticked, setUnticked] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    api.git(location).then(
      (loaded) => live && setState(loaded),
      (caught) => live && setError(messageOf(caught)),
    );
    return () => {
      live = false;
    };
  }, [location, version]);

  const changes = useMemo(() => state?.changes ?? [], [state]);
  const ticked = useMemo(() => new Set(changes.map((change) => change.path).filter((path) => !unticked.has(path))), [changes, unticked]);
  const paths = commitPaths(changes, ticked);
  const diff = useMemo(() => diffOf(splitDiff(state?.diff ?? ""), new Set([...ticked].map(unquote))), [state, ticked]);
  const blocker = state ? commitBlocker(changes, paths, message) : "Loading the changes…";

  function toggle(path: string, on: boolean) {
    const next = new Set(unticked);
    if (on) next.delete(path);
    else next.add(path);
    setUnticked(next);
  }

  async function commit(event: React.FormEvent) {
    event.preventDefault();
    if (blocker || busy) return;
    setBusy(true);
    try {
      await api.commit(location, message.trim(), paths);
      useDesigner.getState().notify("info", `Committed ${paths.length} file(s) of ${location}: ${message.trim()}`);
      setMessage("");
      setError(null);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
      setVersion((value) => value + 1);
    }
  }

  return (
    <>
      <GitBranches location={location} uncommitted={changes.map((change) => change.path)} onChanged={() => setVersion((value) => value + 1)} />
      <h3>Changes{state?.head ? ` since ${state.head}` : ""}</h3>
      {state ? <GitChangeList changes={changes} ticked={ticked} onToggle={toggle} /> : <p>loading…</p>}
      <h3>Diff of the ticked files</h3>
      <pre className="diff" aria-label="Diff" tabIndex={0}>
        {diff || "no changes ticked"}
      </pre>
      <form onSubmit={commit}>
        <label>
          Commit message
          <input
            name="commit-message"
            value={message}
            onChange={(event) => {
              setMessage(event.target.value);
              setError(null);
            }}
          />
        </label>
        <p className="hint" id="git-commit-blocker">
          {blocker ?? `Commits ${paths.length} of ${changes.length} changed file(s).`}
        </p>
        <p className="error" role="alert" aria-label="Commit error">
          {error ?? ""}
        </p>
        <div className="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" disabled={busy || blocker !== null} aria-describedby="git-commit-blocker">
            {busy ? "Committing…" : "Commit"}
          </button>
        </div>
      </form>
    </>
  );
}
