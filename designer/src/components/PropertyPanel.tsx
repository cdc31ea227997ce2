import Form from "@rjsf/core";
import type { ErrorSchema, RegistryWidgetsType, RJSFSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import YAML from "yaml";

import { api, type ComponentInstance, type JsonSchema } from "../api";
import { ownerPath } from "../graph";
import { useInstanceAction } from "../instanceActions";
import {
  attributePath,
  attributesSchema,
  ENUM_OR_TEMPLATE_WIDGET,
  errorSchemaFor,
  plainMessage,
  pruneEmpty,
  suggestionProblems,
  uiSchemaFor,
} from "../schemaForm";
import { messageOf, unsavedPaths, useDesigner } from "../store";
import { AssetTable } from "./AssetTable";
import { EnumOrTemplateWidget } from "./EnumOrTemplateWidget";
import { EnvHelper } from "./EnvHelper";

const YamlEditor = lazy(() => import("./YamlEditor"));

const widgets: RegistryWidgetsType = { [ENUM_OR_TEMPLATE_WIDGET]: EnumOrTemplateWidget };

const schemaCache = new Map<string, Promise<JsonSchema | undefined>>();

function useTypeSchema(type: string): { schema: JsonSchema | undefined; error: string | null } {
  const fromCatalog = useDesigner((state) => state.catalog.find((item) => item.key === type)?.schema);
  const [loaded, setLoaded] = useState<{ type: string; schema?: JsonSchema; error?: string } | null>(null);
  useEffect(() => {
    if (fromCatalog) return;
    let live = true;
    if (!schemaCache.has(type)) schemaCache.set(type, api.component(type).then((item) => item.schema));
    schemaCache.get(type)!.then(
      (schema) => live && setLoaded({ type, schema }),
      (error) => {
        schemaCache.delete(type);
        if (live) setLoaded({ type, error: messageOf(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [type, fromCatalog]);
  if (fromCatalog) return { schema: fromCatalog, error: null };
  return loaded?.type === type ? { schema: loaded.schema, error: loaded.error ?? null } : { schema: undefined, error: null };
}

type Tab = "form" | "yaml" | "assets";

function InstancePanel({ instance }: { instance: ComponentInstance }) {
  const { drafts, edit, save, saving, errors, setErrors, assets, instances, location } = useDesigner();
  const { schema: rawSchema, error: schemaError } = useTypeSchema(instance.type);
  const schema = useMemo(() => attributesSchema(rawSchema), [rawSchema]);
  const uiSchema = useMemo(() => uiSchemaFor(schema), [schema]);
  const formData = drafts[instance.path] ?? instance.attributes;
  const instanceErrors = useMemo(() => errors[instance.path] ?? [], [errors, instance.path]);
  const extraErrors = useMemo(() => errorSchemaFor(instanceErrors) as ErrorSchema, [instanceErrors]);
  const [tab, setTab] = useState<Tab>("form");
  const general = instanceErrors.filter((item) => tab !== "form" || !attributePath(item.path, item.message).length);
  // the text being typed, kept while it matches the attributes it parsed to (undo or a form edit resets it)
  const [yamlDraft, setYamlDraft] = useState<{ text: string; basis: string } | null>(null);
  const basis = JSON.stringify(formData);
  const yamlText = yamlDraft?.basis === basis ? yamlDraft.text : YAML.stringify(formData);
  const [yamlError, setYamlError] = useState<string | null>(null);
  const dirty = unsavedPaths({ drafts, instances }).has(instance.path);
  const ownAssets = assets.filter((asset) => ownerPath(asset, instances.map((item) => item.path)) === instance.path);
  const textFields = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)
    .filter(([, property]) => property.type === "string")
    .map(([key]) => key);

  // The API validates against the type's own schema before writing; this adds what that schema lets
  // through but the component refuses (a value outside "one of these, or a template").
  async function onSave() {
    const problems = suggestionProblems(schema, formData);
    if (problems.length) {
      setErrors(instance.path, problems);
      useDesigner.getState().notify("error", `Not saved: ${instance.path} has ${problems.length} error(s), shown on the fields.`);
      return;
    }
    await save(instance.path, formData as Record<string, unknown>);
  }

  return (
    <div className="instance-panel">
      <h2>
        {instance.path} {dirty && <span title="Unsaved changes">●</span>}
      </h2>
      <p className="instance-type">
        <code>{instance.type}</code>
      </p>
      {!instance.unwritten && <InstanceActions path={instance.path} />}
      <div role="tablist" aria-label="Property views">
        {(["form", "yaml", "assets"] as Tab[]).map((name) => (
          <button key={name} type="button" role="tab" aria-selected={tab === name} onClick={() => setTab(name)}>
            {name === "form" ? "Form" : name === "yaml" ? "YAML" : `Assets (${ownAssets.length})`}
          </button>
        ))}
      </div>
      {general.length > 0 && (
        <ul className="errors" role="alert" aria-label="Errors">
          {general.map((item, index) => (
            <li key={index}>
              {attributePath(item.path, item.message).length > 0 && <code>{attributePath(item.path, item.message).join(".")}: </code>}
              {plainMessage(item.message)}
              {item.file && (
                <small>
                  {" "}
                  ({item.file}
                  {item.line ? `:${item.line}` : ""})
                </small>
              )}
            </li>
          ))}
        </ul>
      )}
      {instance.unwritten && (
        <p className="hint" role="status">
          Not written yet: Save checks it and adds it to the location; Discard removes it.
        </p>
      )}
      {instance.error && <p className="error">This component's file cannot be read: {instance.error}</p>}
      {schemaError && <p className="error">The form could not be built: {schemaError}. The YAML tab still works.</p>}
      {tab === "form" && (
        <>
          <Form
            schema={schema as RJSFSchema}
            uiSchema={uiSchema}
            widgets={widgets}
            formData={formData}
            validator={validator}
            noValidate
            extraErrors={extraErrors}
            showErrorList={false}
            noHtml5Validate
            idPrefix="attr"
            onChange={(event) => edit(instance.path, (pruneEmpty(event.formData) ?? {}) as Record<string, unknown>)}
          />
          {textFields.length > 0 && (
            <EnvHelper fields={textFields} onInsert={(field, value) => edit(instance.path, { ...(formData as object), [field]: value })} />
          )}
        </>
      )}
      {tab === "yaml" && (
        <Suspense fallback={<p>Loading the editor…</p>}>
          <YamlEditor
            label={`Attributes of ${instance.path} as YAML`}
            value={yamlText}
            onChange={(text) => {
              try {
                const parsed = YAML.parse(text) ?? {};
                if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the attributes must be a mapping");
                setYamlError(null);
                setYamlDraft({ text, basis: JSON.stringify(parsed) });
                edit(instance.path, parsed as Record<string, unknown>);
              } catch (error) {
                setYamlDraft({ text, basis });
                setYamlError(`This is not valid YAML: ${messageOf(error)}`);
              }
            }}
          />
          {yamlError && (
            <p className="error" role="alert">
              {yamlError}
            </p>
          )}
        </Suspense>
      )}
      {tab === "assets" && <AssetTable assets={ownAssets} />}
      <div className="actions panel-actions">
        <button type="button" onClick={() => void onSave()} disabled={saving || Boolean(yamlError) || !location}>
          {saving ? "Saving…" : "Save"}
        </button>
        <button type="button" disabled={!dirty} onClick={() => useDesigner.getState().discard(instance.path)}>
          {instance.unwritten ? "Discard" : "Discard changes"}
        </button>
      </div>
    </div>
  );
}

/** Rename, duplicate and delete: each opens its dialog (InstanceActionDialog), the write is checked by the API. */
function InstanceActions({ path }: { path: string }) {
  const ask = useInstanceAction((state) => state.ask);
  return (
    <div className="actions instance-actions" role="group" aria-label="Component actions">
      <button type="button" onClick={() => ask("rename", path)}>
        Rename…
      </button>
      <button type="button" onClick={() => ask("duplicate", path)}>
        Duplicate…
      </button>
      <button type="button" className="danger" onClick={() => ask("delete", path)} aria-keyshortcuts="Delete" title="Delete (Delete key on the canvas)">
        Delete…
      </button>
    </div>
  );
}

export function PropertyPanel() {
  const { instances, selected, assets, location } = useDesigner();
  const instance = instances.find((item) => item.path === selected);
  return (
    <aside className="panel" aria-label="Properties">
      {instance ? (
        <InstancePanel key={instance.path} instance={instance} />
      ) : location ? (
        <>
          <h2>Assets of {location}</h2>
          <p>Select a component on the canvas to edit it.</p>
          <AssetTable assets={assets} />
        </>
      ) : (
        <p>No location open.</p>
      )}
    </aside>
  );
}
