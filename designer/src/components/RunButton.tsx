import { useEffect, useState } from "react";

import { api, type RunState } from "../api";
import { useLive } from "../liveState";
import { isFinished } from "../pipelines/pipelineMapping";
import { messageOf, useDesigner } from "../store";

const runRoute = api.canRun();
const POLL_MS = 1500;
/** The live state is refreshed this often while the tab is visible (the "live, within 2 s"): runs launched
 * elsewhere show up too. The API answers from a cache of 1 s shared by every tab. */
const LIVE_REFRESH_MS = 2_000;

/**
 * Materializes the location's pipeline, or the assets picked on the canvas, through the platform; follows
 * the run's status and links to its page in the Dagster UI. Keyed by location: a new location starts afresh.
 */
export function RunButton() {
  const location = useDesigner((state) => state.location);
  const picked = useLive((state) => state.picked);
  const [run, setRun] = useState<RunState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [available, setAvailable] = useState(false);

  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    useLive.getState().reset(location);
    runRoute.then((yes) => {
      if (!live) return;
      setAvailable(yes);
      if (!yes) return;
      void useLive.getState().load();
      timer = window.setInterval(() => {
        if (document.visibilityState === "visible") void useLive.getState().load();
      }, LIVE_REFRESH_MS);
    });
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [location]);

  useEffect(() => {
    if (!location || !run || isFinished(run.status)) return;
    const timer = window.setTimeout(async () => {
      try {
        const next = await api.runStatus(location, run.runId);
        setRun(next);
        if (isFinished(next.status)) void useLive.getState().load();
      } catch (caught) {
        setError(messageOf(caught));
      }
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [location, run]);

  async function start() {
    if (!location) return;
    setError(null);
    try {
      setRun(await api.run(location, picked));
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  if (!available) return null;
  const running = run !== null && !isFinished(run.status);
  const label = picked.length ? `Run ${picked.length} selected` : "Run pipeline";
  return (
    <span className="run">
      <button
        type="button"
        onClick={() => void start()}
        disabled={!location || running}
        title={picked.length ? `Materialize ${picked.join(", ")}` : "Materialize the location's pipeline job"}
      >
        {label}
      </button>
      <span role="status" className={error ? "error" : ""} data-testid="run-status">
        {error ? `Run failed to start: ${error}` : run ? `Run ${run.runId.slice(0, 8)}: ${run.status}` : ""}
        {run?.url && (
          <>
            {" "}
            <a href={run.url} target="_blank" rel="noreferrer">
              open in Dagster
            </a>
          </>
        )}
      </span>
    </span>
  );
}
