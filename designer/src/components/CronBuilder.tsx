import { CRON_FIELDS, CRON_PRESETS, cronError, cronFields, describeCron, formatRun, nextRuns } from "../cron";

/** A cron expression built from presets or its five fields, read back in words with its next five runs. */
export function CronBuilder({ cron, timezone, onChange }: { cron: string; timezone: string; onChange: (cron: string) => void }) {
  const fields = cronFields(cron) ?? ["", "", "", "", ""];
  const error = cronError(cron);
  const runs = error ? [] : nextRuns(cron, timezone);
  const setField = (index: number, value: string) => onChange(fields.map((field, at) => (at === index ? value.trim() || "*" : field)).join(" "));
  return (
    <fieldset className="cron-builder">
      <legend>When it runs</legend>
      <label>
        Preset
        <select
          name="cron-preset"
          value={CRON_PRESETS.find((preset) => preset.cron === cron)?.cron ?? ""}
          onChange={(event) => event.target.value && onChange(event.target.value)}
        >
          <option value="">Custom</option>
          {CRON_PRESETS.map((preset) => (
            <option key={preset.cron} value={preset.cron}>
              {preset.label}
            </option>
          ))}
        </select>
      </label>
      <div className="cron-fields">
        {CRON_FIELDS.map((name, index) => (
          <label key={name}>
            {name}
            <input name={`cron-${name.replace(/ /g, "-")}`} value={fields[index]} size={6} onChange={(event) => setField(index, event.target.value)} />
          </label>
        ))}
      </div>
      <label>
        Cron expression
        <input name="cron" value={cron} aria-invalid={Boolean(error)} aria-describedby="cron-words" onChange={(event) => onChange(event.target.value)} />
      </label>
      <p id="cron-words" className={error ? "error" : "cron-words"} role={error ? "alert" : undefined}>
        {error ?? describeCron(cron)}
      </p>
      {runs.length > 0 && (
        <div>
          Next runs ({timezone}):
          <ol className="cron-next-runs" aria-label="Next five runs">
            {runs.map((run) => (
              <li key={run.toISOString()}>{formatRun(run, timezone)}</li>
            ))}
          </ol>
        </div>
      )}
    </fieldset>
  );
}
