import { useEffect, useState } from "react";

import { api, ApiError, type ApiErrorItem, type InstanceReferences } from "../api";
import { deleteInstance, duplicateInstance, renameInstance, useInstanceAction } from "../instanceActions";
import { instanceNameError, suggestInstanceName } from "../names";
import { referenceLines } from "../references";
import { messageOf, useDesigner } from "../store";
import { Dialog } from "./Dialog";

const TITLES = { delete: "Delete a component", rename: "Rename a component", duplicate: "Duplicate a component" };

/** The dialog of the pending delete, rename or duplicate (opened by the property panel or the Delete key). */
export function InstanceActionDialog() {
  const { pending, close } = useInstanceAction();
  return (
    <Dialog title={pending ? TITLES[pending.kind] : ""} open={pending !== null} onClose={close}>
      {pending?.kind === "delete" && <DeleteForm key={pending.path} path={pending.path} onClose={close} />}
      {pending && pending.kind !== "delete" && <NameForm key={`${pending.kind}:${pending.path}`} kind={pending.kind} path={pending.path} onClose={close} />}
    </Dialog>
  );
}

/** Every problem the API listed (a 4xx names them all), else the one message. */
function errorItems(error: unknown): ApiErrorItem[] {
  return error instanceof ApiError && error.errors.length ? error.errors : [{ message: messageOf(error) }];
}

/** A dialog's write: busy while it runs, every error the API listed kept for the dialog, closed once it worked. */
function useDialogWrite(onClose: () => void) {
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  async function run(write: () => Promise<void>) {
    setBusy(true);
    setErrors([]);
    try {
      await write();
      onClose();
    } catch (error) {
      setErrors(errorItems(error));
    } finally {
      setBusy(false);
    }
  }
  return { errors, setErrors, busy, run };
}

function ErrorList({ errors }: { errors: ApiErrorItem[] }) {
  if (!errors.length) return null;
  return (
    <ul className="errors dialog-errors" role="alert" aria-label="Errors">
      {errors.map((item, index) => (
        <li key={index}>
          {item.message}
          {item.file && <small> ({item.file})</small>}
        </li>
      ))}
    </ul>
  );
}

function DeleteForm({ path, onClose }: { path: string; onClose: () => void }) {
  const location = useDesigner((state) => state.location);
  const [refs, setRefs] = useState<InstanceReferences | null>(null);
  const { errors, setErrors, busy, run } = useDialogWrite(onClose);

  useEffect(() => {
    let live = true;
    if (location)
      api.references(location, path).then(
        (found) => live && setRefs(found),
        (error) => live && setErrors(errorItems(error)),
      );
    return () => {
      live = false;
    };
  }, [location, path, setErrors]);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (refs) await run(() => deleteInstance(path, refs.count > 0));
  }

  const lines = refs ? referenceLines(refs) : [];
  return (
    <form onSubmit={submit}>
      <p>
        Delete <code>{path}</code> and its files? Undo puts them back.
      </p>
      {!refs && !errors.length && <p role="status">Looking for what refers to it…</p>}
      {refs && lines.length === 0 && <p>Nothing refers to it.</p>}
      {lines.length > 0 && (
        <>
          <p>These refer to it and go (or are edited) with it:</p>
          <ul className="references" aria-label="References">
            {lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      )}
      <ErrorList errors={errors} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" disabled={!refs || busy}>
          {busy ? "Deleting…" : lines.length ? `Delete with ${lines.length} reference(s)` : "Delete"}
        </button>
      </div>
    </form>
  );
}

/** Rename or duplicate: asks the new name (its defs folder), checked as the Add dialog checks it. */
function NameForm({ kind, path, onClose }: { kind: "rename" | "duplicate"; path: string; onClose: () => void }) {
  const instances = useDesigner((state) => state.instances);
  const taken = instances.map((instance) => instance.path);
  const [name, setName] = useState(() => (kind === "rename" ? path : suggestInstanceName(`${path}_copy`, taken)));
  const { errors, busy, run } = useDialogWrite(onClose);
  const problem = kind === "rename" && name === path ? "Enter a new name." : instanceNameError(name, taken);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!problem) await run(() => (kind === "rename" ? renameInstance(path, name) : duplicateInstance(path, name)));
  }

  return (
    <form onSubmit={submit}>
      <p>
        {kind === "rename" ? "Rename" : "Copy"} <code>{path}</code>
        {kind === "rename" ? ": its job, schedule or sensor name and what refers to it follow." : " to a new component with its own asset names."}
      </p>
      <label>
        New name
        <input name="new-instance-name" value={name} autoFocus aria-invalid={Boolean(problem)} aria-describedby="new-instance-name-error" onChange={(event) => setName(event.target.value)} />
      </label>
      <p id="new-instance-name-error" className="error" role="alert">
        {problem ?? ""}
      </p>
      <ErrorList errors={errors} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" disabled={Boolean(problem) || busy}>
          {busy ? "Working…" : kind === "rename" ? "Rename" : "Duplicate"}
        </button>
      </div>
    </form>
  );
}
