import { useState } from "react";

import { FieldErrors, GeneralErrors } from "./FieldErrors";
import { TextField } from "./FormFields";
import { COLUMN_TYPES, type ColumnDraft, emptyColumn, type EntityDraft, entityDraft, entityInput, isEntityEdited, tableNameFor } from "./entityDraft";
import { useLeaveGuard } from "./leaveGuard";
import { errorCount, rowMessages } from "./pipelineMapping";
import { type Entity, pipelinesApi } from "./pipelinesApi";
import { usePipelines } from "./pipelinesStore";
import { describedBy, useFormErrors } from "./useFormErrors";

const FIELDS = ["name", "schema_name", "table_name", "columns", "unique_fields"] as const;

/** Create an entity (the table a pipeline loads into: columns, types, unique key) or edit one. */
export function EntityForm({ editing, onDone }: { editing: Entity | null; onDone(): void }) {
  const { refresh, notify } = usePipelines();
  const [draft, setDraft] = useState<EntityDraft>(() => entityDraft(editing ?? undefined));
  const [busy, setBusy] = useState(false);
  const { errors, clear, fail } = useFormErrors(FIELDS);
  const on = errors.byField;
  const rows = errors.rows.columns ?? {};
  useLeaveGuard(isEntityEdited(draft, editing ?? undefined) ? (editing ? `the entity ${editing.name}` : "the new entity") : null);
  const change = (values: Partial<EntityDraft>) => setDraft((current) => ({ ...current, ...values }));
  const changeColumn = (key: string, values: Partial<ColumnDraft>) =>
    change({ columns: draft.columns.map((column) => (column.key === key ? { ...column, ...values } : column)) });

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    clear();
    const body = entityInput(draft);
    try {
      const saved = editing ? await pipelinesApi.updateEntity(editing.id, body) : await pipelinesApi.createEntity(body);
      await refresh("entity");
      notify("info", `${editing ? "Saved" : "Created"} entity ${saved.name} (table ${saved.schema_name}.${saved.table_name}).`);
      if (!editing) setDraft(entityDraft());
      onDone();
    } catch (error) {
      const count = errorCount(fail(error, { columns: body.columns.map((column) => column.name) }));
      notify("error", `The entity was not ${editing ? "saved" : "created"}: ${count} problem${count === 1 ? "" : "s"}, shown on the form.`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="record-form" aria-labelledby="entity-form-heading" onSubmit={submit} noValidate>
      <h2 id="entity-form-heading">{editing ? `Edit entity ${editing.name}` : "New entity"}</h2>
      <p className="hint">An entity is the table a pipeline loads records into: one column per template field.</p>
      <TextField label="Name" name="entity-name" value={draft.name} errors={on.name} onText={(name) => change({ name })} />
      <div className="field-pair">
        <TextField label="Schema" name="schema_name" value={draft.schema_name} errors={on.schema_name} onText={(schema_name) => change({ schema_name })} />
        <TextField
          label="Table"
          name="table_name"
          value={draft.table_name}
          placeholder={tableNameFor(draft.name) || "lower_case_name"}
          errors={on.table_name}
          onText={(table_name) => change({ table_name })}
        />
      </div>
      <fieldset {...describedBy("entity-columns-error", on.columns)}>
        <legend>Columns</legend>
        {editing && <p className="hint">New columns are added to the table; a column removed here stays in the table.</p>}
        <table className="grid-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Nullable</th>
              <th scope="col">Unique key</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft.columns.map((column, index) => {
              const problems = rows[index] ?? {};
              const label = `Column ${index + 1}`;
              const errorId = `${column.key}-error`;
              const messages = rowMessages(problems);
              return (
                <tr key={column.key}>
                  <td>
                    <input aria-label={`${label} name`} value={column.name} onChange={(event) => changeColumn(column.key, { name: event.target.value })} {...describedBy(errorId, problems.name)} />
                    <FieldErrors id={errorId} messages={messages.length ? messages : undefined} />
                  </td>
                  <td>
                    <select aria-label={`${label} type`} value={column.type} onChange={(event) => changeColumn(column.key, { type: event.target.value as ColumnDraft["type"] })} {...describedBy(errorId, problems.type)}>
                      {COLUMN_TYPES.map((type) => (
                        <option key={type}>{type}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`${label} nullable`} checked={column.nullable} onChange={(event) => changeColumn(column.key, { nullable: event.target.checked })} />
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`${label} unique key`} checked={column.unique} onChange={(event) => changeColumn(column.key, { unique: event.target.checked })} />
                  </td>
                  <td>
                    <button type="button" aria-label={`Remove ${label.toLowerCase()}`} disabled={draft.columns.length === 1} onClick={() => change({ columns: draft.columns.filter((item) => item.key !== column.key) })}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button type="button" className="add-row" onClick={() => change({ columns: [...draft.columns, emptyColumn()] })}>
          Add column
        </button>
        <FieldErrors id="entity-columns-error" messages={[...(on.columns ?? []), ...(on.unique_fields ?? [])]} />
      </fieldset>
      <GeneralErrors label="Other problems with the entity" messages={errors.general} />
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : editing ? "Save entity" : "Create entity"}
        </button>
        {editing && (
          <button type="button" onClick={onDone}>
            Cancel editing
          </button>
        )}
      </div>
    </form>
  );
}
