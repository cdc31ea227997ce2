import { useState } from "react";

import { instanceNameError, suggestInstanceName } from "../names";
import { useDesigner } from "../store";
import { Dialog } from "./Dialog";

/** Asks the new instance's name (its defs folder); the instance stays a draft until its form is saved. */
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
  const addDraft = useDesigner((state) => state.addDraft);
  const [name, setName] = useState(() => suggestInstanceName(type, taken));
  const problem = instanceNameError(name, taken);

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (problem) return;
    addDraft(type, name);
    onClose();
  }

  return (
    <form onSubmit={submit}>
      <p>
        A new <code>{type}</code>. Nothing is written until you save its form.
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
        <button type="submit" disabled={Boolean(problem)}>
          Add component
        </button>
      </div>
    </form>
  );
}
