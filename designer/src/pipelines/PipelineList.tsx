import { useState } from "react";

import { ApiError } from "../api";
import { messageOf } from "../store";
import { DeleteButton } from "./DeleteButton";
import { GeneralErrors } from "./FieldErrors";
import { confirmLeave } from "./leaveGuard";
import { formErrors, pipelineRows } from "./pipelineMapping";
import { pipelinesApi } from "./pipelinesApi";
import { usePipelines } from "./pipelinesStore";
import { StatusBadge } from "./StatusBadge";

/** Every pipeline with its template, entity and newest run; launch, show runs, edit, disable or delete one. */
export function PipelineList() {
  const { pipelines, templates, entities, loaded, selectedPipeline, editingPipeline, watch, notify, refresh, editPipeline, setEnabled, remove } =
    usePipelines();
  const [launching, setLaunching] = useState<number | null>(null);
  const [refusal, setRefusal] = useState<{ pipelineId: number; messages: string[] } | null>(null);
  const rows = pipelineRows(pipelines, templates, entities);

  async function launch(pipelineId: number, name: string) {
    setLaunching(pipelineId);
    setRefusal(null);
    try {
      const launched = await pipelinesApi.launch(pipelineId);
      watch(pipelineId, launched.run_id);
      notify("info", `Launched ${name}: run ${launched.run_id} is ${launched.status}.`);
      await refresh("pipeline");
    } catch (error) {
      const messages = error instanceof ApiError ? formErrors(error.errors, []).general : [messageOf(error)];
      setRefusal({ pipelineId, messages });
      notify("error", `${name} was not launched: ${messages.join(" ")}`);
    } finally {
      setLaunching(null);
    }
  }

  if (loaded && rows.length === 0) return <p className="hint">No pipelines yet: create one with the form.</p>;
  const pipelineOf = (id: number) => pipelines.find((item) => item.id === id)!;
  return (
    <>
      <table className="pipeline-table">
        <caption className="visually-hidden">Pipelines</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Template</th>
            <th scope="col">Entity</th>
            <th scope="col">Enabled</th>
            <th scope="col">Last run</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-testid={`pipeline-${row.name}`} aria-current={row.id === selectedPipeline ? "true" : undefined}>
              <th scope="row">{row.name}</th>
              <td>{row.template}</td>
              <td>{row.entity}</td>
              <td>{row.enabled ? "yes" : <span className="disabled-mark">disabled</span>}</td>
              <td>
                <StatusBadge status={row.lastRunStatus} />
              </td>
              <td className="row-actions">
                <button type="button" onClick={() => void launch(row.id, row.name)} disabled={launching !== null} aria-label={`Launch ${row.name}`}>
                  {launching === row.id ? "Launching…" : "Launch"}
                </button>
                <button type="button" onClick={() => watch(row.id, pipelineOf(row.id).last_run_id ?? null)} aria-label={`Show runs of ${row.name}`}>
                  Runs
                </button>
                <button type="button" onClick={() => row.id !== editingPipeline && confirmLeave() && editPipeline(row.id)} aria-label={`Edit ${row.name}`} aria-pressed={editingPipeline === row.id}>
                  Edit
                </button>
                <button type="button" onClick={() => void setEnabled("pipeline", pipelineOf(row.id), !row.enabled)} aria-label={`${row.enabled ? "Disable" : "Enable"} ${row.name}`}>
                  {row.enabled ? "Disable" : "Enable"}
                </button>
                <DeleteButton what={row.name} warning="The rows it loaded stay in its table." onDelete={() => remove("pipeline", row.id, row.name)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {refusal && (
        <GeneralErrors label={`Why ${rows.find((row) => row.id === refusal.pipelineId)?.name ?? "the pipeline"} was not launched`} messages={refusal.messages} />
      )}
    </>
  );
}
