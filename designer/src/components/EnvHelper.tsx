import { useState } from "react";

import { useDesigner } from "../store";

/** Inserts `{{ env.NAME }}` into a text field and says whether NAME is set where the API runs. */
export function EnvHelper({ fields, onInsert }: { fields: string[]; onInsert: (field: string, value: string) => void }) {
  const env = useDesigner((state) => state.env);
  const [field, setField] = useState(fields[0] ?? "");
  const [name, setName] = useState("");
  const valid = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
  const known = env.find((item) => item.name === name);
  return (
    <fieldset className="env-helper">
      <legend>Environment variable</legend>
      <label>
        Field
        <select aria-label="Field for the variable" value={field} onChange={(event) => setField(event.target.value)}>
          {fields.map((item) => (
            <option key={item}>{item}</option>
          ))}
        </select>
      </label>
      <label>
        Variable
        <input aria-label="Variable name" list="env-names" value={name} onChange={(event) => setName(event.target.value.trim())} />
      </label>
      <datalist id="env-names">
        {env.map((item) => (
          <option key={item.name} value={item.name} />
        ))}
      </datalist>
      <button type="button" disabled={!valid || !field} onClick={() => onInsert(field, `{{ env.${name} }}`)}>
        Insert
      </button>
      {name && (
        <p className="env-state" role="status">
          {!valid
            ? "Use letters, digits and _ only."
            : known
              ? known.set
                ? `${name} is set.`
                : `${name} is not set: set it before running.`
              : `${name} is not referenced yet; its state shows after saving.`}
        </p>
      )}
      {env.length > 0 && (
        <ul className="env-list" aria-label="Variables this location uses">
          {env.map((item) => (
            <li key={item.name}>
              <code>{item.name}</code> {item.set ? "set" : "not set"}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
