import { useState } from "react";

import { instanceNameError, suggestInstanceName } from "../names";
import { useDesigner } from "../store";
import { Dialog } from "./Dialog";

/** Asks the new instance's name (its defs folder), validated before the scaffold request. */
export function AddInstanceDialog({ type, onClose }: { type: string | null; onClose: () => void }) {
  const instances = useDesigner((state) => state.instances);
  const taken = instances.map((instance) => instance.path);
  return (
    <Dialog title="Add a component" open={type !== null} onClose={onClose}>
      {type && <AddForm key={type} type={type} taken={taken} onClose={onClose} />}
    </Dialog>
  );
}

function AddForm({ type, taken, onClose }: { type: string; taken: string[]; onClose: () => void }) {
  const scaffold = useDesigner((state) => state.scaffold);
  const [name, setName] = useState(() => suggestInstanceName(type, taken));
  const [busy, setBusy] = useState(false);
  const problem = instanceNameError(name, taken);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (problem) return;
    setBusy(true);
    const added = await scaffold(type, name);
    setBusy(false);
    if (added) onClose();
  }

  return (
    <form onSubmit={submit}>
      <p>
        A new <code>{type}</code>.
      </p>
      <label>
        Name
        <input name="instance-name" value={name} autoFocus aria-invalid={Boolean(problem)} aria-describedby="instance-name-error" onChange={(event) => setName(event.target.value)} />
      </label>
      <p id="instance-name-error" className="error" role="alert">
        {problem ?? ""}
      </p>
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" disabled={busy || Boolean(problem)}>
          {busy ? "Adding…" : "Add component"}
        </button>
      </div>
    </form>
  );
}
