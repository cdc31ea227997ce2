import { useEffect, useState } from "react";

import { api, type RunState } from "../api";
import { messageOf, useDesigner } from "../store";

const FINISHED = new Set(["SUCCESS", "FAILURE", "CANCELED"]);
const runRoute = api.canRun();

/** Materializes the location's pipeline through the platform and follows the run's status (keyed by location). */
export function RunButton() {
  const location = useDesigner((state) => state.location);
  const [run, setRun] = useState<RunState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [available, setAvailable] = useState(false);

  useEffect(() => {
    let live = true;
    runRoute.then((yes) => live && setAvailable(yes));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!location || !run || FINISHED.has(run.status)) return;
    const timer = window.setTimeout(async () => {
      try {
        setRun(await api.runStatus(location, run.runId));
      } catch (caught) {
        setError(messageOf(caught));
      }
    }, 2000);
    return () => window.clearTimeout(timer);
  }, [location, run]);

  async function start() {
    if (!location) return;
    setError(null);
    try {
      setRun(await api.run(location));
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  if (!available) return null;
  return (
    <span className="run">
      <button type="button" onClick={() => void start()} disabled={!location || (run !== null && !FINISHED.has(run.status))}>
        Run
      </button>
      <span role="status" className={error ? "error" : ""}>
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
