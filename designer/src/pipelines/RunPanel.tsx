import { useEffect, useRef, useState } from "react";

import { messageOf } from "../store";
import { isFinished, progressLine } from "./pipelineMapping";
import { type PipelineRun, pipelinesApi } from "./pipelinesApi";
import { usePipelines } from "./pipelinesStore";
import { countEntries, SKIP_COUNT_KEYS, skipEntries } from "./previewMapping";
import { StatusBadge } from "./StatusBadge";
import { useRunWatch } from "./useRunWatch";

const count = (value: number | null | undefined) => (value == null ? "–" : String(value));
/** Counts the run's facts show already. */
const SHOWN = ["records_extracted", "records_loaded", "records_failed", ...SKIP_COUNT_KEYS];

/** The selected pipeline's runs; the watched one's live status, counts, error and log. */
export function RunPanel() {
  const { selectedPipeline, watchedRun, pipelines, watch, notify, refresh } = usePipelines();
  const [runs, setRuns] = useState<PipelineRun[]>([]);
  const { run, lines, following, problem } = useRunWatch(selectedPipeline, watchedRun);
  const log = useRef<HTMLOListElement>(null);
  const pipeline = pipelines.find((item) => item.id === selectedPipeline);
  const ended = isFinished(run?.status);

  useEffect(() => {
    if (selectedPipeline === null) return;
    let current = true;
    pipelinesApi.runs(selectedPipeline).then(
      (found) => current && setRuns(found),
      (error) => current && notify("error", `The runs could not be listed: ${messageOf(error)}`),
    );
    return () => {
      current = false;
    };
  }, [selectedPipeline, watchedRun, ended, notify]);

  useEffect(() => {
    if (ended) void refresh("pipeline");
  }, [ended, refresh]);

  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight; // follow the newest line
  }, [lines.length]);

  async function cancel() {
    if (selectedPipeline === null || !watchedRun) return;
    try {
      const canceled = await pipelinesApi.cancel(selectedPipeline, watchedRun);
      notify("info", `Run ${watchedRun} is ${canceled.status}.`);
    } catch (error) {
      notify("error", `The run was not canceled: ${messageOf(error)}`);
    }
  }

  if (!pipeline) return <p className="hint">Launch a pipeline, or press Runs on one, to watch its runs here.</p>;
  return (
    <div className="run-panel">
      <label>
        Run of {pipeline.name}
        <select value={watchedRun ?? ""} onChange={(event) => watch(pipeline.id, event.target.value || null)}>
          <option value="">Choose a run…</option>
          {runs.map((item) => (
            <option key={item.dagster_run_id} value={item.dagster_run_id}>
              {item.dagster_run_id.slice(0, 8)} {item.status}
              {item.started_at ? ` ${item.started_at.slice(0, 19).replace("T", " ")}` : ""}
            </option>
          ))}
        </select>
      </label>
      {watchedRun && (
        <>
          <dl className="run-facts" aria-live="polite">
            <dt>Status</dt>
            <dd data-testid="run-status">
              <StatusBadge status={run?.status ?? "QUEUED"} />
            </dd>
            <dt>Extracted</dt>
            <dd>{count(run?.records_extracted)}</dd>
            <dt>Loaded</dt>
            <dd>{count(run?.records_loaded)}</dd>
            <dt>Failed</dt>
            <dd>{count(run?.records_failed)}</dd>
          </dl>
          {run && !ended && progressLine(run.progress) && (
            <p className="run-progress" data-testid="run-progress">
              Running: {progressLine(run.progress)}
            </p>
          )}
          {countEntries(run?.counts, "", SHOWN).length > 0 && (
            <dl className="count-list" aria-label="Run counts" data-testid="run-counts">
              {countEntries(run?.counts, "", SHOWN).map(([label, value]) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          )}
          {skipEntries(run?.counts).length > 0 && (
            <dl className="count-list skip-list" aria-label="What the run skipped" data-testid="run-skips">
              {skipEntries(run?.counts).map(([label, value]) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          )}
          {run?.error && <p className="errors" role="alert">{run.error}</p>}
          {problem && <p className="error" role="alert">{problem}</p>}
          {run && !ended && (
            <button type="button" onClick={() => void cancel()}>
              Cancel run
            </button>
          )}
          <h3 id="run-log-heading">Log {following ? "(following)" : ""}</h3>
          <ol ref={log} className="run-log" role="log" aria-labelledby="run-log-heading" tabIndex={0}>
            {lines.map((entry) => (
              <li key={entry.id}>{entry.line}</li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
