import { Panel } from "@xyflow/react";
import { useState } from "react";

import { useLineage } from "../lineageStore";
import { definitionNameError } from "../names";
import { useDesigner } from "../store";
import { ScheduleDialog, SensorDialog } from "./PrimitiveDialogs";

/** The selected drawn dependency, with the button that removes its post-processing rule. */
function SelectedEdgeBar() {
  const edge = useLineage((state) => state.selectedEdge);
  const busy = useLineage((state) => state.busy);
  if (!edge) return null;
  return (
    <div className="lineage-bar" role="group" aria-label="Selected dependency">
      <span>
        {edge.source} → {edge.target} (drawn)
      </span>
      <button type="button" disabled={busy} onClick={() => void useLineage.getState().removeSelected()}>
        Remove dependency
      </button>
      <button type="button" onClick={() => useLineage.getState().selectEdge(null)}>
        Keep
      </button>
    </div>
  );
}

/** Picking assets on the canvas (their checkboxes), then naming the job that materializes them. */
function JobPicker() {
  const picked = useLineage((state) => state.picked);
  const busy = useLineage((state) => state.busy);
  const definitions = useLineage((state) => state.definitions);
  const taken = [...definitions.jobs, ...definitions.schedules, ...definitions.sensors].map((item) => item.name);
  const instances = useDesigner((state) => state.instances);
  const [name, setName] = useState("");
  const problem = definitionNameError(name, [...taken, ...instances.map((item) => item.path)]) ?? (picked.length ? null : "Pick assets on the canvas.");

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!problem && (await useLineage.getState().createJob(name))) setName("");
  }

  return (
    <form className="job-picker" onSubmit={submit} aria-label="New job">
      <p>
        {picked.length} asset{picked.length === 1 ? "" : "s"} picked: tick them on the canvas.
      </p>
      <label>
        Job name
        <input name="job-name" value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <p className="error" role="alert">
        {name || picked.length ? (problem ?? "") : ""}
      </p>
      <div className="actions">
        <button type="button" onClick={() => useLineage.getState().stopPicking()}>
          Cancel
        </button>
        <button type="submit" disabled={busy || Boolean(problem)}>
          {busy ? "Saving…" : "Create job"}
        </button>
      </div>
    </form>
  );
}

/** The location's jobs, schedules and sensors, and the buttons that add them. */
export function LineagePanel() {
  const location = useDesigner((state) => state.location);
  const definitions = useLineage((state) => state.definitions);
  const picking = useLineage((state) => state.picking);
  const [dialog, setDialog] = useState<"schedule" | "sensor" | null>(null);
  if (!location) return null;
  return (
    <>
      <Panel position="top-left" className="primitives-panel">
        <section aria-label="Jobs, schedules and sensors">
          <h2>Jobs &amp; schedules</h2>
          <ul className="primitives-list">
            {definitions.jobs.map((job) => (
              <li key={`job:${job.name}`}>job {job.name}</li>
            ))}
            {definitions.schedules.map((schedule) => (
              <li key={`schedule:${schedule.name}`}>
                schedule {schedule.name} <code>{schedule.cron_schedule}</code>
              </li>
            ))}
            {definitions.sensors.map((sensor) => (
              <li key={`sensor:${sensor.name}`}>sensor {sensor.name}</li>
            ))}
          </ul>
          {picking ? (
            <JobPicker />
          ) : (
            <div className="actions">
              <button type="button" onClick={() => useLineage.getState().startPicking()}>
                New job…
              </button>
              <button type="button" onClick={() => setDialog("schedule")} disabled={!definitions.jobs.length} title={definitions.jobs.length ? "" : "Create a job first"}>
                New schedule…
              </button>
              <button type="button" onClick={() => setDialog("sensor")} disabled={!definitions.jobs.length} title={definitions.jobs.length ? "" : "Create a job first"}>
                New sensor…
              </button>
            </div>
          )}
        </section>
      </Panel>
      <Panel position="top-center">
        <SelectedEdgeBar />
      </Panel>
      <ScheduleDialog open={dialog === "schedule"} onClose={() => setDialog(null)} />
      <SensorDialog open={dialog === "sensor"} onClose={() => setDialog(null)} />
    </>
  );
}
