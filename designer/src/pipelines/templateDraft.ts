/**
 * A template as its editor holds it (strategy options as JSON text, date formats one per line), and the
 * API body it becomes. Keys the editor does not show are kept, so a save never loses them.
 */
import { STRATEGIES as API_STRATEGIES } from "../generated/facts";
import type { Artifact, FieldType, Strategy, TemplateField, TemplateInput, Transform } from "./pipelinesApi";

export { FIELD_TYPES, NUMBER_LOCALES, TRANSFORM_KINDS } from "../generated/facts";

/** A new template's strategy, first in the editor's list (PDF tables are what most templates read). */
const DEFAULT_STRATEGY: Strategy = "table_detection";
export const STRATEGIES: readonly Strategy[] = [DEFAULT_STRATEGY, ...API_STRATEGIES.filter((strategy) => strategy !== DEFAULT_STRATEGY)];

/** What a field's selector means, and the options a strategy reads, in the editor's words. */
export const STRATEGY_HELP: Record<Strategy, { selector: string; options: string }> = {
  table_detection: {
    selector: "a column's header text, or its position (#1, #2, …); empty: the field's name",
    options: "table_index, pages, crop, header_rows, stitch, vertical_strategy, horizontal_strategy, …",
  },
  dom_selection: { selector: "a CSS selector (or XPath), relative to each record", options: "record_selector, selector_type (css or xpath)" },
  json_path: { selector: "a JSONPath relative to each record, e.g. $.sku", options: "records_path, e.g. $.items[*]" },
  key_value: { selector: "the label or name of the value", options: "separators (a list, default : = - tab)" },
  ocr_text: { selector: "a regular expression; its first group is the value", options: "lang (eng), dpi (300), psm (6)" },
  ai_extraction: { selector: "a description of the value", options: "see the strategy's documentation" },
};

export interface FieldDraft {
  /** React's key for the row: stays when the field is renamed or rows move. */
  key: string;
  name: string;
  field_type: FieldType;
  selector: string;
  required: boolean;
  transforms: Transform[];
  /** The default as typed: empty means none. */
  defaultText: string;
  /** One format per line (a format may hold a comma). */
  dateFormatsText: string;
  /** Keys of the field the editor does not show. */
  extra: Record<string, unknown>;
}

export interface TemplateDraft {
  name: string;
  description: string;
  extraction_strategy: Strategy;
  /** strategy_config as JSON text. */
  configText: string;
  fields: FieldDraft[];
  enabled: boolean;
  /** expect.min_records as typed: empty means no minimum. */
  minRecordsText: string;
  /** expect.every_page: a record from every page read. */
  everyPage: boolean;
}

let nextKey = 0;
const newKey = () => `field-${(nextKey += 1)}`;

export function emptyField(name = ""): FieldDraft {
  return { key: newKey(), name, field_type: "string", selector: "", required: false, transforms: [], defaultText: "", dateFormatsText: "", extra: {} };
}

function fieldDraft(field: TemplateField): FieldDraft {
  const { name, field_type, selector, required, transforms, default_value, date_formats, ...extra } = field;
  return {
    key: newKey(),
    name,
    field_type: field_type ?? "string",
    selector: selector ?? "",
    required: Boolean(required),
    transforms: transforms ?? [],
    defaultText: default_value === null || default_value === undefined ? "" : typeof default_value === "string" ? default_value : JSON.stringify(default_value),
    dateFormatsText: (date_formats ?? []).join("\n"),
    extra,
  };
}

export function templateDraft(template?: TemplateInput): TemplateDraft {
  if (!template) {
    return { name: "", description: "", extraction_strategy: DEFAULT_STRATEGY, configText: "{}", fields: [emptyField()], enabled: true, minRecordsText: "", everyPage: false };
  }
  return {
    name: template.name,
    description: template.description ?? "",
    extraction_strategy: template.extraction_strategy,
    configText: JSON.stringify(template.strategy_config ?? {}, null, 2),
    fields: template.fields.map(fieldDraft),
    enabled: template.enabled ?? true,
    minRecordsText: template.expect?.min_records == null ? "" : String(template.expect.min_records),
    everyPage: Boolean(template.expect?.every_page),
  };
}

/** The template's `expect`: null when it expects nothing; a minimum that is no whole number goes as typed (the API says why). */
function expectBody(draft: TemplateDraft): TemplateInput["expect"] {
  const text = draft.minRecordsText.trim();
  if (!text && !draft.everyPage) return null;
  const minimum = text === "" ? null : /^\d+$/.test(text) ? Number(text) : (text as unknown as number);
  return { min_records: minimum, every_page: draft.everyPage };
}

/** The strategy options the text holds, or why it holds none (a message for the options' field). */
export function parseConfig(text: string): { config: Record<string, unknown> } | { problem: string } {
  if (!text.trim()) return { config: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `Not JSON: ${(error as Error).message}.` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { problem: 'Must be a JSON object, e.g. {"table_index": 0}.' };
  return { config: value as Record<string, unknown> };
}

function fieldBody(field: FieldDraft): TemplateField {
  const body: TemplateField = {
    ...field.extra,
    name: field.name.trim(),
    field_type: field.field_type,
    selector: field.selector.trim() === "" ? null : field.selector,
    required: field.required,
    transforms: field.transforms.map((transform) =>
      transform.kind === "regex_replace" ? transform : transform.kind === "parse_number" ? { kind: transform.kind, locale: transform.locale ?? "en" } : { kind: transform.kind },
    ),
    date_formats: field.dateFormatsText
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
  };
  if (field.defaultText !== "") body.default_value = field.defaultText;
  return body;
}

/** The API body of a draft, or the problem that stops it (the options are not a JSON object). */
export function templateInput(draft: TemplateDraft): { input: TemplateInput } | { problem: string } {
  const parsed = parseConfig(draft.configText);
  if ("problem" in parsed) return parsed;
  return {
    input: {
      name: draft.name.trim(),
      description: draft.description,
      extraction_strategy: draft.extraction_strategy,
      strategy_config: parsed.config,
      fields: draft.fields.map(fieldBody),
      expect: expectBody(draft),
      enabled: draft.enabled,
    },
  };
}

/** Whether the draft says something else than the saved template (through the same mapping, so no false edits). */
export function isEdited(draft: TemplateDraft, saved: TemplateInput | undefined): boolean {
  const reference = templateDraft(saved);
  const body = (value: TemplateDraft) => {
    const result = templateInput(value);
    return "input" in result ? JSON.stringify(result.input) : `invalid:${value.configText}`;
  };
  return body(draft) !== body(reference);
}

/** Which preview route to call: the saved template's own while the draft is unchanged, else the draft's body. */
export function previewTarget(savedId: number | null, edited: boolean): "saved" | "draft" {
  return savedId !== null && !edited ? "saved" : "draft";
}

/** The media types a strategy reads, best first. */
const READS: Record<Strategy, RegExp> = {
  table_detection: /pdf|html/,
  dom_selection: /html|xml/,
  json_path: /json/,
  key_value: /html|pdf|text/,
  ocr_text: /pdf|image/,
  ai_extraction: /./,
};

/** The artifact a preview starts on: the newest one the strategy can read, else the newest of all. */
export function defaultArtifact(strategy: Strategy, artifacts: Artifact[]): Artifact | null {
  const newest = [...artifacts].sort((a, b) => b.id - a.id);
  return newest.find((artifact) => READS[strategy].test(artifact.media_type)) ?? newest[0] ?? null;
}
