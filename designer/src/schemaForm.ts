/**
 * From a component type's defs.yaml JSON Schema (as `dg utils inspect-component` prints it) to what
 * the property form renders. Dagster's schemas let every field also take a template string, so most
 * fields are `anyOf: [<real type>, {type: string}]` or `anyOf: [X, null]`; a form of "Option 1 /
 * Option 2" pickers would be unusable, so each is reduced to its real type. Template strings still
 * fit: an enum that also takes a string keeps its choices under ENUM_OR_TEMPLATE, and its widget
 * (EnumOrTemplateWidget) is a select of them with a way to type a `{{ template }}` instead.
 */
import type { JsonSchema } from "./api";

type Schema = Record<string, unknown>;

export const UNSET_DEFAULT = "__DAGSTER_UNSET_DEFAULT__";
/** Where a simplified schema keeps a field's default (shown as its placeholder). */
export const DEFAULT_HINT = "x-default";
/** Where a simplified schema keeps the choices of a field that is "one of these, or a template". */
export const ENUM_OR_TEMPLATE = "x-enum-or-template";
/** The name the form registers EnumOrTemplateWidget under (rjsf's `widgets`). */
export const ENUM_OR_TEMPLATE_WIDGET = "enumOrTemplate";

/** The `attributes` part of a defs.yaml schema, with `$defs` carried along so `$ref`s still resolve. */
export function attributesSchema(defsSchema: JsonSchema | undefined): Schema {
  if (!defsSchema) return { type: "object", properties: {} };
  const properties = (defsSchema.properties ?? {}) as Record<string, Schema>;
  const attributes = properties.attributes ?? (defsSchema.type === "object" && !properties.type ? defsSchema : undefined);
  if (!attributes) return { type: "object", properties: {} };
  // Dagster nests the attributes' own models (a component's nested pydantic models) in their `$defs`
  const defs = { ...((defsSchema.$defs ?? defsSchema.definitions) as Schema | undefined), ...(attributes.$defs as Schema | undefined) };
  const simplified = simplify(attributes, defs, 0) as Schema;
  delete simplified.title; // the panel names the instance already
  return simplified;
}

function resolveRef(schema: Schema, defs: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.split("/").pop() ?? "";
  const target = defs[name] as Schema | undefined;
  const rest = { ...schema };
  delete rest.$ref;
  return target ? { ...target, ...rest } : rest;
}

function isNull(schema: Schema): boolean {
  return schema.type === "null";
}

function isPlainString(schema: Schema): boolean {
  return schema.type === "string" && !schema.enum && !schema.format && !schema.pattern;
}

function isNumber(schema: Schema): boolean {
  return (schema.type === "integer" || schema.type === "number") && Object.keys(schema).every((key) => key === "type" || key === "title");
}

/** Reduce one schema node; depth guards recursive `$defs`. */
export function simplify(input: unknown, defs: Schema, depth: number): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  if (depth > 12) return { type: "object" };
  let schema = resolveRef(input as Schema, defs);
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(variants)) {
    const resolved = variants.map((variant) => resolveRef(variant, defs));
    const nonNull = resolved.filter((variant) => !isNull(variant));
    const real = nonNull.filter((variant) => !isPlainString(variant));
    const rest = { ...schema };
    delete rest.anyOf;
    delete rest.oneOf;
    if (real.length === 1) {
      // [X, string] or [X, null] or [X, string, null]: X, still accepting a template string where X is an
      // enum and a plain string is one of the variants (an enum or null alone stays an enum: rjsf's select)
      const [only] = real;
      if (Array.isArray(only.enum) && only.type === "string" && nonNull.length > real.length) {
        schema = { ...rest, type: "string", [ENUM_OR_TEMPLATE]: only.enum };
      } else {
        schema = { ...only, ...rest }; // the field's own title and description over its model's
      }
    } else if (nonNull.length === 1) {
      schema = { ...nonNull[0], ...rest };
    } else if (real.length > 1 && real.every(isNumber)) {
      // `int | float | str` (a number or a duration, a date, a template): one text field, or one number field
      schema = { ...rest, type: nonNull.length > real.length ? "string" : "number" };
    } else if (real.length > 1) {
      // a real choice between shapes: keep it, rjsf renders a picker
      schema = { ...rest, anyOf: real.map((variant) => simplify(variant, defs, depth + 1)) };
    } else {
      schema = { ...rest, type: "string" };
    }
  }
  const out: Schema = { ...schema };
  delete out.$defs;
  // a default shows as the field's placeholder: were it filled in, opening a form would be an unsaved edit
  if ("default" in out) {
    if (out.default !== UNSET_DEFAULT && out.default !== null && typeof out.default !== "object") out[DEFAULT_HINT] = out.default;
    delete out.default;
  }
  if (out.properties && typeof out.properties === "object") {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, unknown>).map(([key, value]) => [key, simplify(value, defs, depth + 1)]),
    );
  }
  if (out.items) out.items = simplify(out.items, defs, depth + 1);
  if (out.additionalProperties && typeof out.additionalProperties === "object") {
    out.additionalProperties = simplify(out.additionalProperties, defs, depth + 1);
  }
  return out;
}

/** rjsf's uiSchema: enum-or-template fields get their widget, defaults show as placeholders, required first. */
export function uiSchemaFor(schema: Schema): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const order = [...Object.keys(properties).filter((key) => required.has(key)), "*"];
  const ui: Record<string, unknown> = { "ui:order": order, "ui:submitButtonOptions": { norender: true } };
  for (const [key, property] of Object.entries(properties)) {
    const field: Record<string, unknown> = {};
    if (property.type === "object" && property.properties) Object.assign(field, uiSchemaFor(property));
    delete field["ui:submitButtonOptions"];
    if (property.type === "array") field["ui:options"] = { orderable: false };
    if (property[DEFAULT_HINT] !== undefined) field["ui:placeholder"] = `default: ${String(property[DEFAULT_HINT])}`;
    if (Array.isArray(property[ENUM_OR_TEMPLATE])) field["ui:widget"] = ENUM_OR_TEMPLATE_WIDGET;
    if (Object.keys(field).length) ui[key] = field;
  }
  return ui;
}

/** Form data without empty optional values (rjsf fills in empty lists and objects), so a save writes only
 * what the user set, and opening a form is no edit. A list item added and left empty ("Add Item", nothing
 * typed) is dropped too; other items are kept as they are. */
export function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined && item !== "");
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const pruned = pruneEmpty(item);
      if (pruned === undefined || pruned === null || pruned === "") continue;
      if (Array.isArray(pruned) && !pruned.length) continue;
      if (typeof pruned === "object" && !Array.isArray(pruned) && !Object.keys(pruned as object).length) continue;
      out[key] = pruned;
    }
    return out;
  }
  return value;
}

/** rjsf's error schema (`{field: {__errors: [...]}}`) from API errors whose path points into the attributes. */
export function errorSchemaFor(errors: { message: string; path?: (string | number)[] | null }[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const error of errors) {
    const path = attributePath(error.path, error.message);
    if (!path.length) continue;
    let node = root;
    for (const part of path) {
      const key = String(part);
      node[key] = (node[key] as Record<string, unknown> | undefined) ?? {};
      node = node[key] as Record<string, unknown>;
    }
    node.__errors = [...((node.__errors as string[] | undefined) ?? []), plainMessage(error.message)];
  }
  return root;
}

/** The part of an error path inside `attributes` ([] when it is not a field's); a missing required
 * field is reported on its parent ("'tables' is a required property"), so it is pinned to the field. */
export function attributePath(path: (string | number)[] | null | undefined, message = ""): (string | number)[] {
  const start = path?.indexOf("attributes") ?? -1;
  if (!path || start < 0) return [];
  const inside = path.slice(start + 1);
  const required = /^'([^']+)' is a required property/.exec(message);
  return required ? [...inside, required[1]] : inside;
}

/**
 * Values the schema lets through but the component cannot take: a field that is "one of these, or a
 * template" (Dagster's enum-or-string) holding a plain string that is neither. Pinned to the field.
 */
export function suggestionProblems(schema: Schema, data: unknown, path: (string | number)[] = []): { message: string; path: (string | number)[] }[] {
  const problems: { message: string; path: (string | number)[] }[] = [];
  if (!data || typeof data !== "object" || Array.isArray(data)) return problems;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const property = properties[key];
    if (!property) continue;
    const choices = property[ENUM_OR_TEMPLATE];
    if (Array.isArray(choices) && typeof value === "string" && !isTemplate(value) && !choices.includes(value)) {
      problems.push({ message: `must be one of ${choices.join(", ")} (or a {{ template }})`, path: ["attributes", ...path, key] });
    }
    if (property.type === "object") problems.push(...suggestionProblems(property, value, [...path, key]));
  }
  return problems;
}

/** A Dagster template expression (`{{ env.X }}`), resolved when the component loads. */
export function isTemplate(value: string): boolean {
  return value.includes("{{");
}

/** Messages read as sentences: no Python reprs of the path in front. */
export function plainMessage(message: string): string {
  return message.replace(/^attributes(\.[\w[\]]+)*:\s*/, "").trim();
}
