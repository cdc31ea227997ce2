import { useState } from "react";

import { ApiError } from "../api";
import { messageOf } from "../store";
import { GeneralErrors } from "./FieldErrors";
import { formErrors, pipelineRows } from "./pipelineMapping";
import { pipelinesApi } from "./pipelinesApi";
import { usePipelines } from "./pipelinesStore";
import { StatusBadge } from "./StatusBadge";

/** Every pipeline with its template, entity and newest run; launch one, or show its runs. */
export function PipelineList() {
  const { pipelines, templates, entities, loaded, selectedPipeline, watch, notify, refreshPipelines } = usePipelines();
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
      await refreshPipelines();
    } catch (error) {
      const messages = error instanceof ApiError ? formErrors(error.errors, []).general : [messageOf(error)];
      setRefusal({ pipelineId, messages });
      notify("error", `${name} was not launched: ${messages.join(" ")}`);
    } finally {
      setLaunching(null);
    }
  }

  if (loaded && rows.length === 0) return <p className="hint">No pipelines yet: create one with the form.</p>;
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
              <td>{row.enabled ? "yes" : "no"}</td>
              <td>
                <StatusBadge status={row.lastRunStatus} />
              </td>
              <td className="row-actions">
                <button type="button" onClick={() => void launch(row.id, row.name)} disabled={launching !== null} aria-label={`Launch ${row.name}`}>
                  {launching === row.id ? "Launching…" : "Launch"}
                </button>
                <button type="button" onClick={() => watch(row.id, pipelines.find((item) => item.id === row.id)?.last_run_id ?? null)} aria-label={`Show runs of ${row.name}`}>
                  Runs
                </button>
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
