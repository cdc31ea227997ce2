import { useState } from "react";

import { cronError } from "../cron";
import { useLineage } from "../lineageStore";
import { definitionNameError } from "../names";
import { useDesigner } from "../store";
import { CronBuilder } from "./CronBuilder";
import { Dialog } from "./Dialog";

function useTakenNames(): string[] {
  const definitions = useLineage((state) => state.definitions);
  const instances = useDesigner((state) => state.instances);
  return [...definitions.jobs, ...definitions.schedules, ...definitions.sensors].map((item) => item.name).concat(instances.map((item) => item.path));
}

function Actions({ busy, disabled, label, onClose }: { busy: boolean; disabled: boolean; label: string; onClose: () => void }) {
  return (
    <div className="actions">
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <button type="submit" disabled={busy || disabled}>
        {busy ? "Saving…" : label}
      </button>
    </div>
  );
}

function JobSelect({ job, setJob }: { job: string; setJob: (job: string) => void }) {
  const jobs = useLineage((state) => state.definitions.jobs);
  return (
    <label>
      Job
      <select name="job" value={job} onChange={(event) => setJob(event.target.value)}>
        <option value="">Choose a job</option>
        {jobs.map((item) => (
          <option key={item.name}>{item.name}</option>
        ))}
      </select>
    </label>
  );
}

function ScheduleForm({ onClose }: { onClose: () => void }) {
  const createSchedule = useLineage((state) => state.createSchedule);
  const busy = useLineage((state) => state.busy);
  const taken = useTakenNames();
  const [name, setName] = useState("");
  const [job, setJob] = useState(() => useLineage.getState().definitions.jobs[0]?.name ?? "");
  const [cron, setCron] = useState("0 6 * * *");
  const [timezone, setTimezone] = useState("UTC");
  const [error, setError] = useState<string | null>(null);
  const problem = definitionNameError(name, taken) ?? (job ? null : "Choose the job it launches.") ?? cronError(cron);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (problem) return;
    const refused = await createSchedule({ name, job, cron, timezone });
    if (refused) setError(refused);
    else onClose();
  }

  return (
    <form onSubmit={submit}>
      <label>
        Name
        <input name="schedule-name" value={name} autoFocus onChange={(event) => setName(event.target.value)} />
      </label>
      <JobSelect job={job} setJob={setJob} />
      <label>
        Time zone
        <input name="timezone" value={timezone} onChange={(event) => setTimezone(event.target.value)} />
      </label>
      <CronBuilder cron={cron} timezone={safeZone(timezone)} onChange={setCron} />
      <p className="error" role="alert">
        {error ?? (name ? problem : "") ?? ""}
      </p>
      <Actions busy={busy} disabled={Boolean(problem)} label="Create schedule" onClose={onClose} />
    </form>
  );
}

/** The time zone if the browser knows it, else UTC (the server names a wrong one on save). */
function safeZone(timezone: string): string {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
    return timezone;
  } catch {
    return "UTC";
  }
}

function SensorForm({ onClose }: { onClose: () => void }) {
  const createSensor = useLineage((state) => state.createSensor);
  const busy = useLineage((state) => state.busy);
  const assets = useDesigner((state) => state.assets);
  const taken = useTakenNames();
  const [name, setName] = useState("");
  const [asset, setAsset] = useState(assets[0]?.key ?? "");
  const [job, setJob] = useState(() => useLineage.getState().definitions.jobs[0]?.name ?? "");
  const [error, setError] = useState<string | null>(null);
  const problem = definitionNameError(name, taken) ?? (asset && job ? null : "Choose the asset it watches and the job it launches.");

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (problem) return;
    const refused = await createSensor(name, asset, job);
    if (refused) setError(refused);
    else onClose();
  }

  return (
    <form onSubmit={submit}>
      <p>Launches the job after each new materialization of the asset.</p>
      <label>
        Name
        <input name="sensor-name" value={name} autoFocus onChange={(event) => setName(event.target.value)} />
      </label>
      <label>
        Asset
        <select name="sensor-asset" value={asset} onChange={(event) => setAsset(event.target.value)}>
          {assets.map((item) => (
            <option key={item.key}>{item.key}</option>
          ))}
        </select>
      </label>
      <JobSelect job={job} setJob={setJob} />
      <p className="error" role="alert">
        {error ?? (name ? problem : "") ?? ""}
      </p>
      <Actions busy={busy} disabled={Boolean(problem)} label="Create sensor" onClose={onClose} />
    </form>
  );
}

export function ScheduleDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog title="New schedule" open={open} onClose={onClose}>
      <ScheduleForm onClose={onClose} />
    </Dialog>
  );
}

export function SensorDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog title="New sensor" open={open} onClose={onClose}>
      <SensorForm onClose={onClose} />
    </Dialog>
  );
}
