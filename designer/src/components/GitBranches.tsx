import { useEffect, useState } from "react";

import { api, ApiError, type GitBranches as Branches } from "../api";
import { switchRefusal } from "../gitChanges";
import { afterServerWrite } from "../instanceActions";
import { messageOf, tracked, useDesigner } from "../store";

/**
 * The checkout's current branch, a switch to another (the whole checkout changes: asked first, refused by the
 * API while the location has uncommitted changes) and a new branch at HEAD, checked out.
 */
export function GitBranches({ location, uncommitted, onChanged }: { location: string; uncommitted: string[]; onChanged: () => void }) {
  const [branches, setBranches] = useState<Branches | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    api.branches(location).then(
      (loaded) => live && setBranches(loaded),
      (caught) => live && setError(`The branches could not be listed: ${messageOf(caught)}`),
    );
    return () => {
      live = false;
    };
  }, [location, version]);

  async function change(write: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await write();
    } finally {
      setBusy(false);
      setVersion((value) => value + 1);
      onChanged();
    }
  }

  function switchTo(branch: string) {
    const question = `Switch to branch ${branch}? This changes the whole checkout (every file of the repository, not only ${location}'s), and the designer reloads ${location}.`;
    if (!branch || branch === branches?.current || !window.confirm(question)) return;
    void change(async () => {
      try {
        await tracked(`Switching to ${branch}…`, () => api.checkout(location, branch));
      } catch (caught) {
        setError(switchRefusal(branch, caught instanceof ApiError ? caught.message : messageOf(caught), uncommitted));
        return;
      }
      const designer = useDesigner.getState();
      await designer.loadLocations();
      await afterServerWrite(`Switched to branch ${branch}; ${location} reloaded.`, null);
    });
  }

  function create(event: React.FormEvent) {
    event.preventDefault();
    const branch = name.trim();
    if (!branch) return setError("Enter a name for the new branch.");
    void change(async () => {
      try {
        await api.createBranch(location, branch);
        setName("");
        useDesigner.getState().notify("info", `Created branch ${branch} and switched to it.`);
      } catch (caught) {
        setError(`Branch ${branch} not created: ${messageOf(caught)}`);
      }
    });
  }

  const current = branches?.current ?? "";
  return (
    <section className="git-branches" aria-label="Branches">
      <p>
        Current branch: <strong data-testid="git-current-branch">{branches ? current || "(detached HEAD)" : "loading…"}</strong>
      </p>
      <div className="git-branch-row">
        <label>
          Switch to branch
          <select value={current} disabled={busy || !branches} onChange={(event) => switchTo(event.target.value)}>
            {!current && <option value="">(detached HEAD)</option>}
            {(branches?.branches ?? []).map((branch) => (
              <option key={branch} value={branch}>
                {branch}
              </option>
            ))}
          </select>
        </label>
        <form onSubmit={create} className="git-new-branch">
          <label>
            New branch
            <input name="new-branch" value={name} onChange={(event) => setName(event.target.value)} />
          </label>
          <button type="submit" disabled={busy || !name.trim()}>
            Create branch
          </button>
        </form>
      </div>
      <p className="error" role="alert" aria-label="Branch error">
        {error ?? ""}
      </p>
    </section>
  );
}
