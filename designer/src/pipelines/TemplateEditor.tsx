import { useState } from "react";

import { ApiError } from "../api";
import { messageOf } from "../store";
import { DeleteButton } from "./DeleteButton";
import { FieldErrors, GeneralErrors } from "./FieldErrors";
import { ChoiceField, TextField } from "./FormFields";
import { navigateWithoutAsking, useLeaveGuard } from "./leaveGuard";
import { routeHash } from "./pageRoute";
import { errorCount, plainOptions, usedBy } from "./pipelineMapping";
import { pipelinesApi, type Template, type TemplateInput } from "./pipelinesApi";
import { usePipelines } from "./pipelinesStore";
import { PreviewPanel } from "./PreviewPanel";
import { TemplateFieldsEditor } from "./TemplateFieldsEditor";
import { defaultArtifact, isEdited, previewTarget, STRATEGIES, STRATEGY_HELP, type TemplateDraft, templateDraft, templateInput } from "./templateDraft";
import { describedBy, useFormErrors } from "./useFormErrors";
import { useLivePreview } from "./useLivePreview";

const FIELDS = ["name", "description", "extraction_strategy", "strategy_config", "fields", "expect", "enabled"] as const;
/** The name an unsaved template is previewed under while its own is still empty. */
const UNNAMED = "unsaved template";

/** The template as the preview reads it: an empty name is no reason not to preview. */
function previewBody(input: TemplateInput): TemplateInput {
  return input.name ? input : { ...input, name: UNNAMED };
}

/** A template's form beside its live preview on an artifact; saving creates or updates it. */
export function TemplateEditor({ saved }: { saved: Template | null }) {
  const { artifacts, pipelines, previewArtifact, choosePreviewArtifact, refresh, notify, remove } = usePipelines();
  const [draft, setDraft] = useState<TemplateDraft>(() => templateDraft(saved ?? undefined));
  const [busy, setBusy] = useState(false);
  const { errors, clear, fail } = useFormErrors(FIELDS);
  const on = errors.byField;
  const change = (values: Partial<TemplateDraft>) => setDraft((current) => ({ ...current, ...values }));
  const edited = isEdited(draft, saved ?? undefined);
  useLeaveGuard(edited ? (saved ? `the template ${saved.name}` : "the new template") : null);
  const help = STRATEGY_HELP[draft.extraction_strategy];
  const fieldNames = () => draft.fields.map((field) => field.name.trim());

  const artifact = artifacts.find((item) => item.id === previewArtifact) ?? defaultArtifact(draft.extraction_strategy, artifacts);
  const body = templateInput(draft);
  const configProblem = "problem" in body ? body.problem : null;
  const target = previewTarget(saved?.id ?? null, edited);
  const previewKey = artifact && "input" in body ? JSON.stringify([target, artifact.id, target === "draft" ? body.input : saved?.id]) : null;
  const live = useLivePreview(
    previewKey,
    () => {
      if (!artifact || !("input" in body)) return Promise.reject(new Error("nothing to preview"));
      return target === "saved" && saved ? pipelinesApi.preview(saved.id, artifact.id) : pipelinesApi.previewDraft(previewBody(body.input), artifact.id);
    },
    (failure) => {
      // the preview checks the template as a save does: its refusals belong on the form's fields
      if (failure instanceof ApiError && failure.status === 422) fail(failure, { fields: fieldNames() });
      else if (!failure) clear();
    },
  );
  const refusedTemplate = live.failure instanceof ApiError && live.failure.status === 422;
  const problem = configProblem
    ? "Fix the strategy options (not a JSON object) to preview."
    : refusedTemplate
      ? "The template has problems (shown on the form): the preview shows the last one that could be read."
      : live.failure
        ? `The preview failed: ${messageOf(live.failure)}`
        : null;

  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (!("input" in body)) return;
    setBusy(true);
    clear();
    try {
      const result = saved ? await pipelinesApi.updateTemplate(saved.id, body.input) : await pipelinesApi.createTemplate(body.input);
      await refresh("template");
      notify("info", `${saved ? "Saved" : "Created"} template ${result.name}.`);
      if (!saved) navigateWithoutAsking(routeHash("templates", result.id));
    } catch (error) {
      const count = errorCount(fail(error, { fields: fieldNames() }));
      notify("error", `The template was not ${saved ? "saved" : "created"}: ${count} problem${count === 1 ? "" : "s"}, shown on the form.`);
    } finally {
      setBusy(false);
    }
  }

  const users = saved ? usedBy(pipelines, "template", saved.id) : [];
  return (
    <div className="template-editor">
      <form className="record-form template-form" aria-labelledby="template-form-heading" onSubmit={save} noValidate>
        <div className="section-head">
          <h2 id="template-form-heading">{saved ? `Template ${saved.name}` : "New template"}</h2>
          {edited && <span className="unsaved">unsaved changes</span>}
          <span className="spacer" />
          <a href={routeHash("templates")}>All templates</a>
        </div>
        <TextField label="Name" name="template-name" value={draft.name} errors={on.name} onText={(name) => change({ name })} />
        <TextField label="Description" name="template-description" value={draft.description} errors={on.description} onText={(description) => change({ description })} />
        <ChoiceField
          label="Strategy"
          name="extraction_strategy"
          value={draft.extraction_strategy}
          options={plainOptions(STRATEGIES)}
          errors={on.extraction_strategy}
          onChoose={(strategy) => change({ extraction_strategy: strategy as TemplateDraft["extraction_strategy"] })}
        />
        <div className="field">
          <label htmlFor="field-strategy_config">Strategy options (JSON)</label>
          <textarea
            id="field-strategy_config"
            rows={4}
            spellCheck={false}
            value={draft.configText}
            onChange={(event) => change({ configText: event.target.value })}
            {...describedBy("field-strategy_config-error", configProblem ? [configProblem] : on.strategy_config)}
          />
          <span className="hint">Options of {draft.extraction_strategy}: {help.options}.</span>
          <FieldErrors id="field-strategy_config-error" messages={configProblem ? [configProblem] : on.strategy_config} />
        </div>
        <fieldset {...describedBy("template-fields-error", on.fields)}>
          <legend>Fields</legend>
          <p className="hint">Selector: {help.selector}.</p>
          <TemplateFieldsEditor fields={draft.fields} selectorHelp={help.selector} nameIsSelector={draft.extraction_strategy === "table_detection"} errors={errors.rows.fields ?? {}} onChange={(fields) => change({ fields })} />
          <FieldErrors id="template-fields-error" messages={on.fields} />
        </fieldset>
        <fieldset {...describedBy("template-expect-error", on.expect)}>
          <legend>Each document must yield</legend>
          <div className="field-pair">
            <TextField
              label="At least this many records"
              name="min_records"
              inputMode="numeric"
              value={draft.minRecordsText}
              placeholder="no minimum"
              onText={(minRecordsText) => change({ minRecordsText })}
            />
            <label className="check">
              <input type="checkbox" name="every_page" checked={draft.everyPage} onChange={(event) => change({ everyPage: event.target.checked })} />A record from every page read (PDF)
            </label>
          </div>
          <span className="hint">Else the run fails the document (fail_fast) or counts it as failed (continue).</span>
          <FieldErrors id="template-expect-error" messages={on.expect} />
        </fieldset>
        <label className="check">
          <input type="checkbox" name="template-enabled" checked={draft.enabled} onChange={(event) => change({ enabled: event.target.checked })} />
          Enabled (the pipelines of a disabled template are not launched)
        </label>
        <GeneralErrors label="Other problems with the template" messages={errors.general} />
        <div className="form-actions">
          <button type="submit" disabled={busy || Boolean(configProblem)}>
            {busy ? "Saving…" : saved ? "Save template" : "Create template"}
          </button>
          {saved && (
            <DeleteButton
              what={saved.name}
              warning={users.length ? `Used by ${users.join(", ")}: delete or change them first.` : undefined}
              onDelete={async () => {
                if (await remove("template", saved.id, saved.name)) navigateWithoutAsking(routeHash("templates"));
              }}
            />
          )}
        </div>
      </form>
      <PreviewPanel
        key={artifact?.id ?? "none"}
        artifacts={artifacts}
        artifactId={artifact?.id ?? null}
        onArtifact={choosePreviewArtifact}
        preview={live.preview}
        pending={live.pending}
        problem={problem}
        fieldNames={fieldNames()}
      />
    </div>
  );
}

/** The editor of the template the route names, once the templates are loaded (or "no such template"). */
export function TemplateEditorRoute({ template }: { template: number | "new" }) {
  const { templates, loaded } = usePipelines();
  if (template === "new") return <TemplateEditor key="new" saved={null} />;
  if (!loaded) return <p role="status">Loading the template…</p>;
  const saved = templates.find((item) => item.id === template);
  if (!saved) {
    return (
      <p className="errors" role="alert">
        There is no template with id {template}. <a href={routeHash("templates")}>All templates</a>
      </p>
    );
  }
  return <TemplateEditor key={saved.id} saved={saved} />;
}
