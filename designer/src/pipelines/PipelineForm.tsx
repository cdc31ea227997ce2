import { useState } from "react";

import { FAILURE_POLICIES, LOAD_STRATEGIES, PIPELINE_DEFAULTS } from "../generated/facts";
import { FieldErrors, GeneralErrors } from "./FieldErrors";
import { ChoiceField, TextField } from "./FormFields";
import { routeHash } from "./pageRoute";
import { useLeaveGuard } from "./leaveGuard";
import { errorCount, isPipelineEdited, pipelineInput, plainOptions } from "./pipelineMapping";
import { type FailurePolicy, type LoadStrategy, type Pipeline, type PipelineInput, pipelinesApi } from "./pipelinesApi";
import { usePipelines } from "./pipelinesStore";
import { describedBy, useFormErrors } from "./useFormErrors";

const FIELDS = ["name", "description", "template_id", "entity_id", "artifact_ids", "load_strategy", "batch_size", "failure_policy", "enabled"] as const;
/** A new pipeline: the API's defaults, nothing picked yet. */
const EMPTY: PipelineInput = { ...PIPELINE_DEFAULTS, name: "", template_id: null, entity_id: null };

/** What to create before a pipeline can be: an entity and a template (links to their sections). */
export function FirstSteps() {
  const { templates, entities, artifacts, loaded } = usePipelines();
  if (!loaded || (templates.length && entities.length && artifacts.length)) return null;
  const steps = [
    !entities.length && { href: routeHash("entities"), text: "an entity (the table records go to)" },
    !templates.length && { href: routeHash("templates", "new"), text: "a template (how to read documents)" },
    !artifacts.length && { href: routeHash("artifacts"), text: "an artifact (a document to read)" },
  ].filter((step): step is { href: string; text: string } => Boolean(step));
  return (
    <div className="hint first-steps" role="note">
      A pipeline reads artifacts with a template into an entity. First create:
      <ol>
        {steps.map((step) => (
          <li key={step.href}>
            <a href={step.href}>{step.text}</a>
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * Create a pipeline from an existing template and entity, or edit one (`editing`); the API's refusals
 * land on their fields.
 */
export function PipelineForm({ editing }: { editing: Pipeline | null }) {
  const { templates, entities, artifacts, refresh, notify, watch, editPipeline } = usePipelines();
  const [initial] = useState<PipelineInput>(() => (editing ? pipelineInput(editing) : EMPTY));
  const [input, setInput] = useState<PipelineInput>(initial);
  const [batchText, setBatchText] = useState(String(input.batch_size));
  const [busy, setBusy] = useState(false);
  const { errors, clear, fail } = useFormErrors(FIELDS);
  const on = errors.byField;
  const change = (values: Partial<PipelineInput>) => setInput((current) => ({ ...current, ...values }));
  const verb = editing ? "saved" : "created";
  const heading = editing ? `Edit pipeline ${editing.name}` : "New pipeline";
  useLeaveGuard(isPipelineEdited(input, batchText, initial) ? (editing ? `the pipeline ${editing.name}` : "the new pipeline") : null);

  function toggleArtifact(id: number, checked: boolean) {
    change({ artifact_ids: checked ? [...input.artifact_ids, id] : input.artifact_ids.filter((item) => item !== id) });
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    clear();
    try {
      const body = { ...input, batch_size: batchText.trim() === "" ? Number.NaN : Number(batchText) };
      const saved = editing ? await pipelinesApi.updatePipeline(editing.id, body) : await pipelinesApi.createPipeline(body);
      await refresh("pipeline");
      notify("info", `${editing ? "Saved" : "Created"} pipeline ${saved.name}.`);
      if (editing) {
        editPipeline(null);
      } else {
        watch(saved.id, null);
        setInput(EMPTY);
        setBatchText(String(EMPTY.batch_size));
      }
    } catch (error) {
      const count = errorCount(fail(error));
      notify("error", `The pipeline was not ${verb}: ${count} problem${count === 1 ? "" : "s"}, shown on the form.`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="pipeline-form" aria-labelledby="pipeline-form-heading" onSubmit={submit} noValidate>
      <h2 id="pipeline-form-heading">{heading}</h2>
      {!editing && <FirstSteps />}
      <TextField label="Name" name="name" value={input.name} errors={on.name} onText={(name) => change({ name })} />
      <TextField label="Description" name="description" value={input.description} errors={on.description} onText={(description) => change({ description })} />
      <ChoiceField
        label="Template"
        name="template_id"
        value={String(input.template_id ?? "")}
        placeholder="Choose a template…"
        options={templates.map((template) => ({ value: String(template.id), text: `${template.name} (${template.extraction_strategy}, ${template.fields.length} fields)` }))}
        errors={on.template_id}
        onChoose={(id) => change({ template_id: id ? Number(id) : null })}
      />
      <ChoiceField
        label="Entity"
        name="entity_id"
        value={String(input.entity_id ?? "")}
        placeholder="Choose an entity…"
        options={entities.map((entity) => ({ value: String(entity.id), text: `${entity.name} (${entity.schema_name}.${entity.table_name})` }))}
        errors={on.entity_id}
        onChoose={(id) => change({ entity_id: id ? Number(id) : null })}
      />
      <fieldset {...describedBy("pipeline-artifacts-error", on.artifact_ids)}>
        <legend>Artifacts</legend>
        {artifacts.length === 0 && (
          <p className="hint">
            No artifacts yet: <a href={routeHash("artifacts")}>register one</a>.
          </p>
        )}
        {artifacts.map((artifact) => (
          <label key={artifact.id} className="check">
            <input
              type="checkbox"
              name="artifact_ids"
              value={artifact.id}
              checked={input.artifact_ids.includes(artifact.id)}
              onChange={(event) => toggleArtifact(artifact.id, event.target.checked)}
            />
            {artifact.name} <span className="hint">({artifact.media_type}{artifact.stored ? ", uploaded" : `, ${artifact.location}`})</span>
          </label>
        ))}
        <FieldErrors id="pipeline-artifacts-error" messages={on.artifact_ids} />
      </fieldset>
      <ChoiceField
        label="Load strategy"
        name="load_strategy"
        value={input.load_strategy}
        options={plainOptions(LOAD_STRATEGIES)}
        errors={on.load_strategy}
        onChoose={(strategy) => change({ load_strategy: strategy as LoadStrategy })}
      />
      <TextField label="Batch size" name="batch_size" inputMode="numeric" value={batchText} errors={on.batch_size} onText={setBatchText} />
      <ChoiceField
        label="Failure policy"
        name="failure_policy"
        value={input.failure_policy}
        options={plainOptions(FAILURE_POLICIES)}
        errors={on.failure_policy}
        onChoose={(policy) => change({ failure_policy: policy as FailurePolicy })}
      />
      <label className="check">
        <input type="checkbox" name="enabled" checked={input.enabled} onChange={(event) => change({ enabled: event.target.checked })} />
        Enabled
      </label>
      <GeneralErrors label="Other problems with the pipeline" messages={errors.general} />
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : editing ? "Save pipeline" : "Create pipeline"}
        </button>
        {editing && (
          <button type="button" onClick={() => editPipeline(null)}>
            Cancel editing
          </button>
        )}
      </div>
    </form>
  );
}
