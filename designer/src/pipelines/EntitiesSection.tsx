import { useState } from "react";

import { DeleteButton } from "./DeleteButton";
import { EntityForm } from "./EntityForm";
import { confirmLeave } from "./leaveGuard";
import { usedBy } from "./pipelineMapping";
import { usePipelines } from "./pipelinesStore";

/** The entities (target tables): list, create, edit, delete. */
export function EntitiesSection() {
  const { entities, pipelines, loaded, remove } = usePipelines();
  const [editing, setEditing] = useState<number | null>(null);
  const entity = entities.find((item) => item.id === editing) ?? null;

  return (
    <div className="section-grid">
      <section aria-labelledby="entities-heading">
        <h2 id="entities-heading">Entities</h2>
        {loaded && entities.length === 0 && <p className="hint">No entities yet: create the first one with the form (its table is created with it).</p>}
        {entities.length > 0 && (
          <table className="pipeline-table">
            <caption className="visually-hidden">Entities</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Table</th>
                <th scope="col">Columns</th>
                <th scope="col">Unique key</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {entities.map((item) => {
                const users = usedBy(pipelines, "entity", item.id);
                return (
                  <tr key={item.id} data-testid={`entity-${item.name}`} aria-current={item.id === editing ? "true" : undefined}>
                    <th scope="row">{item.name}</th>
                    <td>
                      {item.schema_name}.{item.table_name}
                    </td>
                    <td>{item.columns.map((column) => `${column.name} ${column.type}`).join(", ")}</td>
                    <td>{item.unique_fields.join(", ") || "–"}</td>
                    <td className="row-actions">
                      <button type="button" aria-label={`Edit ${item.name}`} aria-pressed={item.id === editing} onClick={() => item.id !== editing && confirmLeave() && setEditing(item.id)}>
                        Edit
                      </button>
                      <DeleteButton
                        what={item.name}
                        warning={`Its table ${item.schema_name}.${item.table_name} stays.${users.length ? ` Used by ${users.join(", ")}.` : ""}`}
                        onDelete={async () => {
                          if ((await remove("entity", item.id, item.name)) && editing === item.id) setEditing(null);
                        }}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <EntityForm key={editing ?? "new"} editing={entity} onDone={() => setEditing(null)} />
    </div>
  );
}
