import { describe, expect, it } from "vitest";

import {
  attributePath,
  attributesSchema,
  DEFAULT_HINT,
  ENUM_OR_TEMPLATE,
  ENUM_OR_TEMPLATE_WIDGET,
  errorSchemaFor,
  pruneEmpty,
  simplify,
  suggestionProblems,
  uiSchemaFor,
  UNSET_DEFAULT,
} from "./schemaForm";

// The shape `dg utils inspect-component <type> --defs-yaml-json-schema` prints (trimmed).
const defsSchema = {
  $defs: {
    Retry: { type: "object", properties: { attempts: { anyOf: [{ type: "integer" }, { type: "string" }] } } },
  },
  additionalProperties: false,
  properties: {
    type: { type: "string" },
    attributes: {
      additionalProperties: false,
      required: ["tables", "source"],
      properties: {
        source: { anyOf: [{ enum: ["mysql", "mssql"], type: "string" }, { type: "string" }], description: "Source database kind." },
        tables: { anyOf: [{ items: { type: "string" }, type: "array" }, { type: "string" }] },
        cursor_column: { anyOf: [{ type: "string" }, { type: "null" }], default: null },
        deps: { anyOf: [{ items: { type: "string" }, type: "array" }, { type: "string" }], default: UNSET_DEFAULT },
        retry: { $ref: "#/$defs/Retry" },
        shape: { anyOf: [{ type: "integer" }, { type: "array", items: { type: "integer" } }, { type: "null" }] },
        lag: { anyOf: [{ type: "integer" }, { type: "number" }, { type: "string" }, { type: "null" }], default: null },
        ratio: { anyOf: [{ type: "integer" }, { type: "number" }] },
        range: { anyOf: [{ $ref: "#/$defs/RangeModel" }, { type: "string" }, { type: "null" }], default: null, title: "Range" },
      },
      $defs: {
        RangeModel: {
          title: "Sync Range",
          type: "object",
          required: ["start", "end"],
          properties: { start: { anyOf: [{ type: "integer" }, { type: "number" }, { type: "string" }] }, end: { type: "string" } },
        },
      },
      type: "object",
    },
  },
};

describe("attributesSchema", () => {
  const schema = attributesSchema(defsSchema) as { properties: Record<string, Record<string, unknown>>; required: string[] };

  it("keeps required fields and the attributes' own properties", () => {
    expect(schema.required).toEqual(["tables", "source"]);
    expect(Object.keys(schema.properties)).toEqual(["source", "tables", "cursor_column", "deps", "retry", "shape", "lag", "ratio", "range"]);
  });

  it("turns enum-or-template into a string that keeps its choices", () => {
    expect(schema.properties.source).toEqual({ type: "string", [ENUM_OR_TEMPLATE]: ["mysql", "mssql"], description: "Source database kind." });
  });

  it("keeps an enum that takes no template (only null besides) a plain enum, which rjsf renders as a select", () => {
    expect(simplify({ anyOf: [{ type: "string", enum: ["a", "b"] }, { type: "null" }] }, {}, 0)).toEqual({ type: "string", enum: ["a", "b"] });
  });

  it("reduces array-or-template to the array", () => {
    expect(schema.properties.tables).toEqual({ type: "array", items: { type: "string" } });
  });

  it("makes nullable fields plain optional ones without a null default", () => {
    expect(schema.properties.cursor_column).toEqual({ type: "string" });
  });

  it("keeps a default as a hint, not a value the form would fill in", () => {
    const mode = attributesSchema({ properties: { attributes: { type: "object", properties: { mode: { type: "string", default: "full" } } } } });
    expect((mode.properties as Record<string, unknown>).mode).toEqual({ type: "string", [DEFAULT_HINT]: "full" });
    expect(uiSchemaFor(mode).mode).toEqual({ "ui:placeholder": "default: full" });
  });

  it("drops Dagster's unset-default marker", () => {
    expect(schema.properties.deps).toEqual({ type: "array", items: { type: "string" } });
  });

  it("resolves $ref into nested objects and simplifies inside them", () => {
    expect(schema.properties.retry).toEqual({ type: "object", properties: { attempts: { type: "integer" } } });
  });

  it("keeps a real choice between shapes as anyOf, without null", () => {
    expect(schema.properties.shape.anyOf).toEqual([{ type: "integer" }, { type: "array", items: { type: "integer" } }]);
  });

  it("makes a number-or-text field one text field, and a number of either kind one number field", () => {
    expect(schema.properties.lag).toEqual({ type: "string" }); // 300, "300" and "5m" all typed in one field
    expect(schema.properties.ratio).toEqual({ type: "number" });
  });

  it("keeps a field with no real type a text field", () => {
    expect(simplify({ anyOf: [{ type: "null" }] }, {}, 0)).toEqual({ type: "string" });
  });

  it("resolves the attributes' own $defs (a nested model)", () => {
    expect(schema.properties.range).toEqual({
      title: "Range", // the field's title, not its model's
      type: "object",
      required: ["start", "end"],
      properties: { start: { type: "string" }, end: { type: "string" } },
    });
  });

  it("gives an empty object form when there is no schema", () => {
    expect(attributesSchema(undefined)).toEqual({ type: "object", properties: {} });
  });
});

describe("uiSchemaFor", () => {
  it("orders required fields first and hides rjsf's submit button", () => {
    const ui = uiSchemaFor(attributesSchema(defsSchema));
    expect(ui["ui:order"]).toEqual(["source", "tables", "*"]);
    expect(ui["ui:submitButtonOptions"]).toEqual({ norender: true });
    expect(ui.tables).toEqual({ "ui:options": { orderable: false } });
  });

  it("gives enum-or-template fields their select-or-template widget", () => {
    expect(uiSchemaFor(attributesSchema(defsSchema)).source).toEqual({ "ui:widget": ENUM_OR_TEMPLATE_WIDGET });
  });
});

describe("errors on fields", () => {
  it("pins API errors to the attribute they name", () => {
    const errors = errorSchemaFor([
      { message: "attributes.source: Input should be 'mysql' or 'mssql'", path: ["attributes", "source"] },
      { message: "bad table", path: ["attributes", "tables", 1] },
      { message: "whole file is wrong" },
    ]);
    expect(errors).toEqual({
      source: { __errors: ["Input should be 'mysql' or 'mssql'"] },
      tables: { 1: { __errors: ["bad table"] } },
    });
  });

  it("knows which paths are a field's", () => {
    expect(attributePath(["attributes", "tables"])).toEqual(["tables"]);
    expect(attributePath(["body", "attributes", "mode"])).toEqual(["mode"]);
    expect(attributePath(["body"])).toEqual([]);
    expect(attributePath(undefined)).toEqual([]);
    expect(attributePath(["attributes"], "'tables' is a required property")).toEqual(["tables"]);
  });
});

describe("pruneEmpty", () => {
  it("drops empty optional values, lists, objects and list items left empty but keeps false and zero", () => {
    expect(pruneEmpty({ a: "", b: null, c: undefined, d: false, e: 0, f: ["x", "", null, 0], g: { h: "" }, i: [] })).toEqual({
      d: false,
      e: 0,
      f: ["x", 0],
    });
  });
});

describe("suggestionProblems", () => {
  const schema = attributesSchema(defsSchema);
  it("refuses a plain string outside an enum-or-template field's choices, on that field", () => {
    expect(suggestionProblems(schema, { source: "oracle" })).toEqual([
      { message: "must be one of mysql, mssql (or a {{ template }})", path: ["attributes", "source"] },
    ]);
  });
  it("does not restrict a field by the schema's own examples", () => {
    expect(suggestionProblems({ properties: { name: { type: "string", examples: ["a"] } } }, { name: "b" })).toEqual([]);
  });
  it("accepts a choice or a template", () => {
    expect(suggestionProblems(schema, { source: "mssql" })).toEqual([]);
    expect(suggestionProblems(schema, { source: "{{ env.SOURCE_KIND }}" })).toEqual([]);
  });
});
